"""Every figure of the plan, computed by aggregation in the database: the one query module that
the dashboards, the exports and the API go through.

Which day counts (documented here once, shown on the dashboard):
- a request belongs to the French day it was made (`created_at`);
- a rental (a booking checked out: in progress or returned) belongs to the day it starts; its
  rental-days and its price go with it; a person is counted once per table cell;
- the fleet use rate counts, day by day, the vehicle-days of the period: booked (confirmed,
  in progress or returned) over bookable (every vehicle not retired, minus its
  unavailability), both clipped to the period;
- waiting entries belong to the day they were made; outcomes to their rental's start day;
- the age band is the person's age on the rental's (or the request's) first day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, inspect, literal, literal_column, or_, select, text, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import find_tables

from mobility.auth.models import Organisation
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    Outcome,
    OutcomeCheckpoint,
    OutcomeResult,
    LedgerAccount,
    Payment,
    WaitingEntry,
    WaitingStatus,
)
from mobility.core.errors import Invalid
from mobility.core.time import day_span
from mobility.extensions import db
from mobility.fleet.models import Site, Unavailability, Vehicle, VehicleStatus
from mobility.reporting.dimensions import (
    AGE_BANDS,
    PERIODS,
    Breakdown,
    Filters,
    PrescriberKind,
    age_band_on,
    period_bounds,
    period_key_of_instant,
    period_keys,
    prescriber_kind_of,
)
from mobility.reporting.labels import label_keys, organisations
from mobility.reporting.sql import greatest, least, paris_day

S = BookingStatus
RENTAL_STATUSES = (S.IN_PROGRESS, S.RETURNED)
# Statuses that occupied (or will occupy) the vehicle: the numerator of the use rate.
BOOKED_STATUSES = (S.CONFIRMED, S.IN_PROGRESS, S.RETURNED)
# Reached "approved" without the log: every status after it but a cancellation.
APPROVED_STATUSES = (S.APPROVED, S.CONFIRMED, S.IN_PROGRESS, S.RETURNED, S.NO_SHOW)
POSITIVE_RESULTS = (
    OutcomeResult.DURABLE_JOB,
    OutcomeResult.OTHER_JOB,
    OutcomeResult.TRAINING,
    OutcomeResult.MOBILITY_SOLUTION,
)

Prescriber = aliased(Organisation, name="prescriber")
PRESCRIBER_TABLE = inspect(Prescriber).selectable


@dataclass
class Row:
    key: object
    label: str
    values: dict[str, int | float | None]


@dataclass
class Table:
    """One indicator family cut by one breakdown (or none): rows, then the total."""

    family: str
    breakdown: Breakdown | None
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None

    def value(self, key, column):
        for row in self.rows:
            if row.key == key:
                return row.values[column]
        raise KeyError(key)


BOOKING_BREAKDOWNS = frozenset(Breakdown) - {Breakdown.SITE}
FLEET_BREAKDOWNS = frozenset({Breakdown.ASSOCIATION, Breakdown.SITE, Breakdown.CATEGORY, Breakdown.BASIN, *PERIODS})
WAITING_BREAKDOWNS = frozenset(Breakdown) - {Breakdown.SITE, Breakdown.ASSOCIATION}


def _refuse_unless(breakdown: Breakdown | None, allowed: frozenset[Breakdown], family: str) -> None:
    if breakdown is not None and breakdown not in allowed:
        raise Invalid(f"Breakdown {breakdown.value} does not apply to {family}.", field="by")


# Bookings -------------------------------------------------------------------------------


def _booking_key(breakdown: Breakdown | None, instant, filters: Filters):
    """The key of a breakdown for bookings counted on `instant` (their request or start)."""
    if breakdown is None:
        return literal_column("0")
    if breakdown.is_period:
        return period_key_of_instant(breakdown, instant, filters.date_from, filters.date_to)
    return {
        Breakdown.BASIN: Booking.basin_id,
        Breakdown.CATEGORY: Booking.category,
        Breakdown.AGE_BAND: age_band_on(paris_day(instant)),
        Breakdown.PRESCRIBER_KIND: prescriber_kind_of(Prescriber),
        Breakdown.PRESCRIBER: Beneficiary.organisation_id,
        Breakdown.ASSOCIATION: Booking.association_id,
        Breakdown.PURPOSE: Booking.purpose,
    }[breakdown]


def _booking_conditions(filters: Filters, instant) -> list:
    starts, ends = day_span(filters.date_from, filters.date_to)
    conditions = [instant >= starts, instant < ends]
    if filters.basin_id is not None:
        conditions.append(Booking.basin_id == filters.basin_id)
    if filters.category is not None:
        conditions.append(Booking.category == filters.category)
    if filters.association_id is not None:
        conditions.append(Booking.association_id == filters.association_id)
    if filters.prescriber_id is not None:
        conditions.append(Beneficiary.organisation_id == filters.prescriber_id)
    if filters.prescriber_kind is not None:
        conditions.append(prescriber_kind_of(Prescriber) == filters.prescriber_kind.value)
    return conditions


def _booking_select(columns, key, filters: Filters, instant):
    """Bookings of the period, joined to the person and their prescriber only when a column,
    the key or a filter reads them: the totals read the booking rows alone."""
    statement = select(key.label("key"), *columns).select_from(Booking)
    tables = set()
    for expression in (key, *columns):
        clause = expression.__clause_element__() if hasattr(expression, "__clause_element__") else expression
        tables.update(find_tables(clause, check_columns=True, include_aliases=True))
    by_kind = filters.prescriber_kind is not None or PRESCRIBER_TABLE in tables
    needs_person = by_kind or filters.prescriber_id is not None or Beneficiary.__table__ in tables
    if needs_person:
        statement = statement.join(Beneficiary, Beneficiary.id == Booking.beneficiary_id)
    if by_kind:
        statement = statement.join(Prescriber, Prescriber.id == Beneficiary.organisation_id)
    return statement.where(*_booking_conditions(filters, instant))


def tune_for_reporting() -> None:
    """PostgreSQL's JIT compiler costs 15-20 ms a query here and pays back nothing on these
    small groupings, and the default 4 MB of sort memory sends a year of bookings grouped by
    organisation to disk: JIT off and 32 MB for the rest of this transaction (the dashboards'
    and the API's indicators)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)"))


def _grouped(statement, breakdown: Breakdown | None):
    return statement.group_by(literal_column("key")) if breakdown is not None else statement


def _table(family, breakdown, columns, grouped_rows, total_row, filters: Filters, fill_periods=True) -> Table:
    table = Table(family=family, breakdown=breakdown, columns=columns)
    values = {row.key: {column: _number(getattr(row, column)) for column in columns} for row in grouped_rows}
    keys = list(values)
    if breakdown is not None and breakdown.is_period and fill_periods:
        keys = period_keys(breakdown, filters.date_from, filters.date_to)
    labels = label_keys(breakdown, keys)
    for key in sorted(keys, key=lambda k: _sort_key(breakdown, k, labels[k])):
        table.rows.append(Row(key, labels[key], values.get(key, dict.fromkeys(columns, 0))))
    total = {column: _number(getattr(total_row, column)) for column in columns} if total_row else dict.fromkeys(columns, 0)
    table.total = Row(None, "Total", total)
    return table


def _number(value) -> int:
    """Sums come back as Decimal on PostgreSQL and int on SQLite: the same int for both."""
    return int(value or 0)


def _sort_key(breakdown, key, label):
    if breakdown is not None and breakdown.is_period:
        return (key, "")
    if breakdown is Breakdown.AGE_BAND:
        return (AGE_BANDS.index(key), "")
    if breakdown is Breakdown.PRESCRIBER_KIND:
        return (list(PrescriberKind).index(PrescriberKind(key)), "")
    return (0, label)


# Breakdowns that split the people: a person has one prescriber organisation, so sums over
# its groups (distinct people included) are the totals, and no second pass is needed.
PERSON_PARTITIONS = frozenset({Breakdown.PRESCRIBER_KIND, Breakdown.PRESCRIBER})


def _prescriber_kinds(needed) -> dict[int, str]:
    """The prescriber kind of every organisation, from the reporting's organisation cache."""
    return {id_: label.prescriber_kind for id_, label in organisations(needed).items()}


def _with_total(statement_for, breakdown):
    """Grouped rows and the total (distinct counts cannot be summed, except over a partition).

    By prescriber kind the database groups by organisation (an integer, not the kind's CASE
    over text for every booking) and the few organisation rows are folded into their kinds.
    """
    if breakdown not in PERSON_PARTITIONS:
        rows = db.session.execute(_grouped(statement_for(breakdown), breakdown)).all() if breakdown else []
        return rows, db.session.execute(statement_for(None)).one()
    found = db.session.execute(_grouped(statement_for(Breakdown.PRESCRIBER), Breakdown.PRESCRIBER)).all()
    columns = [name for name in (found[0]._fields if found else ()) if name != "key"]
    if breakdown is Breakdown.PRESCRIBER_KIND:
        kinds = _prescriber_kinds([row.key for row in found])
        folded: dict = {}
        for row in found:
            sums = folded.setdefault(kinds[row.key], dict.fromkeys(columns, 0))
            for column in columns:
                sums[column] += _number(getattr(row, column))
        rows = [_Sums({"key": key, **sums}) for key, sums in folded.items()]
    else:
        rows = found
    total = _Sums({column: sum(_number(getattr(row, column)) for row in found) for column in columns}) if found else None
    return rows, total


def requests(filters: Filters, by: Breakdown | None = None) -> Table:
    """Requests made in the period: received, approved, rejected, expired, cancelled."""
    _refuse_unless(by, BOOKING_BREAKDOWNS, "requests")
    ever_approved = (
        select(BookingTransition.id)
        .where(BookingTransition.booking_id == Booking.id, BookingTransition.to_status == S.APPROVED)
        .exists()
    )
    approved = case(
        (Booking.status.in_(APPROVED_STATUSES), 1),
        (and_(Booking.status == S.CANCELLED, ever_approved), 1),
        else_=0,
    )

    def statement(breakdown):
        def count_of(status):
            return func.sum(case((Booking.status == status, 1), else_=0))

        return _booking_select(
            [
                func.count(Booking.id).label("received"),
                func.sum(approved).label("approved"),
                count_of(S.REJECTED).label("rejected"),
                count_of(S.EXPIRED).label("expired"),
                count_of(S.CANCELLED).label("cancelled"),
                func.count(func.distinct(Booking.beneficiary_id)).label("people"),
            ],
            _booking_key(breakdown, Booking.created_at, filters),
            filters,
            Booking.created_at,
        )

    rows, total = _with_total(statement, by)
    return _table("requests", by, ("received", "approved", "rejected", "expired", "cancelled", "people"), rows, total, filters)


def rejection_reasons(filters: Filters) -> list[tuple[str, int]]:
    """Rejections of requests made in the period, by the reason the référent gave (most first).

    Reasons are free text: for the admin's dashboard only, never exported or published.
    """
    reason = func.trim(func.coalesce(BookingTransition.reason, ""))
    statement = (
        _booking_select([func.count(BookingTransition.id).label("count")], reason, filters, Booking.created_at)
        .join(BookingTransition, BookingTransition.booking_id == Booking.id)
        .where(BookingTransition.to_status == S.REJECTED, Booking.status == S.REJECTED)
        .group_by(reason)
        .order_by(func.count(BookingTransition.id).desc(), reason)
    )
    return [(row.key, row.count) for row in db.session.execute(statement)]


def rentals(filters: Filters, by: Breakdown | None = None) -> Table:
    """Rentals starting in the period: count, people, rental-days, price and paid per day."""
    _refuse_unless(by, BOOKING_BREAKDOWNS, "rentals")

    def statement(breakdown):
        return _booking_select(
            [
                func.count(Booking.id).label("rentals"),
                func.count(func.distinct(Booking.beneficiary_id)).label("people"),
                func.sum(Booking.days).label("days"),
                func.sum(Booking.price_cents).label("price_cents"),
            ],
            _booking_key(breakdown, Booking.starts_at, filters),
            filters,
            Booking.starts_at,
        ).where(Booking.status.in_(RENTAL_STATUSES))

    rows, total = _with_total(statement, by)
    # Rent paid, by a join of the period's rentals to their ledger entries: a subquery per
    # rental in the main pass cost more than this whole second pass. Sums add up, so a
    # breakdown's total is the sum of its groups.
    paid = (
        _booking_select(
            [func.sum(Payment.amount_cents).label("paid_cents")],
            _booking_key(by, Booking.starts_at, filters),
            filters,
            Booking.starts_at,
        )
        .join(Payment, Payment.booking_id == Booking.id)
        .where(Booking.status.in_(RENTAL_STATUSES), Payment.account == LedgerAccount.RENT)
    )
    if by is None:
        paid_by_key, paid_total = {}, _number(db.session.execute(paid).one().paid_cents)
    else:
        paid_by_key = {row.key: _number(row.paid_cents) for row in db.session.execute(_grouped(paid, by))}
        paid_total = sum(paid_by_key.values())
    rows = [_Sums({**_fields(row), "paid_cents": paid_by_key.get(row.key, 0)}) for row in rows]
    counted = _fields(total) if total is not None else dict.fromkeys(("rentals", "people", "days", "price_cents"), 0)
    total = _Sums({**counted, "paid_cents": paid_total})
    table = _table("rentals", by, ("rentals", "people", "days", "price_cents", "paid_cents"), rows, total, filters)
    for row in [*table.rows, table.total]:
        days = row.values["days"]
        row.values["price_per_day_cents"] = round(row.values["price_cents"] / days, 2) if days else None
        row.values["paid_per_day_cents"] = round(row.values["paid_cents"] / days, 2) if days else None
    table.columns = (*table.columns, "price_per_day_cents", "paid_per_day_cents")
    return table


# Fleet use ------------------------------------------------------------------------------


def _buckets(filters: Filters, by: Breakdown | None):
    """The periods to count days in, as a little table: (bucket, first day, last day)."""
    if by is not None and by.is_period:
        spans = [(key, *period_bounds(by, key, filters.date_from, filters.date_to)) for key in period_keys(by, filters.date_from, filters.date_to)]
    else:
        spans = [(0, filters.first_day, filters.last_day)]
    # Integers written into the SQL: they come from dates, never from input text.
    rows = [
        select(
            literal_column(str(int(key))).label("bucket"),
            literal_column(str(int(first))).label("first_day"),
            literal_column(str(int(last))).label("last_day"),
        )
        for key, first, last in spans
    ]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("bucket")


def _clipped_days(first_day, last_day, bucket):
    return greatest(least(last_day, bucket.c.last_day) - greatest(first_day, bucket.c.first_day) + 1, 0)


def vehicle_days(filters: Filters, by: Breakdown | None = None, per_vehicle: bool = False):
    """Booked and bookable vehicle-days per vehicle and bucket, as a subquery-ready select."""
    bucket = _buckets(filters, by)
    starts, ends = day_span(filters.date_from, filters.date_to)
    booked = (
        select(
            Booking.vehicle_id.label("vehicle_id"),
            bucket.c.bucket,
            func.sum(_clipped_days(paris_day(Booking.starts_at), paris_day(Booking.ends_at), bucket)).label("days"),
        )
        .join(bucket, literal(True))
        .where(Booking.status.in_(BOOKED_STATUSES), Booking.starts_at < ends, Booking.ends_at > starts)
        .group_by(Booking.vehicle_id, bucket.c.bucket)
        .subquery("booked")
    )
    unavailable = (
        select(
            Unavailability.vehicle_id.label("vehicle_id"),
            bucket.c.bucket,
            func.sum(
                _clipped_days(paris_day(Unavailability.starts_at), paris_day(Unavailability.ends_at, minus_second=True), bucket)
            ).label("days"),
        )
        .join(bucket, literal(True))
        .where(Unavailability.starts_at < ends, Unavailability.ends_at > starts)
        .group_by(Unavailability.vehicle_id, bucket.c.bucket)
        .subquery("unavailable")
    )
    period_days = bucket.c.last_day - bucket.c.first_day + 1
    bookable = period_days - func.coalesce(unavailable.c.days, 0)
    statement = (
        select(Vehicle.id.label("vehicle_id"), bucket.c.bucket)
        .select_from(Vehicle)
        .join(Site, Site.id == Vehicle.site_id)
        .join(bucket, literal(True))
        .outerjoin(booked, and_(booked.c.vehicle_id == Vehicle.id, booked.c.bucket == bucket.c.bucket))
        .outerjoin(unavailable, and_(unavailable.c.vehicle_id == Vehicle.id, unavailable.c.bucket == bucket.c.bucket))
        .where(Vehicle.status != VehicleStatus.RETIRED)
    )
    if filters.association_id is not None:
        statement = statement.where(Vehicle.association_id == filters.association_id)
    if filters.basin_id is not None:
        statement = statement.where(Site.basin_id == filters.basin_id)
    if filters.category is not None:
        statement = statement.where(Vehicle.category == filters.category)
    return statement, func.coalesce(booked.c.days, 0), bookable, bucket


class _Sums:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def _fields(row) -> dict:
    """A result row's or a _Sums' values by name."""
    return dict(vars(row)) if isinstance(row, _Sums) else row._asdict()


def fleet_use(filters: Filters, by: Breakdown | None = None) -> Table:
    """Use rate: booked vehicle-days over bookable vehicle-days (net of unavailability)."""
    _refuse_unless(by, FLEET_BREAKDOWNS, "fleet use")
    statement, booked, bookable, bucket = vehicle_days(filters, by)
    key = {
        None: literal_column("0"),
        Breakdown.ASSOCIATION: Vehicle.association_id,
        Breakdown.SITE: Vehicle.site_id,
        Breakdown.CATEGORY: Vehicle.category,
        Breakdown.BASIN: Site.basin_id,
    }.get(by, bucket.c.bucket)
    statement = statement.with_only_columns(
        key.label("key"),
        func.sum(booked).label("booked_days"),
        func.sum(bookable).label("bookable_days"),
        func.count(func.distinct(Vehicle.id)).label("vehicles"),
    )
    rows = db.session.execute(statement.group_by(literal_column("key"))).all() if by else []
    if by is not None and not by.is_period:
        # These groups split the vehicles: the total is their sum, no second query.
        total = _Sums({c: sum(_number(getattr(row, c)) for row in rows) for c in ("booked_days", "bookable_days", "vehicles")})
    else:
        total = db.session.execute(statement.with_only_columns(
            func.sum(booked).label("booked_days"),
            func.sum(bookable).label("bookable_days"),
            func.count(func.distinct(Vehicle.id)).label("vehicles"),
        )).one()
    table = _table("fleet_use", by, ("booked_days", "bookable_days", "vehicles"), rows, total, filters)
    for row in [*table.rows, table.total]:
        bookable_days = row.values["bookable_days"]
        row.values["use_rate"] = round(row.values["booked_days"] / bookable_days, 4) if bookable_days else None
    table.columns = (*table.columns, "use_rate")
    return table


# Waiting queue --------------------------------------------------------------------------


def waiting(filters: Filters, by: Breakdown | None = None) -> Table:
    """Waiting entries made in the period, and how many ended with a vehicle."""
    _refuse_unless(by, WAITING_BREAKDOWNS, "waiting")
    day = paris_day(WaitingEntry.created_at)
    starts, ends = day_span(filters.date_from, filters.date_to)

    def statement(breakdown):
        if breakdown is None:
            key = literal_column("0")
        elif breakdown.is_period:
            key = period_key_of_instant(breakdown, WaitingEntry.created_at, filters.date_from, filters.date_to)
        else:
            key = {
                Breakdown.BASIN: WaitingEntry.basin_id,
                Breakdown.CATEGORY: WaitingEntry.category,
                Breakdown.AGE_BAND: age_band_on(day),
                Breakdown.PRESCRIBER_KIND: prescriber_kind_of(Prescriber),
                Breakdown.PRESCRIBER: Beneficiary.organisation_id,
                Breakdown.PURPOSE: WaitingEntry.purpose,
            }[breakdown]
        got_vehicle = or_(WaitingEntry.status == WaitingStatus.ACCEPTED, WaitingEntry.booking_id.is_not(None))
        conditions = [WaitingEntry.created_at >= starts, WaitingEntry.created_at < ends]
        if filters.basin_id is not None:
            conditions.append(WaitingEntry.basin_id == filters.basin_id)
        if filters.category is not None:
            conditions.append(WaitingEntry.category == filters.category)
        if filters.prescriber_id is not None:
            conditions.append(Beneficiary.organisation_id == filters.prescriber_id)
        if filters.prescriber_kind is not None:
            conditions.append(prescriber_kind_of(Prescriber) == filters.prescriber_kind.value)
        if filters.association_id is not None:
            # The queue is a basin's, not an association's: none to show in an association's scope.
            conditions.append(literal(False))
        return (
            select(
                key.label("key"),
                func.count(WaitingEntry.id).label("entries"),
                func.sum(case((got_vehicle, 1), else_=0)).label("got_vehicle"),
                func.sum(case((WaitingEntry.status.in_((WaitingStatus.WAITING, WaitingStatus.OFFERED)), 1), else_=0)).label(
                    "still_waiting"
                ),
            )
            .select_from(WaitingEntry)
            .join(Beneficiary, Beneficiary.id == WaitingEntry.beneficiary_id)
            .join(Prescriber, Prescriber.id == Beneficiary.organisation_id)
            .where(*conditions)
        )

    rows, total = _with_total(statement, by)
    return _table("waiting", by, ("entries", "got_vehicle", "still_waiting"), rows, total, filters)


# Outcomes -------------------------------------------------------------------------------

OUTCOME_COLUMNS = tuple(result.value for result in OutcomeResult)


def outcomes(filters: Filters, checkpoint: OutcomeCheckpoint, by: Breakdown | None = None) -> Table:
    """Outcomes recorded at one checkpoint for the rentals starting in the period.

    `known` leaves out `unknown`; `positive_rate` is positive outcomes among the known ones.
    """
    _refuse_unless(by, BOOKING_BREAKDOWNS, "outcomes")

    def statement(breakdown):
        counts = [
            func.sum(case((Outcome.result == result, 1), else_=0)).label(result.value) for result in OutcomeResult
        ]
        return (
            _booking_select(
                [*counts, func.count(Outcome.id).label("recorded")],
                _booking_key(breakdown, Booking.starts_at, filters),
                filters,
                Booking.starts_at,
            )
            .join(Outcome, Outcome.booking_id == Booking.id)
            .where(Booking.status.in_(RENTAL_STATUSES), Outcome.checkpoint == checkpoint)
        )

    rows, total = _with_total(statement, by)
    table = _table(f"outcomes_{checkpoint.value}", by, (*OUTCOME_COLUMNS, "recorded"), rows, total, filters)
    for row in [*table.rows, table.total]:
        _add_rates(row.values)
    table.columns = (*table.columns, "known", "positive", "positive_rate")
    return table


def _add_rates(values: dict) -> dict:
    known = values["recorded"] - values[OutcomeResult.UNKNOWN.value]
    values["known"] = known
    values["positive"] = positive = sum(values[result.value] for result in POSITIVE_RESULTS)
    values["positive_rate"] = round(positive / known, 4) if known else None
    return values


def outcomes_by_checkpoint(filters: Filters) -> dict[OutcomeCheckpoint, dict]:
    """The totals of `outcomes` for the three checkpoints, in one query."""
    counts = [func.sum(case((Outcome.result == result, 1), else_=0)).label(result.value) for result in OutcomeResult]
    statement = (
        _booking_select([*counts, func.count(Outcome.id).label("recorded")], Outcome.checkpoint, filters, Booking.starts_at)
        .join(Outcome, Outcome.booking_id == Booking.id)
        .where(Booking.status.in_(RENTAL_STATUSES))
        .group_by(Outcome.checkpoint)
    )
    found = {row.key: row for row in db.session.execute(statement)}
    columns = (*OUTCOME_COLUMNS, "recorded")
    return {
        checkpoint: _add_rates({c: _number(getattr(found[checkpoint], c)) if checkpoint in found else 0 for c in columns})
        for checkpoint in OutcomeCheckpoint
    }


# Cross tables (public variants) --------------------------------------------------------


@dataclass
class Crosstab:
    row_keys: list
    row_labels: list[str]
    column_keys: list
    cells: list[list[int]]


def rentals_crosstab(filters: Filters, rows_by: Breakdown, columns_by: Breakdown, measure: str, column_keys=None) -> Crosstab:
    """Rentals (measure "rentals"), people ("people") or days ("days") by two breakdowns.

    Without column_keys, the columns are the keys found, in the breakdown's order.
    """
    return rentals_crosstabs(filters, rows_by, columns_by, (measure,), column_keys)[measure]


def rentals_crosstabs(filters: Filters, rows_by: Breakdown, columns_by: Breakdown, measures, column_keys=None) -> dict[str, Crosstab]:
    """Several measures of the same cross table, in one query."""
    expressions = {
        "rentals": func.count(Booking.id),
        "people": func.count(func.distinct(Booking.beneficiary_id)),
        "days": func.sum(Booking.days),
    }
    column_key = _booking_key(columns_by, Booking.starts_at, filters)
    statement = (
        _booking_select(
            [column_key.label("column_key"), *(expressions[m].label(m) for m in measures)],
            _booking_key(rows_by, Booking.starts_at, filters),
            filters,
            Booking.starts_at,
        )
        .where(Booking.status.in_(RENTAL_STATUSES))
        .group_by(literal_column("key"), literal_column("column_key"))
    )
    found = db.session.execute(statement).all()
    values = {(row.key, row.column_key): row for row in found}
    row_keys = list({row.key for row in found})
    labels = label_keys(rows_by, row_keys)
    row_keys.sort(key=lambda k: _sort_key(rows_by, k, labels[k]))
    if column_keys is None:
        column_keys = list({row.column_key for row in found})
        column_labels = label_keys(columns_by, column_keys)
        column_keys.sort(key=lambda k: _sort_key(columns_by, k, column_labels[k]))
    column_keys = list(column_keys)
    tables = {}
    for measure in measures:
        cells = [
            [_number(getattr(values[(r, c)], measure)) if (r, c) in values else 0 for c in column_keys] for r in row_keys
        ]
        tables[measure] = Crosstab(row_keys, [labels[k] for k in row_keys], column_keys, cells)
    return tables
