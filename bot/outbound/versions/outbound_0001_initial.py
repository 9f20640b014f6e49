"""Channel conversations, aliases, inbound deliveries, media and outbound log.

Revision ID: outbound_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "outbound_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_conversation_aliases",
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("alias"),
    )
    op.create_index(
        op.f("ix_channel_conversation_aliases_conversation_id"),
        "channel_conversation_aliases",
        ["conversation_id"],
        unique=False,
    )
    op.create_table(
        "channel_conversations",
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("input_channel", sa.String(length=30), nullable=False),
        sa.Column("canal", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("public_ref", sa.String(length=200), nullable=True),
        sa.Column("private_ok", sa.Boolean(), nullable=False),
        sa.Column("private_refused_reason", sa.Text(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_table(
        "channel_inbound_deliveries",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", "delivery_id"),
    )
    op.create_index(
        op.f("ix_channel_inbound_deliveries_received_at"), "channel_inbound_deliveries", ["received_at"], unique=False
    )
    op.create_table(
        "channel_media",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("input_channel", sa.String(length=30), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("input_channel", "provider_message_id", "position", name="uq_channel_media_item"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_channel_media_conversation_id"), "channel_media", ["conversation_id"], unique=False)
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("input_channel", sa.String(length=30), nullable=True),
        sa.Column("canal", sa.String(length=20), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("template", sa.String(length=200), nullable=True),
        sa.Column("variables", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_outbound_messages_conversation_id"), "outbound_messages", ["conversation_id"], unique=False
    )
    op.create_index(op.f("ix_outbound_messages_created_at"), "outbound_messages", ["created_at"], unique=False)
    op.create_index(op.f("ix_outbound_messages_status"), "outbound_messages", ["status"], unique=False)
