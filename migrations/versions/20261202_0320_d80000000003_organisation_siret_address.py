"""Organisations: SIRET and postal address, printed on the cession file (issue 10).

Revision ID: d80000000003
Revises: d80000000002
Create Date: 2026-12-02 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d80000000003"
down_revision = "d80000000002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("siret", sa.String(length=14), nullable=True))
        batch.add_column(sa.Column("postal_address", sa.String(length=300), nullable=True))
        batch.create_unique_constraint(batch.f("uq_organisation_siret"), ["siret"])
        batch.create_check_constraint(
            batch.f("ck_organisation_siret_fourteen_digits"),
            "siret IS NULL OR (length(siret) = 14 AND ltrim(siret, '0123456789') = '')",
        )
        batch.create_check_constraint(
            batch.f("ck_organisation_postal_address_not_blank"),
            "postal_address IS NULL OR length(trim(postal_address)) > 0",
        )


def downgrade():
    with op.batch_alter_table("organisation") as batch:
        batch.drop_constraint(batch.f("ck_organisation_postal_address_not_blank"), type_="check")
        batch.drop_constraint(batch.f("ck_organisation_siret_fourteen_digits"), type_="check")
        batch.drop_constraint(batch.f("uq_organisation_siret"), type_="unique")
        batch.drop_column("postal_address")
        batch.drop_column("siret")
