"""Tables of the CRM/billing store (SQLAlchemy Core, works on SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

metadata = MetaData()

contratos = Table(
    "billing_contratos",
    metadata,
    Column("contrato", String(40), primary_key=True),
    Column("direccion", Text, nullable=False),
    Column("direccion_key", Text, nullable=False, index=True),
    Column("municipio", String(120), nullable=False),
    Column("uso", String(20), nullable=False),
    Column("titular_tipo_documento", String(10), nullable=False),
    Column("titular_numero", String(40), nullable=False),
    Column("titular_nombre", Text, nullable=False),
    Column("servicios", Text, nullable=False),  # JSON list
    Column("actualizado_en", DateTime(timezone=True), nullable=False),
)

alcantarillado_pagos = Table(
    "billing_alcantarillado_pagos",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "contrato",
        String(40),
        ForeignKey("billing_contratos.contrato", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("fecha", Date, nullable=False),
    Column("valor", Numeric(16, 2, asdecimal=False), nullable=False),
)

contactos = Table(
    "crm_contactos",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tipo_documento", String(40), nullable=False),
    Column("numero", String(40), nullable=False, unique=True),
    Column("nombre", Text, nullable=False),
    Column("email", Text),
    Column("celular", String(20)),
    Column("creado_en", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)

pqrs = Table(
    "crm_pqrs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("numero", String(20), unique=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("tipo", String(20), nullable=False),
    Column("canal", String(20), nullable=False),
    Column("estado", String(20), nullable=False),
    Column("contacto_id", Integer, ForeignKey("crm_contactos.id"), nullable=False),
    Column("tipo_documento_declarado", String(10)),
    Column("contrato", String(40)),
    Column("direccion", Text),
    Column("causa_inicial", Text, nullable=False),
    Column("motivo_detalle", Text, nullable=False),
    Column("medio_tipo", String(20), nullable=False),
    Column("medio_valor", Text, nullable=False),
    Column("relacion_inmueble", Text),
    Column("conversation_id", String(200), nullable=False, index=True),
    Column("creado_en", DateTime(timezone=True), nullable=False, index=True),
    Column("fecha_limite_respuesta", Date, index=True),  # migration pqr_deadline:1
    Column("radicado_por", String(255)),  # console agent's e-mail; NULL: filed by the assistant
    sqlite_autoincrement=True,  # numbers are never reused, even after a delete
)

pqr_tareas = Table(
    "crm_pqr_tareas",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pqr_id", Integer, ForeignKey("crm_pqrs.id", ondelete="CASCADE"), nullable=False),
    Column("descripcion", Text, nullable=False),
    Column("creado_en", DateTime(timezone=True), nullable=False),
)

evidencias = Table(
    "crm_evidencias",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pqr_id", Integer, ForeignKey("crm_pqrs.id", ondelete="CASCADE"), nullable=False),
    Column("tipo", String(30), nullable=False),
    Column("nombre", Text, nullable=False),
    Column("contenido", Text),
    Column("url", Text),
    Column("content_type", String(100)),
    Column("creado_en", DateTime(timezone=True), nullable=False),
    Index("ix_crm_evidencias_pqr_id_tipo", "pqr_id", "tipo"),  # migration crm_0006
)

consentimientos = Table(
    "crm_consentimientos",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(200), nullable=False, index=True),
    Column("canal", String(20), nullable=False),
    Column("aceptado", Boolean, nullable=False),
    Column("respuesta", Text, nullable=False),
    Column("policy_version", String(40), nullable=False),
    Column("creado_en", DateTime(timezone=True), nullable=False),
)

orientaciones = Table(
    "crm_orientaciones",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(200), nullable=False, index=True),
    Column("canal", String(20), nullable=False),
    Column("regla", String(60), nullable=False),
    Column("razon", Text, nullable=False),
    Column("contrato", String(40)),
    Column("creado_en", DateTime(timezone=True), nullable=False, index=True),
)
