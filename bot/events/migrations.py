"""Migrations of the conversation events table (component ``events``)."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.events import schema
from crm_adapter.migrations import Migration


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.conversation_events])


MIGRATIONS = [Migration("events", 1, "conversation events (user/bot turns, slots, actions)", _v1_initial)]
