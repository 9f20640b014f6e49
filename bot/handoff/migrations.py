"""Migrations of the hand-over tables (component ``handoff``)."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.handoff import schema
from crm_adapter.migrations import Migration


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=schema.ALL_TABLES)


MIGRATIONS = [Migration("handoff", 1, "hand-over states, transitions, agent messages and notes", _v1_initial)]
