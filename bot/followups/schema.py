"""Tables of the follow-up scheduler (SQLAlchemy Core; SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

# Status values of a follow-up
SCHEDULED = "scheduled"  # waiting for its due time (or being sent: see claimed_by/claimed_until)
SENT = "sent"  # the closing message was accepted by the provider
CANCELLED = "cancelled"  # the customer answered, the intake ended, or it was replaced
FAILED = "failed"  # gave up after repeated transient failures
UNSENDABLE = "unsendable"  # could not be sent at all (window closed, no channel): see reason
STATUSES = (SCHEDULED, SENT, CANCELLED, FAILED, UNSENDABLE)
FINAL_STATUSES = (SENT, CANCELLED, FAILED, UNSENDABLE)

# How the closing was (or is to be) delivered
TEXT = "text"  # private free text inside the messaging window
TEMPLATE = "template"  # approved template (WhatsApp outside its 24 h window)
PUBLIC = "public"  # public reply to the mention that opened the conversation, no personal data

followups = Table(
    "followups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("input_channel", String(60), nullable=False),
    Column("canal", String(60), nullable=False),
    Column("requested", String(80), nullable=True),  # the datum last asked for (slot name)
    Column("asked_publicly", Boolean, nullable=False, default=False),
    Column("public_ref", String(255), nullable=True),  # mention/comment the request was made on
    Column("status", String(20), nullable=False),
    # when the closing is sent: min(requested due, window end - margin)
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("requested_due_at", DateTime(timezone=True), nullable=False),  # scheduled_at + delay
    Column("last_inbound_at", DateTime(timezone=True), nullable=True),
    Column("window_ends_at", DateTime(timezone=True), nullable=True),  # None: channel has no window
    Column("delivery", String(20), nullable=True),  # text / template / public
    Column("reason", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(120), nullable=True),  # lease of the worker sending it
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("outbound_message_id", Integer, nullable=True),  # row in the outbound log
    Column("provider_message_id", String(255), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("scheduled_at", DateTime(timezone=True), nullable=False),  # latest data request
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
)

Index("ix_followups_status_due", followups.c.status, followups.c.due_at)
# At most one pending follow-up per conversation.
Index(
    "uq_followups_one_pending",
    followups.c.conversation_id,
    unique=True,
    postgresql_where=followups.c.status == SCHEDULED,
    sqlite_where=followups.c.status == SCHEDULED,
)

# What the dialogue checks: was this conversation closed for lack of information?
followup_conversations = Table(
    "followup_conversations",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("closed_for_lack_of_info", Boolean, nullable=False, default=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("closed_by_followup", Integer, nullable=True),
    Column("last_reply_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
