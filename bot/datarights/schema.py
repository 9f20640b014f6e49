"""Tables of the personal-data rights: customers' requests and the audit of staff actions."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

requests = Table(
    "datarights_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("radicado", String(20), unique=True),
    Column("tipo", String(20), nullable=False),  # consulta | actualizacion | supresion
    Column("numero_documento", String(40), index=True),  # None when the customer did not give it
    Column("conversation_id", String(200), nullable=False, index=True),
    Column("canal", String(20), nullable=False),
    Column("texto", Text),  # the customer's words
    Column("estado", String(20), nullable=False),  # recibida | atendida
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("atendida_en", DateTime(timezone=True)),
)

audit = Table(
    "datarights_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("target", String(200), nullable=False),
    Column("detail", Text),  # JSON
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
