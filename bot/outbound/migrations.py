"""Migrations of the channel and outbound tables (component ``outbound``)."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.outbound import schema
from crm_adapter.migrations import Migration


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=schema.ALL_TABLES)


MIGRATIONS = [
    Migration(
        "outbound",
        1,
        "channel conversations, aliases, inbound deliveries, media and outbound log",
        _v1_initial,
    ),
]
