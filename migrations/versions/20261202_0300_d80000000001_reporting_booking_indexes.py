"""Reporting: indexes on bookings' request day and start day (issue 12: the dashboard's and the
export's speed).

Revision ID: d80000000001
Revises: d70000000001
Create Date: 2026-12-02 03:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "d80000000001"
down_revision = "d70000000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_booking_created_at", "booking", ["created_at"])
    op.create_index("ix_booking_starts_at_id", "booking", ["starts_at", "id"])


def downgrade():
    op.drop_index("ix_booking_starts_at_id", table_name="booking")
    op.drop_index("ix_booking_created_at", table_name="booking")
