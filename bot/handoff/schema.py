"""Tables of the hand-over (SQLAlchemy Core; SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

BOT = "bot"
WAITING = "waiting"
AGENT = "agent"
CLOSED = "closed"
STATES = (BOT, WAITING, AGENT, CLOSED)

# Why the assistant handed over
REASON_CUSTOMER_ASKED = "cliente_pidio_asesor"
REASON_NOT_UNDERSTOOD = "no_entendido_dos_veces"
REASON_INSISTS_AFTER_ORIENTACION = "insiste_tras_orientacion"

handoffs = Table(
    "handoff_conversations",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("assigned_to", String(255), nullable=True),  # e-mail of the agent holding it
    Column("reason", String(80), nullable=True),
    Column("input_channel", String(60), nullable=True),
    Column("canal", String(60), nullable=True),
    Column("data", Text, nullable=True),  # JSON: intake data when it was handed over
    Column("waiting_since", DateTime(timezone=True), nullable=True),
    Column("taken_at", DateTime(timezone=True), nullable=True),
    Column("first_agent_reply_at", DateTime(timezone=True), nullable=True),
    Column("timeout_notified_at", DateTime(timezone=True), nullable=True),
    Column("outside_hours", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_handoff_state", handoffs.c.state)

# Every change of state: who, when, why (dashboard: waiting times, take-overs).
transitions = Table(
    "handoff_transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("from_state", String(20), nullable=True),
    Column("to_state", String(20), nullable=False),
    Column("actor", String(255), nullable=True),  # agent e-mail, or "asistente"
    Column("reason", String(200), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    sqlite_autoincrement=True,
)

# What people wrote: messages to the customer and private notes for colleagues.
MESSAGE = "message"
NOTE = "note"
messages = Table(
    "handoff_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # message | note
    Column("author", String(255), nullable=False),  # agent e-mail (or "sistema")
    Column("author_name", String(200), nullable=True),
    Column("text", Text, nullable=False),
    Column("delivery", String(20), nullable=True),  # outbound status: sent, failed, skipped, stored
    Column("outbound_message_id", Integer, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)

ALL_TABLES = [handoffs, transitions, messages]
