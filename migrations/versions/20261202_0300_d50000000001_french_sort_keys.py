"""French sort keys for communes and beneficiaries: lists order by a key computed in Python
(accents ignored), compared byte by byte on both databases.

Revision ID: d50000000001
Revises: d30000000002
Create Date: 2026-12-02 03:00:00

"""
from alembic import op
import sqlalchemy as sa

from mobility.core.french import sort_key, sort_key_column_type

# revision identifiers, used by Alembic.
revision = "d50000000001"
down_revision = "d30000000002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_key", sort_key_column_type(120), server_default="", nullable=False))
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_key", sort_key_column_type(170), server_default="", nullable=False))
        batch_op.create_index(batch_op.f("ix_beneficiary_sort_key"), ["sort_key"], unique=False)

    connection = op.get_bind()
    commune = sa.table("commune", sa.column("insee_code"), sa.column("name"), sa.column("sort_key"))
    for insee_code, name in connection.execute(sa.select(commune.c.insee_code, commune.c.name)).all():
        connection.execute(
            commune.update().where(commune.c.insee_code == insee_code).values(sort_key=sort_key(name))
        )
    beneficiary = sa.table(
        "beneficiary", sa.column("id"), sa.column("first_name"), sa.column("last_name"), sa.column("sort_key")
    )
    rows = connection.execute(sa.select(beneficiary.c.id, beneficiary.c.last_name, beneficiary.c.first_name)).all()
    for row_id, last_name, first_name in rows:
        connection.execute(
            beneficiary.update().where(beneficiary.c.id == row_id).values(sort_key=sort_key(last_name, first_name))
        )


def downgrade():
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_beneficiary_sort_key"))
        batch_op.drop_column("sort_key")
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_column("sort_key")
