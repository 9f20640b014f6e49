"""The inbound queue table (component ``ingress``)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

inbound_queue = Table(
    "inbound_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("provider", String(20), nullable=False),
    Column("delivery_id", String(200), nullable=False),
    Column("channel", String(40), nullable=False),  # Rasa input channel name (whatsapp, meta, ...)
    Column("conversation_id", String(255), nullable=False),
    Column("payload", Text, nullable=False),  # the InboundMessage as JSON
    Column("state", String(12), nullable=False, default="pending"),  # pending | processing | done | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("claimed_by", String(120)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("done_at", DateTime(timezone=True)),
    Index("ix_inbound_queue_state_id", "state", "id"),
    Index("ix_inbound_queue_conversation", "conversation_id", "id"),
)
