"""Indexes of the lists that are read a page at a time (issue 13).

Each replaces a one-column index it starts with (so writes pay no extra index):
- booking(created_at, id): référents' and admins' bookings, latest request first;
- booking(status, created_at, id): a status's bookings in request order (the approval
  queue, a status filter), instead of booking(status);
- booking(association_id, starts_at, id): an association's bookings, latest departure
  first, and the period filter, instead of booking(association_id);
- booking(association_id, status, starts_at, id): an association's bookings in one status
  in date order (the fleet's work lists, their counts, the fleet home page);
- beneficiary(organisation_id, sort_key, id): an organisation's files in French
  alphabetical order (accents ignored: the sort key), instead of beneficiary(organisation_id);
- beneficiary(first_name, last_name) for the name search ("contains", any case): on
  PostgreSQL a trigram GIN index (pg_trgm), so the search does not read every file; SQLite
  has no trigrams and gets an ordinary index of the same columns.

Revision ID: d10000000001
Revises: d50000000001
Create Date: 2026-12-02 03:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "d10000000001"
down_revision = "d50000000001"
branch_labels = None
depends_on = None

# The operator class is named with the extension's schema: the database may run with a
# search_path that does not hold it (the extension is installed once per database).
NAME_TRGM = "CREATE INDEX ix_beneficiary_name_trgm ON beneficiary USING gin (first_name {ops}, last_name {ops})"
EXTENSION_SCHEMA = (
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = 'pg_trgm'"
)


def upgrade():
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index("ix_booking_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_booking_status_created_at", ["status", "created_at", "id"], unique=False)
        batch_op.create_index("ix_booking_association_starts_at", ["association_id", "starts_at", "id"], unique=False)
        batch_op.create_index(
            "ix_booking_association_status_starts_at", ["association_id", "status", "starts_at", "id"], unique=False
        )
        batch_op.drop_index("ix_booking_status")
        batch_op.drop_index("ix_booking_association_id")
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.create_index(
            "ix_beneficiary_organisation_name", ["organisation_id", "sort_key", "id"], unique=False
        )
        batch_op.drop_index("ix_beneficiary_organisation_id")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema = op.get_bind().execute(sa.text(EXTENSION_SCHEMA)).scalar_one()
        op.execute(NAME_TRGM.format(ops=f'"{schema}".gin_trgm_ops'))
    else:
        op.create_index("ix_beneficiary_name_trgm", "beneficiary", ["first_name", "last_name"], unique=False)


def downgrade():
    op.drop_index("ix_beneficiary_name_trgm", table_name="beneficiary")
    with op.batch_alter_table("beneficiary", schema=None) as batch_op:
        batch_op.create_index("ix_beneficiary_organisation_id", ["organisation_id"], unique=False)
        batch_op.drop_index("ix_beneficiary_organisation_name")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index("ix_booking_association_id", ["association_id"], unique=False)
        batch_op.create_index("ix_booking_status", ["status"], unique=False)
        batch_op.drop_index("ix_booking_association_status_starts_at")
        batch_op.drop_index("ix_booking_association_starts_at")
        batch_op.drop_index("ix_booking_status_created_at")
        batch_op.drop_index("ix_booking_created_at_id")
