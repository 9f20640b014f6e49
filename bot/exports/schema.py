"""The table of daily export runs: one row per export day (unique), claimed with a lease."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

PENDING = "pending"  # created, not sent yet
SENDING = "sending"  # claimed by a worker (lease in claimed_until)
RETRYING = "retrying"  # a send failed; next try at next_attempt_at
SENT = "sent"
FAILED = "failed"  # gave up after max attempts (pqrbot crm exportes shows the error)
STATUSES = (PENDING, SENDING, RETRYING, SENT, FAILED)

export_runs = Table(
    "export_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fecha", Date, nullable=False, unique=True),  # the day exported (America/Bogota)
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(200)),
    Column("claimed_until", DateTime(timezone=True)),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("pqr_count", Integer),
    Column("recipients", Text),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
)
