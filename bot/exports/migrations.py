"""Migrations of the daily export."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.exports import schema
from crm_adapter.migrations import Migration


def _v1_export_runs(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.export_runs])


MIGRATIONS = [Migration("exports", 1, "export_runs (one row per exported day)", _v1_export_runs)]
