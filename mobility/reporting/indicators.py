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

from dataclasses import dataclass

from sqlalchemy import and_, case, func, inspect, literal, literal_column, or_, select
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
from mobility.core.time import day_span
from mobility.extensions import db
from mobility.reporting.dimensions import (
    Breakdown,
    Filters,
    age_band_on,
    period_key_of_instant,
    prescriber_kind_of,
)
from mobility.reporting import summary
from mobility.reporting.fleet_use import (  # noqa: F401 (the fleet use is read through this module too)
    BOOKED_STATUSES,
    FLEET_BREAKDOWNS,
    booked_days_per_vehicle,
    day_buckets,
    fleet_use,
    unavailable_days_per_vehicle,
    vehicle_days,
)
from mobility.reporting.labels import label_keys, organisations
from mobility.reporting.models import OutcomeMonth, RentalMonth, RequestMonth
from mobility.reporting.sql import paris_day
from mobility.reporting.tables import (
    Row,  # noqa: F401 (part of this module's answers)
    Sums,
    Table,
    added_up,
    fields_of,
    grouped,
    number,
    refuse_unless,
    sort_key,
    table_of,
)

S = BookingStatus
RENTAL_STATUSES = (S.IN_PROGRESS, S.RETURNED)
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


BOOKING_BREAKDOWNS = frozenset(Breakdown) - {Breakdown.SITE}
WAITING_BREAKDOWNS = frozenset(Breakdown) - {Breakdown.SITE, Breakdown.ASSOCIATION}


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
        rows = db.session.execute(grouped(statement_for(breakdown), breakdown)).all() if breakdown else []
        return rows, db.session.execute(statement_for(None)).one()
    found = db.session.execute(grouped(statement_for(Breakdown.PRESCRIBER), Breakdown.PRESCRIBER)).all()
    columns = [name for name in (found[0]._fields if found else ()) if name != "key"]
    if breakdown is Breakdown.PRESCRIBER_KIND:
        kinds = _prescriber_kinds([row.key for row in found])
        folded: dict = {}
        for row in found:
            sums = folded.setdefault(kinds[row.key], dict.fromkeys(columns, 0))
            for column in columns:
                sums[column] += number(getattr(row, column))
        rows = [Sums({"key": key, **sums}) for key, sums in folded.items()]
    else:
        rows = found
    total = Sums({column: sum(number(getattr(row, column)) for row in found) for column in columns}) if found else None
    return rows, total


def _summed(breakdown: Breakdown | None, statements) -> tuple[list, "Sums | None"]:
    """Rows of columns that add up (no distinct counts), from several sources cut the same
    way (the live days, the summarised months), added up by key in one statement; and their
    total. By prescriber kind the sources are cut by organisation and folded into kinds here."""
    group_by = Breakdown.PRESCRIBER if breakdown is Breakdown.PRESCRIBER_KIND else breakdown
    found = added_up([grouped(statement(group_by), group_by) for statement in statements])
    sums = {key[0]: values for key, values in found.items()}
    columns = list(next(iter(sums.values()), {}))
    if breakdown is Breakdown.PRESCRIBER_KIND:
        kinds = _prescriber_kinds(list(sums))
        folded: dict = {}
        for key, values in sums.items():
            into = folded.setdefault(kinds[key], dict.fromkeys(columns, 0))
            for column, value in values.items():
                into[column] += value
        sums = folded
    total = Sums({c: sum(values[c] for values in sums.values()) for c in columns}) if sums else None
    rows = [Sums({"key": key, **values}) for key, values in sums.items()] if breakdown is not None else []
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


def _merged(columns, *parts) -> tuple[list, "Sums | None"]:
    """One table's rows and total put together, by key, from queries that each read some of
    its columns ((rows, total) pairs); 0 where a query has no row for a key."""
    values: dict = {}
    totals: dict = {}
    for rows, total in parts:
        for row in rows:
            values.setdefault(row.key, {}).update(fields_of(row))
        if total is not None:
            totals.update(fields_of(total))
    zeros = dict.fromkeys(columns, 0)
    merged_rows = [Sums({**zeros, **row}) for row in values.values()]
    return merged_rows, (Sums({**zeros, **totals}) if totals else None)


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
    refuse_unless(by, BOOKING_BREAKDOWNS, "requests")
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
        return table_of("requests", by, columns, rows, total, filters)

    def summarised(breakdown, months):
        return summary.summary_select(RequestMonth, _summary_columns(RequestMonth, REQUEST_COUNTS), breakdown, filters, months, Prescriber)

    rows, total = _summed(by, _sources(cover, live, summarised))
    if people:
        people_rows, people_total = _with_total(lambda breakdown: live(breakdown, None, with_counts=False, with_people=True), by)
        rows, total = _merged(columns, (rows, total), (people_rows, people_total))
    return table_of("requests", by, columns, rows, total, filters)


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
    refuse_unless(by, BOOKING_BREAKDOWNS, "rentals")
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
    table = table_of("rentals", by, columns, rows, total, filters)
    for row in [*table.rows, table.total]:
        days = row.values["days"]
        row.values["price_per_day_cents"] = round(row.values["price_cents"] / days, 2) if days else None
        row.values["paid_per_day_cents"] = round(row.values["paid_cents"] / days, 2) if days else None
    table.columns = (*table.columns, "price_per_day_cents", "paid_per_day_cents")
    return table


# Waiting queue --------------------------------------------------------------------------


def waiting(filters: Filters, by: Breakdown | None = None) -> Table:
    """Waiting entries made in the period, and how many ended with a vehicle."""
    refuse_unless(by, WAITING_BREAKDOWNS, "waiting")
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
    return table_of("waiting", by, ("entries", "got_vehicle", "still_waiting"), rows, total, filters)


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
    refuse_unless(by, BOOKING_BREAKDOWNS, "outcomes")
    cover = summary.coverage(filters)

    def live(breakdown, ranges):
        key = _booking_key(breakdown, Booking.starts_at, filters)
        return _live_outcomes(filters, key, ranges).where(Outcome.checkpoint == checkpoint)

    def summarised(breakdown, months):
        return _summarised_outcomes(filters, breakdown, months).where(OutcomeMonth.checkpoint == checkpoint)

    rows, total = _summed(by, _sources(cover, live, summarised))
    table = table_of(f"outcomes_{checkpoint.value}", by, (*OUTCOME_COLUMNS, "recorded"), rows, total, filters)
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
    """The totals of `outcomes` for the three checkpoints, in one query per source."""
    cover = summary.coverage(filters)
    statements = []
    if cover.live:
        statements.append(_live_outcomes(filters, Outcome.checkpoint, cover.live).group_by(Outcome.checkpoint))
    if cover.months:
        statements.append(
            _summarised_outcomes(filters, None, cover.months, key=OutcomeMonth.checkpoint).group_by(OutcomeMonth.checkpoint)
        )
    found = {key[0]: values for key, values in added_up(statements).items()}
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
    found = [
        Sums({"key": key, "column_key": column, **sums})
        for (key, column), sums in added_up(statements, keys=("key", "column_key")).items()
    ]
    values = {(row.key, row.column_key): row for row in found}
    row_keys = list({row.key for row in found})
    labels = label_keys(rows_by, row_keys)
    row_keys.sort(key=lambda k: sort_key(rows_by, k, labels[k]))
    if column_keys is None:
        column_keys = list({row.column_key for row in found})
        column_labels = label_keys(columns_by, column_keys)
        column_keys.sort(key=lambda k: sort_key(columns_by, k, column_labels[k]))
    column_keys = list(column_keys)
    tables = {}
    for measure in measures:
        cells = [
            [number(getattr(values[(r, c)], measure)) if (r, c) in values else 0 for c in column_keys] for r in row_keys
        ]
        tables[measure] = Crosstab(row_keys, [labels[k] for k in row_keys], column_keys, cells)
    return tables
