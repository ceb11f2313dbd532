"""Bookings hold their vehicle for the time it is really out: held_from / held_until.

held_from is the booked start, or the check-out when the vehicle left earlier; held_until is the
booked end, or the return once the vehicle is back. The no-double-booking guards of the booking
migration now read these columns instead of the booked period:

- PostgreSQL: the exclusion constraint booking_no_overlap on tstzrange(held_from, held_until);
  the triggers against unavailabilities compare the held period.
- SQLite: the same triggers, on the held period.
- Both: a new guard, booking_while_out_overdue, refuses a holding booking written onto a vehicle
  still out on a rental past its end. "Past its end" is judged at the row's own write time
  (updated_at, which the application's clock sets on every insert and update), not the
  database's clock, so that the guard and the services agree (and frozen-time tests see it).
  It fires on an insert, or an update that changes the vehicle or the held period, or revives a
  booking; approving or confirming a booking already there is not refused by it.

Existing rows: held_from = starts_at, held_until = ends_at; a returned booking keeps its real
check-out (when earlier) and return moments from its handovers; an in-progress one its early
check-out when nothing else holds the vehicle then.

Revision ID: d30000000001
Revises: d40000000002
Create Date: 2026-12-02 03:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "d30000000001"
down_revision = "d40000000002"
branch_labels = None
depends_on = None

HOLDING = "('requested', 'approved', 'confirmed', 'in_progress')"
OVERLAP_MESSAGE = "booking_overlap: the vehicle is already held on this period"
UNAVAILABLE_MESSAGE = "booking_over_unavailability: the vehicle is unavailable on this period"
UNAVAILABILITY_MESSAGE = "unavailability_over_booking: a booking holds the vehicle on this period"
OUT_OVERDUE_MESSAGE = "booking_while_out_overdue: the vehicle is still out on a rental past its end"
# SQLite cannot add a NOT NULL column without a constant default; every write sets the value.
SQLITE_PLACEHOLDER = "'1970-01-01 00:00:00.000000'"

CHECKS = {
    "ck_booking_held_until_not_before_held_from": "held_until >= held_from",
    "ck_booking_held_from_the_booked_start_or_earlier": "held_from <= starts_at",
}


def _backfill():
    op.execute("UPDATE booking SET held_from = starts_at, held_until = ends_at")
    check_out = "SELECT h.recorded_at FROM handover AS h WHERE h.booking_id = booking.id AND h.kind = 'check_out'"
    back = "SELECT h.recorded_at FROM handover AS h WHERE h.booking_id = booking.id AND h.kind = 'return'"
    op.execute(
        f"UPDATE booking SET held_from = ({check_out}) "
        f"WHERE status IN ('returned', 'in_progress') AND ({check_out}) < starts_at "
        "AND (status = 'returned' OR NOT EXISTS ("
        "SELECT 1 FROM booking AS other WHERE other.vehicle_id = booking.vehicle_id AND other.id <> booking.id "
        f"AND other.status IN {HOLDING} AND other.held_from < booking.starts_at "
        f"AND other.held_until > ({check_out})))"
    )
    op.execute(
        f"UPDATE booking SET held_until = ({back}) "
        f"WHERE status = 'returned' AND ({back}) >= held_from"
    )


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    _old_guards_down(postgresql)
    if postgresql:
        op.add_column("booking", sa.Column("held_from", sa.DateTime(timezone=True), nullable=True))
        op.add_column("booking", sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))
        _backfill()
        op.alter_column("booking", "held_from", nullable=False)
        op.alter_column("booking", "held_until", nullable=False)
        for name, condition in CHECKS.items():
            op.execute(f"ALTER TABLE booking ADD CONSTRAINT {name} CHECK ({condition})")
    else:
        # SQLite: a column's CHECK may be given when adding it (no table rebuild, which
        # foreign keys from payments, handovers… would forbid).
        op.execute(f"ALTER TABLE booking ADD COLUMN held_from DATETIME NOT NULL DEFAULT {SQLITE_PLACEHOLDER}")
        name, condition = "ck_booking_held_until_not_before_held_from", CHECKS["ck_booking_held_until_not_before_held_from"]
        other, other_condition = (
            "ck_booking_held_from_the_booked_start_or_earlier",
            CHECKS["ck_booking_held_from_the_booked_start_or_earlier"],
        )
        op.execute(
            f"ALTER TABLE booking ADD COLUMN held_until DATETIME NOT NULL DEFAULT {SQLITE_PLACEHOLDER} "
            f"CONSTRAINT {name} CHECK ({condition}) CONSTRAINT {other} CHECK ({other_condition})"
        )
        _backfill()
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_booking_holding_vehicle_ends_at",
            sqlite_where=sa.text(f"status IN {HOLDING}"),
            postgresql_where=sa.text(f"status IN {HOLDING}"),
        )
        batch_op.create_index(
            "ix_booking_holding_vehicle_held_until",
            ["vehicle_id", "held_until"],
            unique=False,
            sqlite_where=sa.text(f"status IN {HOLDING}"),
            postgresql_where=sa.text(f"status IN {HOLDING}"),
        )
    _guards_up(postgresql)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    _guards_down(postgresql)
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_booking_holding_vehicle_held_until",
            sqlite_where=sa.text(f"status IN {HOLDING}"),
            postgresql_where=sa.text(f"status IN {HOLDING}"),
        )
        batch_op.create_index(
            "ix_booking_holding_vehicle_ends_at",
            ["vehicle_id", "ends_at"],
            unique=False,
            sqlite_where=sa.text(f"status IN {HOLDING}"),
            postgresql_where=sa.text(f"status IN {HOLDING}"),
        )
    if postgresql:
        for name in CHECKS:
            op.execute(f"ALTER TABLE booking DROP CONSTRAINT {name}")
    # SQLite (3.35+) drops a column whose CHECK names only itself and columns that stay, in place.
    op.execute("ALTER TABLE booking DROP COLUMN held_until")
    op.execute("ALTER TABLE booking DROP COLUMN held_from")
    _old_guards_up(postgresql)


# Guards ----------------------------------------------------------------------------------------


def _guards_sql(postgresql: bool, start: str, end: str, with_out_overdue: bool) -> list[str]:
    """The guards of the booking migration, on the given period columns (booked or held)."""
    if postgresql:
        statements = [
            "ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist "
            f"(vehicle_id WITH =, tstzrange({start}, {end}, '[)') WITH &&) WHERE (status IN {HOLDING})",
            f"""
            CREATE FUNCTION booking_refuse_unavailable() RETURNS trigger AS $$
            BEGIN
                PERFORM 1 FROM vehicle WHERE id = NEW.vehicle_id FOR NO KEY UPDATE;
                IF EXISTS (
                    SELECT 1 FROM unavailability
                    WHERE vehicle_id = NEW.vehicle_id
                      AND starts_at < NEW.{end} AND ends_at > NEW.{start}
                ) THEN
                    RAISE EXCEPTION '{UNAVAILABLE_MESSAGE}' USING ERRCODE = 'exclusion_violation';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """,
            "CREATE TRIGGER booking_not_over_unavailability BEFORE INSERT OR UPDATE ON booking "
            f"FOR EACH ROW WHEN (NEW.status IN {HOLDING}) EXECUTE FUNCTION booking_refuse_unavailable()",
            f"""
            CREATE FUNCTION unavailability_refuse_booked() RETURNS trigger AS $$
            BEGIN
                PERFORM 1 FROM vehicle WHERE id = NEW.vehicle_id FOR NO KEY UPDATE;
                IF EXISTS (
                    SELECT 1 FROM booking
                    WHERE vehicle_id = NEW.vehicle_id AND status IN {HOLDING}
                      AND {start} < NEW.ends_at AND {end} > NEW.starts_at
                ) THEN
                    RAISE EXCEPTION '{UNAVAILABILITY_MESSAGE}' USING ERRCODE = 'exclusion_violation';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """,
            "CREATE TRIGGER unavailability_not_over_booking BEFORE INSERT OR UPDATE ON unavailability "
            "FOR EACH ROW EXECUTE FUNCTION unavailability_refuse_booked()",
        ]
        if with_out_overdue:
            statements += [
                f"""
                CREATE FUNCTION booking_refuse_while_out_overdue() RETURNS trigger AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' AND OLD.status IN {HOLDING}
                       AND NEW.vehicle_id = OLD.vehicle_id
                       AND NEW.held_from = OLD.held_from AND NEW.held_until = OLD.held_until THEN
                        RETURN NEW;
                    END IF;
                    PERFORM 1 FROM vehicle WHERE id = NEW.vehicle_id FOR NO KEY UPDATE;
                    IF EXISTS (
                        SELECT 1 FROM booking AS away
                        WHERE away.vehicle_id = NEW.vehicle_id AND away.id <> NEW.id
                          AND away.status = 'in_progress' AND away.held_until <= NEW.updated_at
                          AND NEW.held_until > away.held_until
                    ) THEN
                        RAISE EXCEPTION '{OUT_OVERDUE_MESSAGE}' USING ERRCODE = 'exclusion_violation';
                    END IF;
                    RETURN NEW;
                END;
                $$ LANGUAGE plpgsql
                """,
                "CREATE TRIGGER booking_not_while_out_overdue BEFORE INSERT OR UPDATE ON booking "
                f"FOR EACH ROW WHEN (NEW.status IN {HOLDING}) EXECUTE FUNCTION booking_refuse_while_out_overdue()",
            ]
        return statements
    overlap = (
        "SELECT 1 FROM booking AS other WHERE other.vehicle_id = NEW.vehicle_id "
        f"AND other.id IS NOT NEW.id AND other.status IN {HOLDING} "
        f"AND other.{start} < NEW.{end} AND other.{end} > NEW.{start}"
    )
    unavailable = (
        "SELECT 1 FROM unavailability AS u WHERE u.vehicle_id = NEW.vehicle_id "
        f"AND u.starts_at < NEW.{end} AND u.ends_at > NEW.{start}"
    )
    booked = (
        "SELECT 1 FROM booking AS b WHERE b.vehicle_id = NEW.vehicle_id "
        f"AND b.status IN {HOLDING} AND b.{start} < NEW.ends_at AND b.{end} > NEW.starts_at"
    )
    statements = []
    for event in ("INSERT", "UPDATE"):
        suffix = event.lower()
        statements += [
            f"CREATE TRIGGER booking_no_overlap_{suffix} BEFORE {event} ON booking "
            f"WHEN NEW.status IN {HOLDING} AND EXISTS ({overlap}) "
            f"BEGIN SELECT RAISE(ABORT, '{OVERLAP_MESSAGE}'); END",
            f"CREATE TRIGGER booking_not_over_unavailability_{suffix} BEFORE {event} ON booking "
            f"WHEN NEW.status IN {HOLDING} AND EXISTS ({unavailable}) "
            f"BEGIN SELECT RAISE(ABORT, '{UNAVAILABLE_MESSAGE}'); END",
            f"CREATE TRIGGER unavailability_not_over_booking_{suffix} BEFORE {event} ON unavailability "
            f"WHEN EXISTS ({booked}) "
            f"BEGIN SELECT RAISE(ABORT, '{UNAVAILABILITY_MESSAGE}'); END",
        ]
    if with_out_overdue:
        out_overdue = (
            "SELECT 1 FROM booking AS away WHERE away.vehicle_id = NEW.vehicle_id AND away.id IS NOT NEW.id "
            "AND away.status = 'in_progress' AND away.held_until <= NEW.updated_at "
            "AND NEW.held_until > away.held_until"
        )
        changed = (
            f"(OLD.status NOT IN {HOLDING} OR NEW.vehicle_id IS NOT OLD.vehicle_id "
            "OR NEW.held_from IS NOT OLD.held_from OR NEW.held_until IS NOT OLD.held_until)"
        )
        statements += [
            "CREATE TRIGGER booking_while_out_overdue_insert BEFORE INSERT ON booking "
            f"WHEN NEW.status IN {HOLDING} AND EXISTS ({out_overdue}) "
            f"BEGIN SELECT RAISE(ABORT, '{OUT_OVERDUE_MESSAGE}'); END",
            "CREATE TRIGGER booking_while_out_overdue_update BEFORE UPDATE ON booking "
            f"WHEN NEW.status IN {HOLDING} AND {changed} AND EXISTS ({out_overdue}) "
            f"BEGIN SELECT RAISE(ABORT, '{OUT_OVERDUE_MESSAGE}'); END",
        ]
    return statements


def _drop_sql(postgresql: bool, with_out_overdue: bool) -> list[str]:
    if postgresql:
        statements = [
            "DROP TRIGGER unavailability_not_over_booking ON unavailability",
            "DROP FUNCTION unavailability_refuse_booked()",
            "DROP TRIGGER booking_not_over_unavailability ON booking",
            "DROP FUNCTION booking_refuse_unavailable()",
            "ALTER TABLE booking DROP CONSTRAINT booking_no_overlap",
        ]
        if with_out_overdue:
            statements += [
                "DROP TRIGGER booking_not_while_out_overdue ON booking",
                "DROP FUNCTION booking_refuse_while_out_overdue()",
            ]
        return statements
    statements = []
    for suffix in ("insert", "update"):
        statements += [
            f"DROP TRIGGER booking_no_overlap_{suffix}",
            f"DROP TRIGGER booking_not_over_unavailability_{suffix}",
            f"DROP TRIGGER unavailability_not_over_booking_{suffix}",
        ]
        if with_out_overdue:
            statements.append(f"DROP TRIGGER booking_while_out_overdue_{suffix}")
    return statements


def _old_guards_down(postgresql: bool) -> None:
    for statement in _drop_sql(postgresql, with_out_overdue=False):
        op.execute(statement)


def _old_guards_up(postgresql: bool) -> None:
    for statement in _guards_sql(postgresql, "starts_at", "ends_at", with_out_overdue=False):
        op.execute(statement)


def _guards_up(postgresql: bool) -> None:
    for statement in _guards_sql(postgresql, "held_from", "held_until", with_out_overdue=True):
        op.execute(statement)


def _guards_down(postgresql: bool) -> None:
    for statement in _drop_sql(postgresql, with_out_overdue=True):
        op.execute(statement)
