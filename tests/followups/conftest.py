"""Databases for the follow-up tests: a SQLite file per test, and PostgreSQL (its own schema
per test) when PQRBOT_TEST_POSTGRES_URL is set."""
from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot.followups.store import FollowupStore

PG_URL = os.environ.get("PQRBOT_TEST_POSTGRES_URL")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="PQRBOT_TEST_POSTGRES_URL not set"),
        ],
    ),
]


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pqrbot.db'}"
        return
    schema = f"fu_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url():
    if not PG_URL:
        pytest.skip("PQRBOT_TEST_POSTGRES_URL not set")
    schema = f"fu_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'pqrbot.db'}"


@pytest.fixture
def store(sqlite_url):
    s = FollowupStore.from_url(sqlite_url)
    yield s
    s.dispose()


@pytest.fixture
def any_store(db_url):
    s = FollowupStore.from_url(db_url)
    yield s
    s.dispose()
