"""Alembic environment of pqrbot: every component's history runs through it.

Run by ``crm_adapter.migrations.upgrade`` with an open connection and the component's own
version table in ``config.attributes`` (never from an ``alembic.ini``). On PostgreSQL an
advisory lock serialises concurrent starts (Rasa server, action server, worker, CLI); on SQLite
the engine begins every transaction with ``BEGIN IMMEDIATE``, which does the same.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

_PG_LOCK_KEY = 7_318_201  # constant advisory-lock key for pqrbot migrations

config = context.config
connection = config.attributes["connection"]
applied = config.attributes.setdefault("applied", [])


def _record(ctx, step, heads, run_args) -> None:  # noqa: ANN001 - Alembic's callback signature
    if step.is_stamp:  # a database of the earlier runner marked at its revision: nothing ran
        return
    applied.append(f"{config.attributes['history']}:{step.up_revision_id}:{step.up_revision.doc}")


context.configure(
    connection=connection,
    version_table=config.attributes["version_table"],
    on_version_apply=_record,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    context.run_migrations()
