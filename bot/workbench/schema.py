"""Tables of the trainers' workbench (SQLAlchemy Core; SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

# Status of an inbox item
OPEN = "open"
LABELLED = "labelled"
DISCARDED = "discarded"

# Why a message is in the inbox
FALLBACK = "fallback"  # the assistant answered "no te entendí" (intent nlu_fallback)
LOW_CONFIDENCE = "low_confidence"  # classified below the FallbackClassifier threshold
FLAGGED = "flagged"  # an agent flagged it from a conversation

nlu_inbox = Table(
    "nlu_inbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),  # masked
    Column("group_key", String(64), nullable=False),  # sha256 of the normalised masked text
    Column("status", String(20), nullable=False),
    Column("reason", String(20), nullable=False),
    Column("predicted_intent", String(120), nullable=True),
    Column("confidence", Float, nullable=True),
    Column("ranking", Text, nullable=True),  # JSON: [{"name", "confidence"}] best alternatives
    Column("count", Integer, nullable=False),
    Column("channel", String(60), nullable=True),
    Column("conversation_id", String(255), nullable=True),  # latest occurrence
    Column("flagged_by", String(255), nullable=True),
    Column("note", Text, nullable=True),
    Column("first_at", DateTime(timezone=True), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
    Column("labelled_intent", String(120), nullable=True),
    Column("labelled_text", Text, nullable=True),
    Column("resolved_by", String(255), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
)
Index("ix_nlu_inbox_status_key", nlu_inbox.c.status, nlu_inbox.c.group_key)
# At most one open item per masked text, even with several processes capturing at once.
Index(
    "uq_nlu_inbox_open_key",
    nlu_inbox.c.group_key,
    unique=True,
    postgresql_where=nlu_inbox.c.status == OPEN,
    sqlite_where=nlu_inbox.c.status == OPEN,
)

# Background jobs: candidate training runs and evaluations of the live model
nlu_jobs = Table(
    "nlu_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),  # train / evaluate
    Column("status", String(20), nullable=False),  # queued, running, ready, blocked, failed, activated
    Column("step", String(120), nullable=True),  # what it is doing now
    Column("progress", Float, nullable=False, default=0.0),  # 0..1
    Column("pid", Integer, nullable=True),
    Column("requested_by", String(255), nullable=True),
    Column("model_path", Text, nullable=True),  # the candidate (train) or the model evaluated
    Column("fingerprint", String(64), nullable=True),  # of the training inputs it was trained from
    Column("result", Text, nullable=True),  # JSON: evaluations, stories, comparison
    Column("error", Text, nullable=True),
    Column("log_path", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)

# Evaluations on the held-out set, by model file digest
nlu_evaluations = Table(
    "nlu_evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model_sha", String(64), nullable=False, index=True),
    Column("model_path", Text, nullable=False),
    Column("test_set_sha", String(64), nullable=False),
    Column("result", Text, nullable=False),  # JSON (see metrics.report)
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Live-model changes: activations and rollbacks
nlu_activations = Table(
    "nlu_activations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(20), nullable=False),  # activate / rollback
    Column("job_id", Integer, nullable=True),
    Column("model_sha", String(64), nullable=False),
    Column("previous_path", Text, nullable=True),  # copy of the model it replaced
    Column("previous_sha", String(64), nullable=True),
    Column("previous_fingerprint", String(64), nullable=True),
    Column("forced", Integer, nullable=False, default=0),
    Column("actor", String(255), nullable=True),
    Column("loaded", Integer, nullable=False, default=0),  # the running server took it
    Column("rolled_back", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
