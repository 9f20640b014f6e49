"""Orientaciones: customers redirected to another channel.

Revision ID: crm_0002
Revises: crm_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "crm_0002"
down_revision = "crm_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_orientaciones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("canal", sa.String(length=20), nullable=False),
        sa.Column("regla", sa.String(length=60), nullable=False),
        sa.Column("razon", sa.Text(), nullable=False),
        sa.Column("contrato", sa.String(length=40), nullable=True),
        sa.Column("creado_en", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_crm_orientaciones_conversation_id"), "crm_orientaciones", ["conversation_id"], unique=False
    )
    op.create_index(op.f("ix_crm_orientaciones_creado_en"), "crm_orientaciones", ["creado_en"], unique=False)
