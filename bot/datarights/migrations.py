"""Migrations of the personal-data rights tables."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.datarights import schema
from crm_adapter.migrations import Migration


def _v1_tables(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.requests, schema.audit])


MIGRATIONS = [Migration("datarights", 1, "datarights_requests and datarights_audit", _v1_tables)]
