"""The fleet use rate: booked vehicle-days over bookable vehicle-days, net of unavailability,
day by day, clipped to the period; from the monthly summaries for the fresh whole months and
from the bookings and unavailabilities for the rest (mobility.reporting.summary).

Read through `mobility.reporting.indicators`, the one query module of the figures."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, literal, literal_column, or_, select, union_all

from mobility.booking.models import Booking, BookingStatus
from mobility.core.time import day_span, local
from mobility.fleet.models import Site, Unavailability, Vehicle, VehicleStatus
from mobility.reporting import summary
from mobility.reporting.dimensions import PERIODS, Breakdown, Filters, period_bounds, period_keys
from mobility.reporting.models import VehicleMonth
from mobility.reporting.sql import day_number, greatest, least, paris_day
from mobility.reporting.tables import Sums, Table, added_up, grouped, refuse_unless, table_of

S = BookingStatus
# Statuses that occupied (or will occupy) the vehicle: the numerator of the use rate.
BOOKED_STATUSES = (S.CONFIRMED, S.IN_PROGRESS, S.RETURNED)
FLEET_BREAKDOWNS = frozenset({Breakdown.ASSOCIATION, Breakdown.SITE, Breakdown.CATEGORY, Breakdown.BASIN, *PERIODS})


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


def fleet_use(filters: Filters, by: Breakdown | None = None) -> Table:
    """Use rate: booked vehicle-days over bookable vehicle-days (net of unavailability)."""
    refuse_unless(by, FLEET_BREAKDOWNS, "fleet use")
    cover = summary.coverage(filters)
    sources = []
    if cover.live:
        sources.append(vehicle_days(filters, by, _live_spans(cover), cover.live_from))
    if cover.months:
        sources.append(_summarised_vehicle_days(filters, by, cover.months))
    parts = []
    for statement, booked, bookable, buckets in sources:
        key = {
            None: literal_column("0"),
            Breakdown.ASSOCIATION: Vehicle.association_id,
            Breakdown.SITE: Vehicle.site_id,
            Breakdown.CATEGORY: Vehicle.category,
            Breakdown.BASIN: Site.basin_id,
        }.get(by, buckets.c.period)
        columns = (
            key.label("key"),
            func.sum(booked).label("booked_days"),
            func.sum(bookable).label("bookable_days"),
            func.count(func.distinct(Vehicle.id)).label("vehicles"),
        )
        parts.append(grouped(statement.with_only_columns(*columns), by))
    # Every source holds every vehicle in service of the group: counted once, not added.
    sums = {key[0]: values for key, values in added_up(parts, largest=("vehicles",)).items()}
    rows = [Sums({"key": key, **values}) for key, values in sums.items()] if by is not None else []
    total = {
        "booked_days": sum(v["booked_days"] for v in sums.values()),
        "bookable_days": sum(v["bookable_days"] for v in sums.values()),
        # Groups other than periods split the vehicles; each period holds all of them.
        "vehicles": (max if by is None or by.is_period else sum)([0, *(v["vehicles"] for v in sums.values())]),
    }
    table = table_of("fleet_use", by, ("booked_days", "bookable_days", "vehicles"), rows, Sums(total), filters)
    for row in [*table.rows, table.total]:
        bookable_days = row.values["bookable_days"]
        row.values["use_rate"] = round(row.values["booked_days"] / bookable_days, 4) if bookable_days else None
    table.columns = (*table.columns, "use_rate")
    return table
