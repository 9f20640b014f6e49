"""crm_evidencias(pqr_id, tipo) indexed: a PQR's evidence was found by scanning the whole table
(every PQR read, and the worker's chat images job asks every 3 s which recent PQRs have no image).

Revision ID: crm_0006
Revises: crm_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "crm_0006"
down_revision = "crm_0005"
branch_labels = None
depends_on = None

INDEX = "ix_crm_evidencias_pqr_id_tipo"


def upgrade() -> None:
    # A database put back to an earlier revision by hand may have it already.
    if INDEX in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("crm_evidencias")}:
        return
    op.create_index(INDEX, "crm_evidencias", ["pqr_id", "tipo"])
