"""Migrations of the trainers' workbench (component "workbench")."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.workbench import schema
from crm_adapter.migrations import Migration


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[
        schema.nlu_inbox, schema.nlu_jobs, schema.nlu_evaluations, schema.nlu_activations,
    ])


MIGRATIONS = [
    Migration("workbench", 1, "review inbox, training jobs, evaluations, activations", _v1_initial),
]
