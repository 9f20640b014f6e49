"""Hand-over states, transitions, agent messages and notes.

Revision ID: handoff_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "handoff_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_conversations",
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("assigned_to", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.String(length=80), nullable=True),
        sa.Column("input_channel", sa.String(length=60), nullable=True),
        sa.Column("canal", sa.String(length=60), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_agent_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timeout_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outside_hours", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_index("ix_handoff_state", "handoff_conversations", ["state"], unique=False)
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=True),
        sa.Column("outbound_message_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_handoff_messages_conversation_id"), "handoff_messages", ["conversation_id"], unique=False)
    op.create_table(
        "handoff_transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_handoff_transitions_at"), "handoff_transitions", ["at"], unique=False)
    op.create_index(
        op.f("ix_handoff_transitions_conversation_id"), "handoff_transitions", ["conversation_id"], unique=False
    )
