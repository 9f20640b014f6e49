"""crm_pqrs.fecha_limite_respuesta: the legal answer deadline (15 días hábiles), backfilled.

Revision ID: crm_0004
Revises: crm_0003
"""

import sqlalchemy as sa
from alembic import op

from crm_adapter.deadline import fecha_limite_respuesta

revision = "crm_0004"
down_revision = "crm_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Databases that ran the procedure branch before the move to Alembic (its own runner component
    # "pqr_deadline") already have the column: only the backfill is left to do.
    if "fecha_limite_respuesta" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("crm_pqrs")}:
        _add_column()
    _backfill()


def _add_column() -> None:
    with op.batch_alter_table("crm_pqrs") as batch:
        batch.add_column(sa.Column("fecha_limite_respuesta", sa.Date(), nullable=True))
        batch.create_index("ix_crm_pqrs_fecha_limite_respuesta", ["fecha_limite_respuesta"], unique=False)


def _backfill() -> None:
    pqrs = sa.table(
        "crm_pqrs",
        sa.column("id", sa.Integer),
        sa.column("creado_en", sa.DateTime(timezone=True)),
        sa.column("fecha_limite_respuesta", sa.Date),
    )
    conn = op.get_bind()
    for row in conn.execute(
        sa.select(pqrs.c.id, pqrs.c.creado_en).where(pqrs.c.fecha_limite_respuesta.is_(None))
    ).all():
        creado_en = row.creado_en
        if isinstance(creado_en, str):  # SQLite without type information
            from datetime import datetime

            creado_en = datetime.fromisoformat(creado_en)
        conn.execute(
            sa.update(pqrs).where(pqrs.c.id == row.id).values(fecha_limite_respuesta=fecha_limite_respuesta(creado_en))
        )
