"""Personal-data rights requests and their audit.

Revision ID: datarights_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "datarights_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datarights_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_datarights_audit_created_at"), "datarights_audit", ["created_at"], unique=False)
    op.create_table(
        "datarights_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("radicado", sa.String(length=20), nullable=True),
        sa.Column("tipo", sa.String(length=20), nullable=False),
        sa.Column("numero_documento", sa.String(length=40), nullable=True),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("canal", sa.String(length=20), nullable=False),
        sa.Column("texto", sa.Text(), nullable=True),
        sa.Column("estado", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("atendida_en", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("radicado"),
    )
    op.create_index(
        op.f("ix_datarights_requests_conversation_id"), "datarights_requests", ["conversation_id"], unique=False
    )
    op.create_index(
        op.f("ix_datarights_requests_numero_documento"), "datarights_requests", ["numero_documento"], unique=False
    )
