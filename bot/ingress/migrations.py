"""Migrations of the inbound queue (component ``ingress``)."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.ingress import schema
from crm_adapter.migrations import Migration


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.inbound_queue])


MIGRATIONS = [Migration("ingress", 1, "inbound queue: deliveries accepted, processed at least once", _v1_initial)]
