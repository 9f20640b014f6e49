"""Fixtures of the procedure tests: databases (SQLite file, PostgreSQL schema when
PQRBOT_TEST_POSTGRES_URL is set) shared with the follow-up tests, and filed PQRs."""

from __future__ import annotations

from tests.bot.followups.conftest import db_url, pg_url, sqlite_url  # noqa: F401  (fixtures)
