"""Conversation events (user and bot turns, slots, actions) for the console and the workbench.

Revision ID: events_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "events_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("input_channel", sa.String(length=60), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("intent", sa.String(length=120), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_conversation_events_at", "conversation_events", ["at"], unique=False)
    op.create_index("ix_conversation_events_conv", "conversation_events", ["conversation_id", "id"], unique=False)
