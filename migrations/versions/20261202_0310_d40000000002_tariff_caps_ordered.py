"""Tariffs hold together: daily rate <= weekly cap <= monthly cap (CHECK).

Revision ID: d40000000002
Revises: d40000000001
Create Date: 2026-12-02 03:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "d40000000002"
down_revision = "d40000000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tariff", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "caps_ordered", "daily_cents <= weekly_cap_cents AND weekly_cap_cents <= monthly_cap_cents"
        )


def downgrade():
    with op.batch_alter_table("tariff", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tariff_caps_ordered"), type_="check")
