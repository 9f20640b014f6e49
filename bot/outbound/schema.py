"""Tables of the channels and the outbound service (SQLAlchemy Core, SQLite and PostgreSQL).

- ``channel_conversations``: who a conversation is and where to reach it privately (registry).
- ``channel_conversation_aliases``: another sender id that continues a conversation (a Meta
  comment answered privately continues in the inbox under the customer's PSID/IGSID).
- ``channel_inbound_deliveries``: every provider delivery id seen (MessageSid, mid, update_id,
  event id). The primary key makes a retried delivery a no-op, across restarts and workers.
- ``channel_media``: photos, voice notes and files a customer sent (evidence for the PQR).
- ``outbound_messages``: every message sent to a customer, with its delivery status. It is the
  proof that the customer was informed.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

conversations = Table(
    "channel_conversations",
    metadata,
    Column("conversation_id", String(200), primary_key=True),
    Column("input_channel", String(30), nullable=False),
    Column("canal", String(20), nullable=False),
    Column("address", String(200), nullable=False),
    Column("last_inbound_at", DateTime(timezone=True)),
    Column("public_ref", String(200)),
    Column("private_ok", Boolean, nullable=False),
    Column("private_refused_reason", Text),
    Column("extra", Text, nullable=False),  # JSON object of strings
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

aliases = Table(
    "channel_conversation_aliases",
    metadata,
    Column("alias", String(200), primary_key=True),
    Column("conversation_id", String(200), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

deliveries = Table(
    "channel_inbound_deliveries",
    metadata,
    Column("provider", String(20), primary_key=True),
    Column("delivery_id", String(200), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False, index=True),
)

media = Table(
    "channel_media",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(200), nullable=False, index=True),
    Column("input_channel", String(30), nullable=False),
    Column("provider_message_id", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("content_type", String(100)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("input_channel", "provider_message_id", "position", name="uq_channel_media_item"),
    sqlite_autoincrement=True,
)

outbound_messages = Table(
    "outbound_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(200), nullable=False, index=True),
    Column("input_channel", String(30)),
    Column("canal", String(20)),
    Column("address", String(200)),
    Column("kind", String(20), nullable=False),  # text | template | public_reply
    Column("purpose", String(60), nullable=False),
    Column("body", Text),
    Column("template", String(200)),
    Column("variables", Text),  # JSON
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("provider_message_id", String(200)),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    sqlite_autoincrement=True,
)

ALL_TABLES = [conversations, aliases, deliveries, media, outbound_messages]
