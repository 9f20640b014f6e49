"""Address keys now equate "apartamento"/"apto" and "44bis"/"44 bis": recompute them.

Revision ID: crm_0003
Revises: crm_0002
"""

import sqlalchemy as sa
from alembic import op

from textkit.normalize import normalize_direccion

revision = "crm_0003"
down_revision = "crm_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    contratos = sa.table(
        "billing_contratos",
        sa.column("contrato", sa.String),
        sa.column("direccion", sa.Text),
        sa.column("direccion_key", sa.Text),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(contratos.c.contrato, contratos.c.direccion)).all():
        conn.execute(
            sa.update(contratos)
            .where(contratos.c.contrato == row.contrato)
            .values(direccion_key=normalize_direccion(row.direccion))
        )
