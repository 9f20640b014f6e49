"""Migrations of the console tables (component ``console``)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from bot.console import schema
from crm_adapter.migrations import Migration

_STARTER_QUICK_REPLIES = [
    ("Saludo", "Hola, soy del equipo de EPM 👋. Ya leí tu conversación; cuéntame cómo te ayudo."),
    ("Pedir factura", "¿Me envías una foto de la factura, por favor? Así reviso el valor que te llegó."),
    ("Radicado", "Listo, quedó radicado tu reclamo. Te llegará la respuesta por el medio que elegiste."),
    ("Despedida", "Gracias por escribirnos 😊. Si necesitas algo más, aquí estamos."),
]


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=schema.ALL_TABLES)
    now = datetime.now(timezone.utc)
    conn.execute(insert(schema.quick_replies), [
        {"title": title, "text": text, "updated_by": None, "updated_at": now} for title, text in _STARTER_QUICK_REPLIES
    ])


MIGRATIONS = [Migration("console", 1, "console users, sessions, login attempts, audit log, quick replies", _v1_initial)]
