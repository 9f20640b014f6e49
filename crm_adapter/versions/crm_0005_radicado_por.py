"""crm_pqrs.radicado_por: the console agent who filed a PQR (NULL: the assistant).

Revision ID: crm_0005
Revises: crm_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "crm_0005"
down_revision = "crm_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Databases that ran the console branch before the move to Alembic (its own runner component
    # "crm_radicado_por") already have the column.
    if "radicado_por" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("crm_pqrs")}:
        return
    with op.batch_alter_table("crm_pqrs") as batch:
        batch.add_column(sa.Column("radicado_por", sa.String(length=255), nullable=True))
