"""Migrations of the follow-up scheduler (component "followups")."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.followups import schema
from crm_adapter.migrations import Migration


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(
        conn, tables=[schema.followups, schema.followup_conversations]
    )


MIGRATIONS = [
    Migration("followups", 1, "follow-ups (next-day closing) and closed conversations", _v1_initial),
]
