"""Migrations of the CRM and billing tables."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from crm_adapter import schema
from crm_adapter.migrations import Migration


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(
        conn,
        tables=[
            schema.contratos,
            schema.alcantarillado_pagos,
            schema.contactos,
            schema.pqrs,
            schema.pqr_tareas,
            schema.evidencias,
            schema.consentimientos,
        ],
    )


def _v2_orientaciones(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.orientaciones])


MIGRATIONS = [
    Migration("crm", 1, "initial CRM and billing tables", _v1_initial),
    Migration("crm", 2, "orientaciones (redirections to other channels)", _v2_orientaciones),
]
