"""Migrations of the answer deadline: the ``fecha_limite_respuesta`` column of ``crm_pqrs``."""
from __future__ import annotations

from sqlalchemy import inspect, select, update
from sqlalchemy.engine import Connection

from crm_adapter import schema
from crm_adapter.deadline import fecha_limite_respuesta
from crm_adapter.migrations import Migration


def _v1_column_and_backfill(conn: Connection) -> None:
    """Add the column (a fresh database already has it from crm:1) and fill it for old PQRs."""
    columns = {c["name"] for c in inspect(conn).get_columns(schema.pqrs.name)}
    if "fecha_limite_respuesta" not in columns:
        conn.exec_driver_sql(f"ALTER TABLE {schema.pqrs.name} ADD COLUMN fecha_limite_respuesta DATE")
        conn.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS ix_crm_pqrs_fecha_limite_respuesta "
            f"ON {schema.pqrs.name} (fecha_limite_respuesta)"
        )
    pqrs = schema.pqrs
    rows = conn.execute(
        select(pqrs.c.id, pqrs.c.creado_en).where(pqrs.c.fecha_limite_respuesta.is_(None))
    ).all()
    for row in rows:
        conn.execute(
            update(pqrs).where(pqrs.c.id == row.id)
            .values(fecha_limite_respuesta=fecha_limite_respuesta(row.creado_en))
        )


MIGRATIONS = [
    Migration("pqr_deadline", 1, "crm_pqrs.fecha_limite_respuesta (15 días hábiles), backfilled",
              _v1_column_and_backfill),
]
