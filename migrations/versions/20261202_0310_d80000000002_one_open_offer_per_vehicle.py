"""Waiting queue: one open offer per vehicle at a time (issue 11: a vehicle is held for its
offer and never offered to two people at once).

Revision ID: d80000000002
Revises: d80000000001
Create Date: 2026-12-02 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d80000000002"
down_revision = "d80000000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "uq_waiting_entry_one_open_offer_per_vehicle",
        "waiting_entry",
        ["offered_vehicle_id"],
        unique=True,
        sqlite_where=sa.text("status = 'offered'"),
        postgresql_where=sa.text("status = 'offered'"),
    )


def downgrade():
    op.drop_index("uq_waiting_entry_one_open_offer_per_vehicle", table_name="waiting_entry")
