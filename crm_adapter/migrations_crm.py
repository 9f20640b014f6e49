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


def _v3_recompute_address_keys(conn: Connection) -> None:
    """Address keys now equate "apartamento"/"apto" and "44bis"/"44 bis": recompute them."""
    from sqlalchemy import select, update

    from crm_adapter.normalize import normalize_direccion

    rows = conn.execute(select(schema.contratos.c.contrato, schema.contratos.c.direccion)).all()
    for row in rows:
        conn.execute(
            update(schema.contratos)
            .where(schema.contratos.c.contrato == row.contrato)
            .values(direccion_key=normalize_direccion(row.direccion))
        )


def _radicado_por(conn: Connection) -> None:
    """Who filed a PQR from the agent console (NULL: the assistant). Fresh databases get the
    column from the table definition; older ones get it added here."""
    from sqlalchemy import inspect

    if "radicado_por" not in {c["name"] for c in inspect(conn).get_columns("crm_pqrs")}:
        conn.exec_driver_sql("ALTER TABLE crm_pqrs ADD COLUMN radicado_por VARCHAR(255)")


MIGRATIONS = [
    Migration("crm", 1, "initial CRM and billing tables", _v1_initial),
    Migration("crm", 2, "orientaciones (redirections to other channels)", _v2_orientaciones),
    Migration("crm", 3, "recompute address keys (units, bis)", _v3_recompute_address_keys),
    # Own component name, so that it never collides with the next "crm" version number.
    Migration("crm_radicado_por", 1, "PQRs record the console agent who filed them", _radicado_por),
]
