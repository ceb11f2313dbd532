"""Which months of a period are read from the monthly summaries, and how to read them.

A month is read from its summaries when it lies whole inside the period, has been summarised
with the current definition (SUMMARY_VERSION) and no source row touching it changed since
(no reporting_stale_month row: the triggers write one on every change). Every other day of
the period (the month under way, the ends of a period that cut a month, a month changed since)
is read from the bookings themselves, so a figure is always the same as a full recount.

`mobility.reporting.summarise` writes the summaries (the nightly job); this module only reads.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g, has_app_context
from sqlalchemy import exists, literal_column, select

from mobility.core.time import local, local_midnight
from mobility.extensions import db
from mobility.reporting.dimensions import Breakdown, Filters, prescriber_kind_of
from mobility.reporting.models import StaleMonth, SummaryMonth

# Raise it when what a summary row holds changes: months written before are then stale.
SUMMARY_VERSION = 1


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def first_day_of(month: int) -> date:
    return date(month // 100, month % 100, 1)


def next_month(month: int) -> int:
    year, number = divmod(month, 100)
    return (year + 1) * 100 + 1 if number == 12 else month + 1


def previous_month(month: int) -> int:
    year, number = divmod(month, 100)
    return (year - 1) * 100 + 12 if number == 1 else month - 1


def month_instants(month: int) -> tuple[datetime, datetime]:
    """The UTC instants of Paris midnight on the month's 1st and on the next month's 1st."""
    return local_midnight(first_day_of(month)), local_midnight(first_day_of(next_month(month)))


def whole_months(first: date, last: date) -> list[int]:
    """The months lying whole between two French days (both included)."""
    months = []
    month = month_key(first) if first.day == 1 else next_month(month_key(first))
    while first_day_of(next_month(month)) - timedelta(days=1) <= last:
        months.append(month)
        month = next_month(month)
    return months


@dataclass(frozen=True)
class Coverage:
    """A period split in two: months read from the summaries, instant ranges read live.

    `live_from`, one per live range: no booking or unavailability that meets the range
    started before it (None: not known, read from the beginning)."""

    months: tuple[int, ...]
    live: tuple[tuple[datetime, datetime], ...]  # half-open [start, end) UTC instants
    live_from: tuple[datetime | None, ...] = ()


def fresh_months(months) -> dict[int, datetime | None]:
    """The fresh summarised months among these, with their `crossing_from`."""
    if not months:
        return {}
    stale = exists().where(StaleMonth.month == SummaryMonth.month)
    statement = select(SummaryMonth.month, SummaryMonth.crossing_from).where(
        SummaryMonth.month.in_(sorted(set(months))), SummaryMonth.version == SUMMARY_VERSION, ~stale
    )
    return dict(db.session.execute(statement).all())


def starts_no_earlier_than(instant: datetime, fresh: dict[int, datetime | None]) -> datetime | None:
    """What meets the time from `instant` on started at or after the returned instant: its
    month's first instant, or earlier if a booking or unavailability ran past the end of the
    month before (known when that month is fresh)."""
    month = month_key(local(instant).date())
    before = previous_month(month)
    if before not in fresh:
        return None
    first = month_instants(month)[0]
    crossing = fresh[before]
    return first if crossing is None else min(first, crossing)


def coverage(filters: Filters) -> Coverage:
    """The fresh summarised months of the period, and the rest of it as instant ranges."""
    cache = g.get("_reporting_coverage") if has_app_context() else None
    key = (filters.date_from, filters.date_to)
    if cache is not None and key in cache:
        return cache[key]
    candidates = whole_months(filters.date_from, filters.date_to)
    # The months before each possible start of a live range, for their bounds.
    befores = {previous_month(month_key(filters.date_from))} | {month for month in candidates}
    fresh = fresh_months([*candidates, *befores])
    months = sorted(month for month in candidates if month in fresh)
    live, cursor = [], local_midnight(filters.date_from)
    end = local_midnight(filters.date_to + timedelta(days=1))
    for month in months:
        starts_at, ends_at = month_instants(month)
        if starts_at > cursor:
            live.append((cursor, starts_at))
        cursor = ends_at
    if cursor < end:
        live.append((cursor, end))
    found = Coverage(tuple(months), tuple(live), tuple(starts_no_earlier_than(start, fresh) for start, _end in live))
    if cache is not None:
        cache[key] = found
    return found


@contextmanager
def one_reading():
    """Within it, the split of a period is looked up once: a dashboard's dozen figures read
    the same months. Outside, every figure looks again (a change may have come in between)."""
    previous = g.get("_reporting_coverage")
    g._reporting_coverage = {}
    try:
        yield
    finally:
        g._reporting_coverage = previous


def summary_key(model, breakdown: Breakdown | None, prescriber):
    """The key of a breakdown over a summary table (PRESCRIBER_KIND: the prescriber's kind)."""
    if breakdown is None:
        return literal_column("0")
    return {
        Breakdown.MONTH: model.month,
        Breakdown.QUARTER: model.month // 100 * 10 + (model.month % 100 - 1) // 3 + 1,
        Breakdown.YEAR: model.month // 100,
        Breakdown.BASIN: model.basin_id,
        Breakdown.CATEGORY: model.category,
        Breakdown.AGE_BAND: model.age_band,
        Breakdown.PRESCRIBER_KIND: prescriber_kind_of(prescriber),
        Breakdown.PRESCRIBER: model.prescriber_id,
        Breakdown.ASSOCIATION: model.association_id,
        Breakdown.PURPOSE: model.purpose,
    }[breakdown]


def summary_select(model, columns, breakdown: Breakdown | None, filters: Filters, months, prescriber, key=None, join_prescriber=False):
    """Summary rows of the given months, cut by a breakdown (or a key of the caller's) and
    narrowed by the filters; `join_prescriber` when a column reads the prescriber."""
    key = summary_key(model, breakdown, prescriber) if key is None else key
    statement = select(key.label("key"), *columns).select_from(model).where(model.month.in_(months))
    if join_prescriber or breakdown is Breakdown.PRESCRIBER_KIND or filters.prescriber_kind is not None:
        statement = statement.join(prescriber, prescriber.id == model.prescriber_id)
    if filters.prescriber_kind is not None:
        statement = statement.where(prescriber_kind_of(prescriber) == filters.prescriber_kind.value)
    if filters.basin_id is not None:
        statement = statement.where(model.basin_id == filters.basin_id)
    if filters.category is not None:
        statement = statement.where(model.category == filters.category)
    if filters.association_id is not None:
        statement = statement.where(model.association_id == filters.association_id)
    if filters.prescriber_id is not None:
        statement = statement.where(model.prescriber_id == filters.prescriber_id)
    return statement
