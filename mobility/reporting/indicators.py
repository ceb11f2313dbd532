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
from datetime import timedelta

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
from mobility.core.time import day_span, local
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
from mobility.reporting import summary
from mobility.reporting.labels import label_keys, organisations
from mobility.reporting.models import OutcomeMonth, RentalMonth, RequestMonth, VehicleMonth
from mobility.reporting.sql import day_number, greatest, least, paris_day

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


def in_ranges(instant, ranges) -> object:
    """The instant lies in one of the half-open [start, end) ranges."""
    return or_(*(and_(instant >= start, instant < end) for start, end in ranges))


def _booking_conditions(filters: Filters, instant, ranges=None) -> list:
    if ranges is None:
        ranges = [day_span(filters.date_from, filters.date_to)]
    conditions = [in_ranges(instant, ranges)]
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


def _booking_select(columns, key, filters: Filters, instant, ranges=None):
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
    return statement.where(*_booking_conditions(filters, instant, ranges))


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


def _summed(breakdown: Breakdown | None, statements) -> tuple[list, "_Sums | None"]:
    """Rows of columns that add up (no distinct counts), from several sources cut the same
    way (the live days, the summarised months), added up by key; and their total.

    By prescriber kind the sources are cut by organisation and folded into kinds here."""
    group_by = Breakdown.PRESCRIBER if breakdown is Breakdown.PRESCRIBER_KIND else breakdown
    sums: dict = {}
    columns: dict[str, None] = {}  # every source's columns, in order
    for statement in statements:
        for row in db.session.execute(_grouped(statement(group_by), group_by)):
            values = row._asdict()
            key = values.pop("key")
            columns.update(dict.fromkeys(values))
            into = sums.setdefault(key, {})
            for column, value in values.items():
                into[column] = into.get(column, 0) + _number(value)
    if breakdown is Breakdown.PRESCRIBER_KIND:
        kinds = _prescriber_kinds(list(sums))
        folded: dict = {}
        for key, values in sums.items():
            into = folded.setdefault(kinds[key], dict.fromkeys(columns, 0))
            for column, value in values.items():
                into[column] = into.get(column, 0) + value
        sums = folded
    total = _Sums({c: sum(values.get(c, 0) for values in sums.values()) for c in columns}) if sums else None
    zeros = dict.fromkeys(columns, 0)
    rows = [_Sums({**zeros, "key": key, **values}) for key, values in sums.items()] if breakdown is not None else []
    return rows, total


def _sources(cover, live_for, summary_for) -> list:
    """The statements to add up: the live ranges (if any) and the summarised months (if any)."""
    statements = []
    if cover.live:
        statements.append(lambda breakdown: live_for(breakdown, cover.live))
    if cover.months:
        statements.append(lambda breakdown: summary_for(breakdown, cover.months))
    return statements


def _summary_columns(model, names) -> list:
    return [func.sum(getattr(model, name)).label(name) for name in names]


def _merged(columns, *parts) -> tuple[list, "_Sums | None"]:
    """One table's rows and total put together, by key, from queries that each read some of
    its columns ((rows, total) pairs); 0 where a query has no row for a key."""
    values: dict = {}
    totals: dict = {}
    for rows, total in parts:
        for row in rows:
            values.setdefault(row.key, {}).update(_fields(row))
        if total is not None:
            totals.update(_fields(total))
    zeros = dict.fromkeys(columns, 0)
    merged_rows = [_Sums({**zeros, **row}) for row in values.values()]
    return merged_rows, (_Sums({**zeros, **totals}) if totals else None)


def approved_case():
    """1 when the request was approved at some point (a cancellation after approval included)."""
    ever_approved = (
        select(BookingTransition.id)
        .where(BookingTransition.booking_id == Booking.id, BookingTransition.to_status == S.APPROVED)
        .exists()
    )
    return case(
        (Booking.status.in_(APPROVED_STATUSES), 1),
        (and_(Booking.status == S.CANCELLED, ever_approved), 1),
        else_=0,
    )


REQUEST_COUNTS = ("received", "approved", "rejected", "expired", "cancelled")


def request_counts() -> list:
    """What requests add up to, over booking rows: also what the summaries are written with."""

    def count_of(status):
        return func.sum(case((Booking.status == status, 1), else_=0))

    return [
        func.count(Booking.id).label("received"),
        func.sum(approved_case()).label("approved"),
        count_of(S.REJECTED).label("rejected"),
        count_of(S.EXPIRED).label("expired"),
        count_of(S.CANCELLED).label("cancelled"),
    ]


def requests(filters: Filters, by: Breakdown | None = None, people: bool = True) -> Table:
    """Requests made in the period: received, approved, rejected, expired, cancelled; and the
    people who made them (`people=False` leaves that count out, and reads fewer bookings)."""
    _refuse_unless(by, BOOKING_BREAKDOWNS, "requests")
    columns = (*REQUEST_COUNTS, "people") if people else REQUEST_COUNTS
    people_column = func.count(func.distinct(Booking.beneficiary_id)).label("people")
    cover = summary.coverage(filters)

    def live(breakdown, ranges, with_counts=True, with_people=False):
        return _booking_select(
            [*(request_counts() if with_counts else ()), *((people_column,) if with_people else ())],
            _booking_key(breakdown, Booking.created_at, filters),
            filters,
            Booking.created_at,
            ranges,
        )

    if not cover.months:
        rows, total = _with_total(lambda breakdown: live(breakdown, cover.live, with_people=people), by)
        return _table("requests", by, columns, rows, total, filters)

    def summarised(breakdown, months):
        return summary.summary_select(RequestMonth, _summary_columns(RequestMonth, REQUEST_COUNTS), breakdown, filters, months, Prescriber)

    rows, total = _summed(by, _sources(cover, live, summarised))
    if people:
        people_rows, people_total = _with_total(lambda breakdown: live(breakdown, None, with_counts=False, with_people=True), by)
        rows, total = _merged(columns, (rows, total), (people_rows, people_total))
    return _table("requests", by, columns, rows, total, filters)


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


RENTAL_SUMS = ("rentals", "days", "price_cents")


def rental_sums() -> list:
    """What rentals add up to, over booking rows: also what the summaries are written with."""
    return [
        func.count(Booking.id).label("rentals"),
        func.sum(Booking.days).label("days"),
        func.sum(Booking.price_cents).label("price_cents"),
    ]


def rentals(filters: Filters, by: Breakdown | None = None) -> Table:
    """Rentals starting in the period: count, people, rental-days, price and paid per day."""
    _refuse_unless(by, BOOKING_BREAKDOWNS, "rentals")
    columns = ("rentals", "people", "days", "price_cents", "paid_cents")
    people_column = func.count(func.distinct(Booking.beneficiary_id)).label("people")
    cover = summary.coverage(filters)

    def live(breakdown, ranges, with_counts=True, with_people=False):
        return _booking_select(
            [*(rental_sums() if with_counts else ()), *((people_column,) if with_people else ())],
            _booking_key(breakdown, Booking.starts_at, filters),
            filters,
            Booking.starts_at,
            ranges,
        ).where(Booking.status.in_(RENTAL_STATUSES))

    def live_paid(breakdown, ranges):
        # Rent paid, by a join of the rentals to their ledger entries: a subquery per rental
        # in the main pass cost more than this whole second pass.
        return (
            _booking_select(
                [func.sum(Payment.amount_cents).label("paid_cents")],
                _booking_key(breakdown, Booking.starts_at, filters),
                filters,
                Booking.starts_at,
                ranges,
            )
            .join(Payment, Payment.booking_id == Booking.id)
            .where(Booking.status.in_(RENTAL_STATUSES), Payment.account == LedgerAccount.RENT)
        )

    def summarised(breakdown, months):
        return summary.summary_select(
            RentalMonth, _summary_columns(RentalMonth, (*RENTAL_SUMS, "paid_cents")), breakdown, filters, months, Prescriber
        )

    paid = [lambda breakdown: live_paid(breakdown, cover.live)] if cover.live else []
    if cover.months:
        # People cannot be added up month by month: counted over the whole period, live.
        counted = _with_total(lambda breakdown: live(breakdown, None, with_counts=False, with_people=True), by)
        summed = _summed(by, [*_sources(cover, live, summarised), *paid])
    else:
        counted = _with_total(lambda breakdown: live(breakdown, cover.live, with_people=True), by)
        summed = _summed(by, paid)
    rows, total = _merged(columns, counted, summed)
    table = _table("rentals", by, columns, rows, total, filters)
    for row in [*table.rows, table.total]:
        days = row.values["days"]
        row.values["price_per_day_cents"] = round(row.values["price_cents"] / days, 2) if days else None
        row.values["paid_per_day_cents"] = round(row.values["paid_cents"] / days, 2) if days else None
    table.columns = (*table.columns, "price_per_day_cents", "paid_per_day_cents")
    return table


# Fleet use ------------------------------------------------------------------------------


def day_buckets(spans, by: Breakdown | None = None):
    """The stretches of days to count in, as a little table: (bucket, period, first day, last
    day). `spans` are (first, last) French days; by a period breakdown each span is cut at the
    periods' bounds. `period` is the period's key (0 for none)."""
    found = []
    for first, last in spans:
        if by is not None and by.is_period:
            found += [(key, *period_bounds(by, key, first, last)) for key in period_keys(by, first, last)]
        else:
            found.append((0, day_number(first), day_number(last)))
    # Integers written into the SQL: they come from dates, never from input text.
    rows = [
        select(
            literal_column(str(number)).label("bucket"),
            literal_column(str(int(key))).label("period"),
            literal_column(str(int(first))).label("first_day"),
            literal_column(str(int(last))).label("last_day"),
        )
        for number, (key, first, last) in enumerate(found)
    ]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("bucket")


def _clipped_days(first_day, last_day, bucket):
    return greatest(least(last_day, bucket.c.last_day) - greatest(first_day, bucket.c.first_day) + 1, 0)


def _overlapping(starts_column, ends_column, ranges, bounds=()):
    """The row's [starts, ends) meets one of the half-open instant ranges. A range's bound,
    when known, is an instant no row meeting it started before: the index on the start reads
    from there instead of from the beginning of the history."""
    bounds = list(bounds) or [None] * len(ranges)
    return or_(
        *(
            and_(starts_column < end, ends_column > start, *([starts_column >= bound] if bound is not None else []))
            for (start, end), bound in zip(ranges, bounds)
        )
    )


def booked_days_per_vehicle(bucket, ranges, bounds=()):
    """Booked days per vehicle and bucket, clipped to it: the numerator of the use rate.
    `ranges`: the instant ranges the buckets cover, to read only the bookings that meet them."""
    return (
        select(
            Booking.vehicle_id.label("vehicle_id"),
            bucket.c.bucket,
            func.sum(_clipped_days(paris_day(Booking.starts_at), paris_day(Booking.ends_at), bucket)).label("days"),
        )
        .join(bucket, literal(True))
        .where(Booking.status.in_(BOOKED_STATUSES), _overlapping(Booking.starts_at, Booking.ends_at, ranges, bounds))
        .group_by(Booking.vehicle_id, bucket.c.bucket)
    )


def unavailable_days_per_vehicle(bucket, ranges, bounds=()):
    """Days of unavailability per vehicle and bucket, clipped to it."""
    return (
        select(
            Unavailability.vehicle_id.label("vehicle_id"),
            bucket.c.bucket,
            func.sum(
                _clipped_days(paris_day(Unavailability.starts_at), paris_day(Unavailability.ends_at, minus_second=True), bucket)
            ).label("days"),
        )
        .join(bucket, literal(True))
        .where(_overlapping(Unavailability.starts_at, Unavailability.ends_at, ranges, bounds))
        .group_by(Unavailability.vehicle_id, bucket.c.bucket)
    )


def _vehicle_filters(statement, filters: Filters):
    if filters.association_id is not None:
        statement = statement.where(Vehicle.association_id == filters.association_id)
    if filters.basin_id is not None:
        statement = statement.where(Site.basin_id == filters.basin_id)
    if filters.category is not None:
        statement = statement.where(Vehicle.category == filters.category)
    return statement


def vehicle_days(filters: Filters, by: Breakdown | None = None, spans=None, bounds=()):
    """Booked and bookable vehicle-days per vehicle in service and bucket (see `day_buckets`),
    as a subquery-ready select; `bounds` as in `_overlapping`, one per span."""
    spans = spans or [(filters.date_from, filters.date_to)]
    bucket = day_buckets(spans, by)
    ranges = [day_span(first, last) for first, last in spans]
    booked = booked_days_per_vehicle(bucket, ranges, bounds).subquery("booked")
    unavailable = unavailable_days_per_vehicle(bucket, ranges, bounds).subquery("unavailable")
    period_days = bucket.c.last_day - bucket.c.first_day + 1
    bookable = period_days - func.coalesce(unavailable.c.days, 0)
    statement = (
        select(Vehicle.id.label("vehicle_id"), bucket.c.period)
        .select_from(Vehicle)
        .join(Site, Site.id == Vehicle.site_id)
        .join(bucket, literal(True))
        .outerjoin(booked, and_(booked.c.vehicle_id == Vehicle.id, booked.c.bucket == bucket.c.bucket))
        .outerjoin(unavailable, and_(unavailable.c.vehicle_id == Vehicle.id, unavailable.c.bucket == bucket.c.bucket))
        .where(Vehicle.status != VehicleStatus.RETIRED)
    )
    return _vehicle_filters(statement, filters), func.coalesce(booked.c.days, 0), bookable, bucket


def _summarised_vehicle_days(filters: Filters, by: Breakdown | None, months):
    """The same over the summarised months: each vehicle in service joined to its month rows
    (none: no booked and no unavailable day that month)."""
    rows = []
    for month in months:
        first = summary.first_day_of(month)
        days = (summary.first_day_of(summary.next_month(month)) - first).days
        period = period_keys(by, first, first)[0] if by is not None and by.is_period else 0
        rows.append(
            select(
                literal_column(str(int(month))).label("month"),
                literal_column(str(int(period))).label("period"),
                literal_column(str(int(days))).label("days"),
            )
        )
    month_table = (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("summarised_month")
    statement = (
        select(Vehicle.id.label("vehicle_id"), month_table.c.period)
        .select_from(Vehicle)
        .join(Site, Site.id == Vehicle.site_id)
        .join(month_table, literal(True))
        .outerjoin(VehicleMonth, and_(VehicleMonth.vehicle_id == Vehicle.id, VehicleMonth.month == month_table.c.month))
        .where(Vehicle.status != VehicleStatus.RETIRED)
    )
    booked = func.coalesce(VehicleMonth.booked_days, 0)
    bookable = month_table.c.days - func.coalesce(VehicleMonth.unavailable_days, 0)
    return _vehicle_filters(statement, filters), booked, bookable, month_table


def _live_spans(cover) -> list[tuple]:
    """The French days of the live instant ranges (they run from midnight to midnight)."""
    return [(local(start).date(), local(end).date() - timedelta(days=1)) for start, end in cover.live]


class _Sums:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def _fields(row) -> dict:
    """A result row's or a _Sums' values by name."""
    return dict(vars(row)) if isinstance(row, _Sums) else row._asdict()


def fleet_use(filters: Filters, by: Breakdown | None = None) -> Table:
    """Use rate: booked vehicle-days over bookable vehicle-days (net of unavailability)."""
    _refuse_unless(by, FLEET_BREAKDOWNS, "fleet use")
    cover = summary.coverage(filters)
    sources = []
    if cover.live:
        sources.append(vehicle_days(filters, by, _live_spans(cover), cover.live_from))
    if cover.months:
        sources.append(_summarised_vehicle_days(filters, by, cover.months))
    sums: dict = {}
    for statement, booked, bookable, buckets in sources:
        key = {
            None: literal_column("0"),
            Breakdown.ASSOCIATION: Vehicle.association_id,
            Breakdown.SITE: Vehicle.site_id,
            Breakdown.CATEGORY: Vehicle.category,
            Breakdown.BASIN: Site.basin_id,
        }.get(by, buckets.c.period)
        statement = statement.with_only_columns(
            key.label("key"),
            func.sum(booked).label("booked_days"),
            func.sum(bookable).label("bookable_days"),
            func.count(func.distinct(Vehicle.id)).label("vehicles"),
        )
        for row in db.session.execute(_grouped(statement, by)):
            into = sums.setdefault(row.key, {"booked_days": 0, "bookable_days": 0, "vehicles": 0})
            into["booked_days"] += _number(row.booked_days)
            into["bookable_days"] += _number(row.bookable_days)
            # Every source holds every vehicle in service of the group: counted once.
            into["vehicles"] = max(into["vehicles"], _number(row.vehicles))
    rows = [_Sums({"key": key, **values}) for key, values in sums.items()] if by is not None else []
    total = {
        "booked_days": sum(v["booked_days"] for v in sums.values()),
        "bookable_days": sum(v["bookable_days"] for v in sums.values()),
        # Groups other than periods split the vehicles; each period holds all of them.
        "vehicles": (max if by is None or by.is_period else sum)([0, *(v["vehicles"] for v in sums.values())]),
    }
    table = _table("fleet_use", by, ("booked_days", "bookable_days", "vehicles"), rows, _Sums(total), filters)
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


def _live_outcomes(filters: Filters, key, ranges):
    counts = [func.sum(case((Outcome.result == result, 1), else_=0)).label(result.value) for result in OutcomeResult]
    return (
        _booking_select([*counts, func.count(Outcome.id).label("recorded")], key, filters, Booking.starts_at, ranges)
        .join(Outcome, Outcome.booking_id == Booking.id)
        .where(Booking.status.in_(RENTAL_STATUSES))
    )


def _summarised_outcomes(filters: Filters, breakdown, months, key=None):
    counts = [
        func.sum(case((OutcomeMonth.result == result, OutcomeMonth.count), else_=0)).label(result.value) for result in OutcomeResult
    ]
    return summary.summary_select(
        OutcomeMonth, [*counts, func.sum(OutcomeMonth.count).label("recorded")], breakdown, filters, months, Prescriber, key=key
    )


def outcomes(filters: Filters, checkpoint: OutcomeCheckpoint, by: Breakdown | None = None) -> Table:
    """Outcomes recorded at one checkpoint for the rentals starting in the period.

    `known` leaves out `unknown`; `positive_rate` is positive outcomes among the known ones.
    """
    _refuse_unless(by, BOOKING_BREAKDOWNS, "outcomes")
    cover = summary.coverage(filters)

    def live(breakdown, ranges):
        key = _booking_key(breakdown, Booking.starts_at, filters)
        return _live_outcomes(filters, key, ranges).where(Outcome.checkpoint == checkpoint)

    def summarised(breakdown, months):
        return _summarised_outcomes(filters, breakdown, months).where(OutcomeMonth.checkpoint == checkpoint)

    rows, total = _summed(by, _sources(cover, live, summarised))
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


def _added_up(statements) -> dict:
    """Rows of grouped statements added up by their key (a tuple of the key columns)."""
    sums: dict = {}
    for statement in statements:
        for row in db.session.execute(statement):
            values = row._asdict()
            key = tuple(values.pop(name) for name in [n for n in values if n in ("key", "column_key")])
            into = sums.setdefault(key, {})
            for column, value in values.items():
                into[column] = into.get(column, 0) + _number(value)
    return sums


def outcomes_by_checkpoint(filters: Filters) -> dict[OutcomeCheckpoint, dict]:
    """The totals of `outcomes` for the three checkpoints, in one query per source."""
    cover = summary.coverage(filters)
    statements = []
    if cover.live:
        statements.append(_live_outcomes(filters, Outcome.checkpoint, cover.live).group_by(Outcome.checkpoint))
    if cover.months:
        statements.append(
            _summarised_outcomes(filters, None, cover.months, key=OutcomeMonth.checkpoint).group_by(OutcomeMonth.checkpoint)
        )
    found = {key[0]: values for key, values in _added_up(statements).items()}
    columns = (*OUTCOME_COLUMNS, "recorded")
    return {
        checkpoint: _add_rates({c: found[checkpoint].get(c, 0) if checkpoint in found else 0 for c in columns})
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
    """Several measures of the same cross table, in one query per source.

    Rentals and days add up month by month and come from the summaries where they can; a
    cross table of people is counted live."""
    expressions = {
        "rentals": func.count(Booking.id),
        "people": func.count(func.distinct(Booking.beneficiary_id)),
        "days": func.sum(Booking.days),
    }
    cover = summary.coverage(filters) if "people" not in measures else summary.Coverage((), (day_span(filters.date_from, filters.date_to),))
    statements = []
    if cover.live:
        column_key = _booking_key(columns_by, Booking.starts_at, filters)
        statements.append(
            _booking_select(
                [column_key.label("column_key"), *(expressions[m].label(m) for m in measures)],
                _booking_key(rows_by, Booking.starts_at, filters),
                filters,
                Booking.starts_at,
                cover.live,
            )
            .where(Booking.status.in_(RENTAL_STATUSES))
            .group_by(literal_column("key"), literal_column("column_key"))
        )
    if cover.months:
        column_key = summary.summary_key(RentalMonth, columns_by, Prescriber)
        statements.append(
            summary.summary_select(
                RentalMonth,
                [column_key.label("column_key"), *_summary_columns(RentalMonth, measures)],
                rows_by,
                filters,
                cover.months,
                Prescriber,
                join_prescriber=columns_by is Breakdown.PRESCRIBER_KIND,
            ).group_by(literal_column("key"), literal_column("column_key"))
        )
    found = [_Sums({"key": key, "column_key": column, **sums}) for (key, column), sums in _added_up(statements).items()]
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
