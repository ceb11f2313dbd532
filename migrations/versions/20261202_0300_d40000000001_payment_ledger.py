"""Payments become an append-only ledger: signed entries per account (rent, deposit), refunds of
rent and of the deposit, and reversals that name the entry they cancel.

- payment.account: what the entry moves ('rent' or 'deposit'); refunds are stored negative, so a
  balance is a SUM. Rows written before: deposit refunds change sign.
- A reversal (kind 'reversal') names its entry through a foreign key over (id, account, amount)
  with reversed_amount_cents = -amount_cents: same account, exactly the opposite amount; a unique
  key on reverses_id lets an entry be reversed once; its reason is required.
- Triggers refuse UPDATE and DELETE of any entry (as audit_event's), on both databases.

Revision ID: d40000000001
Revises: d80000000003
Create Date: 2026-12-02 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d40000000001"
down_revision = "d80000000003"
branch_labels = None
depends_on = None

KINDS_BEFORE = "'rental', 'deposit', 'deposit_refund'"
KINDS_AFTER = "'rental', 'deposit', 'rental_refund', 'deposit_refund', 'reversal'"
MESSAGE = "payment_append_only: a payment entry is never changed nor deleted; reverse it instead"


def upgrade():
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("reverses_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reversed_amount_cents", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.alter_column("receipt_number", existing_type=sa.String(length=40), nullable=True)
        batch_op.drop_constraint(batch_op.f("ck_payment_amount_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_payment_payment_kind"), type_="check")
    op.execute("UPDATE payment SET account = CASE WHEN kind = 'rental' THEN 'rent' ELSE 'deposit' END")
    op.execute("UPDATE payment SET amount_cents = -amount_cents WHERE kind = 'deposit_refund'")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.alter_column("account", existing_type=sa.String(length=7), nullable=False)
        batch_op.create_check_constraint("payment_kind", f"kind IN ({KINDS_AFTER})")
        batch_op.create_check_constraint("payment_account", "account IN ('rent', 'deposit')")
        batch_op.create_check_constraint(
            "amount_sign_of_kind",
            "(kind IN ('rental', 'deposit') AND amount_cents > 0)"
            " OR (kind IN ('rental_refund', 'deposit_refund') AND amount_cents < 0)"
            " OR (kind = 'reversal' AND amount_cents <> 0)",
        )
        batch_op.create_check_constraint(
            "account_of_kind",
            "kind = 'reversal'"
            " OR (kind IN ('rental', 'rental_refund') AND account = 'rent')"
            " OR (kind IN ('deposit', 'deposit_refund') AND account = 'deposit')",
        )
        batch_op.create_check_constraint(
            "reversal_names_entry_and_reason",
            "(kind = 'reversal' AND reverses_id IS NOT NULL AND reversed_amount_cents = -amount_cents"
            " AND length(trim(coalesce(reason, ''))) > 0)"
            " OR (kind <> 'reversal' AND reverses_id IS NULL AND reversed_amount_cents IS NULL"
            " AND receipt_number IS NOT NULL)",
        )
        batch_op.create_unique_constraint("uq_payment_reverses_id", ["reverses_id"])
        batch_op.create_unique_constraint("uq_payment_id_account_amount", ["id", "account", "amount_cents"])
    # A step of its own: on SQLite the copied table's self-reference needs the key above in place.
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_payment_reversal_same_account_amount",
            "payment",
            ["reverses_id", "account", "reversed_amount_cents"],
            ["id", "account", "amount_cents"],
        )
    _append_only()


def _append_only():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION payment_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER payment_append_only BEFORE UPDATE OR DELETE ON payment "
            "FOR EACH ROW EXECUTE FUNCTION payment_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER payment_no_{event.lower()} BEFORE {event} ON payment "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER payment_append_only ON payment")
        op.execute("DROP FUNCTION payment_refuse_change()")
    else:
        op.execute("DROP TRIGGER payment_no_update")
        op.execute("DROP TRIGGER payment_no_delete")
    # The old table has no place for reversals nor rent refunds: they go, deposit refunds turn
    # positive again. (A downgrade loses the corrections; the entries they corrected stay.)
    op.execute("DELETE FROM payment WHERE kind IN ('reversal', 'rental_refund')")
    op.execute("UPDATE payment SET amount_cents = -amount_cents WHERE kind = 'deposit_refund'")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_constraint("fk_payment_reversal_same_account_amount", type_="foreignkey")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_constraint("uq_payment_id_account_amount", type_="unique")
        batch_op.drop_constraint("uq_payment_reverses_id", type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_payment_reversal_names_entry_and_reason"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_payment_account_of_kind"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_payment_amount_sign_of_kind"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_payment_payment_account"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_payment_payment_kind"), type_="check")
        batch_op.create_check_constraint("payment_kind", f"kind IN ({KINDS_BEFORE})")
        batch_op.create_check_constraint("amount_positive", "amount_cents > 0")
        batch_op.alter_column("receipt_number", existing_type=sa.String(length=40), nullable=False)
        batch_op.drop_column("reason")
        batch_op.drop_column("reversed_amount_cents")
        batch_op.drop_column("reverses_id")
        batch_op.drop_column("account")
