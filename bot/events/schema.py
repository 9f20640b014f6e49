"""Table of the conversation events (SQLAlchemy Core; SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Kinds kept: what a customer or a reader of the transcript needs, plus what the dashboard counts.
USER = "user"  # a customer message
BOT = "bot"  # an assistant message
SLOT = "slot"  # a slot set (intake data gathered so far)
ACTION = "action"  # an action run (only its name)
PAUSE = "pause"  # conversation paused (a person holds it)
RESUME = "resume"  # conversation resumed
KINDS = (USER, BOT, SLOT, ACTION, PAUSE, RESUME)

conversation_events = Table(
    "conversation_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),  # Rasa's event timestamp, UTC
    Column("input_channel", String(60), nullable=True),
    Column("text", Text, nullable=True),
    Column("name", String(120), nullable=True),  # slot or action name
    Column("value", Text, nullable=True),  # slot value, JSON
    Column("intent", String(120), nullable=True),
    Column("confidence", Float, nullable=True),
    Column("metadata", Text, nullable=True),  # JSON of the message metadata (media, public...)
    Column("data", Text, nullable=True),  # JSON: bot buttons/attachments/custom
    sqlite_autoincrement=True,
)
Index("ix_conversation_events_conv", conversation_events.c.conversation_id, conversation_events.c.id)
Index("ix_conversation_events_at", conversation_events.c.at)
