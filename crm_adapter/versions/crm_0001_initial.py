"""Initial CRM and billing tables.

Revision ID: crm_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "crm_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_contratos",
        sa.Column("contrato", sa.String(length=40), nullable=False),
        sa.Column("direccion", sa.Text(), nullable=False),
        sa.Column("direccion_key", sa.Text(), nullable=False),
        sa.Column("municipio", sa.String(length=120), nullable=False),
        sa.Column("uso", sa.String(length=20), nullable=False),
        sa.Column("titular_tipo_documento", sa.String(length=10), nullable=False),
        sa.Column("titular_numero", sa.String(length=40), nullable=False),
        sa.Column("titular_nombre", sa.Text(), nullable=False),
        sa.Column("servicios", sa.Text(), nullable=False),
        sa.Column("actualizado_en", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contrato"),
    )
    op.create_index(op.f("ix_billing_contratos_direccion_key"), "billing_contratos", ["direccion_key"], unique=False)
    op.create_table(
        "crm_consentimientos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("canal", sa.String(length=20), nullable=False),
        sa.Column("aceptado", sa.Boolean(), nullable=False),
        sa.Column("respuesta", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.String(length=40), nullable=False),
        sa.Column("creado_en", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_crm_consentimientos_conversation_id"), "crm_consentimientos", ["conversation_id"], unique=False
    )
    op.create_table(
        "crm_contactos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tipo_documento", sa.String(length=40), nullable=False),
        sa.Column("numero", sa.String(length=40), nullable=False),
        sa.Column("nombre", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("celular", sa.String(length=20), nullable=True),
        sa.Column("creado_en", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("numero"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "billing_alcantarillado_pagos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contrato", sa.String(length=40), nullable=False),
        sa.Column("fecha", sa.Date(), nullable=False),
        sa.Column("valor", sa.Numeric(precision=16, scale=2, asdecimal=False), nullable=False),
        sa.ForeignKeyConstraint(["contrato"], ["billing_contratos.contrato"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_billing_alcantarillado_pagos_contrato"), "billing_alcantarillado_pagos", ["contrato"], unique=False
    )
    op.create_table(
        "crm_pqrs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("numero", sa.String(length=20), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("tipo", sa.String(length=20), nullable=False),
        sa.Column("canal", sa.String(length=20), nullable=False),
        sa.Column("estado", sa.String(length=20), nullable=False),
        sa.Column("contacto_id", sa.Integer(), nullable=False),
        sa.Column("tipo_documento_declarado", sa.String(length=10), nullable=True),
        sa.Column("contrato", sa.String(length=40), nullable=True),
        sa.Column("direccion", sa.Text(), nullable=True),
        sa.Column("causa_inicial", sa.Text(), nullable=False),
        sa.Column("motivo_detalle", sa.Text(), nullable=False),
        sa.Column("medio_tipo", sa.String(length=20), nullable=False),
        sa.Column("medio_valor", sa.Text(), nullable=False),
        sa.Column("relacion_inmueble", sa.Text(), nullable=True),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("creado_en", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contacto_id"],
            ["crm_contactos.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
        sa.UniqueConstraint("numero"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_crm_pqrs_conversation_id"), "crm_pqrs", ["conversation_id"], unique=False)
    op.create_index(op.f("ix_crm_pqrs_creado_en"), "crm_pqrs", ["creado_en"], unique=False)
    op.create_table(
        "crm_evidencias",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pqr_id", sa.Integer(), nullable=False),
        sa.Column("tipo", sa.String(length=30), nullable=False),
        sa.Column("nombre", sa.Text(), nullable=False),
        sa.Column("contenido", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("creado_en", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pqr_id"], ["crm_pqrs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "crm_pqr_tareas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pqr_id", sa.Integer(), nullable=False),
        sa.Column("descripcion", sa.Text(), nullable=False),
        sa.Column("creado_en", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pqr_id"], ["crm_pqrs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
