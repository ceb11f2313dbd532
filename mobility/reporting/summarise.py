"""Writing the monthly summaries that `mobility.reporting.summary` reads (the nightly job).

A month is (re)written when it has ended and has no summary yet, was written with an older
definition, or was marked stale by the triggers since. Each month is written in a transaction
of its own, from the same SQL expressions as the live figures (`indicators`), so a summary and
a recount agree by construction; the tests check that they do.

On PostgreSQL the month's source tables are locked in SHARE mode while it is written: writers
in flight finish first (their change is then read), writers that come after wait a few
milliseconds and, once the month is summarised, their triggers mark it stale. Nothing can slip
between the recount and the summary. SQLite holds one writer at a time anyway.
"""

from __future__ import annotations

import logging
import time as clock
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, literal, or_, select, text
from sqlalchemy.exc import OperationalError

from mobility.beneficiaries.models import Beneficiary
from mobility.booking.models import Booking, LedgerAccount, Outcome, Payment
from mobility.core.time import local, utcnow
from mobility.extensions import db
from mobility.fleet.models import Unavailability, Vehicle
from mobility.reporting import indicators, summary
from mobility.reporting.dimensions import age_band_on
from mobility.reporting.models import OutcomeMonth, RentalMonth, RequestMonth, StaleMonth, SummaryMonth, VehicleMonth
from mobility.reporting.sql import paris_day

log = logging.getLogger(__name__)

# The tables whose rows the summaries are computed from (the triggers watch the same ones).
SOURCE_TABLES = ("booking", "booking_transition", "payment", "booking_outcome", "unavailability", "beneficiary")


@dataclass
class Refreshed:
    months: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # busy: left for the next run
    seconds: float = 0.0


def _cut(instant) -> list:
    """The summary's dimensions over booking rows joined to their person."""
    return [
        Booking.basin_id,
        Booking.category,
        Booking.association_id,
        Beneficiary.organisation_id,
        age_band_on(paris_day(instant)),
        Booking.purpose,
    ]


CUT_COLUMNS = ["month", "basin_id", "category", "association_id", "prescriber_id", "age_band", "purpose"]


def _month_of_bookings(month: int, instant, columns, *conditions):
    starts_at, ends_at = summary.month_instants(month)
    cut = _cut(instant)
    return (
        select(literal(month), *cut, *columns)
        .select_from(Booking)
        .join(Beneficiary, Beneficiary.id == Booking.beneficiary_id)
        .where(instant >= starts_at, instant < ends_at, *conditions)
        .group_by(*cut)
    )


def _crossing_from(month: int):
    """The earliest start of a booking holding its vehicle, or of an unavailability, that runs
    past the month's end; read from the bound of the month before when it is fresh."""
    starts_at, ends_at = summary.month_instants(month)
    bound = summary.starts_no_earlier_than(starts_at, summary.fresh_months([summary.previous_month(month)]))
    found = []
    for model, conditions in (
        (Booking, [Booking.status.in_(indicators.BOOKED_STATUSES)]),
        (Unavailability, []),
    ):
        if bound is not None:
            conditions = [*conditions, model.starts_at >= bound]
        earliest = db.session.scalar(select(func.min(model.starts_at)).where(model.starts_at < ends_at, model.ends_at > ends_at, *conditions))
        if earliest is not None:
            found.append(earliest)
    return min(found, default=None)


def _write_month(month: int) -> None:
    starts_at, ends_at = summary.month_instants(month)
    session = db.session
    session.execute(delete(SummaryMonth).where(SummaryMonth.month == month))  # its rows and stale marks go with it
    session.execute(
        insert(SummaryMonth).values(
            month=month,
            starts_at=starts_at,
            ends_at=ends_at,
            version=summary.SUMMARY_VERSION,
            crossing_from=_crossing_from(month),
            computed_at=utcnow(),
        )
    )
    session.execute(
        insert(RequestMonth).from_select(
            [*CUT_COLUMNS, *indicators.REQUEST_COUNTS],
            _month_of_bookings(month, Booking.created_at, indicators.request_counts()),
        )
    )
    rent_paid = (
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(Payment.booking_id == Booking.id, Payment.account == LedgerAccount.RENT)
        .scalar_subquery()
    )
    session.execute(
        insert(RentalMonth).from_select(
            [*CUT_COLUMNS, *indicators.RENTAL_SUMS, "paid_cents"],
            _month_of_bookings(
                month,
                Booking.starts_at,
                [*indicators.rental_sums(), func.sum(rent_paid)],
                Booking.status.in_(indicators.RENTAL_STATUSES),
            ),
        )
    )
    outcomes = (
        _month_of_bookings(
            month,
            Booking.starts_at,
            [Outcome.checkpoint, Outcome.result, func.count(Outcome.id)],
            Booking.status.in_(indicators.RENTAL_STATUSES),
        )
        .join(Outcome, Outcome.booking_id == Booking.id)
        .group_by(Outcome.checkpoint, Outcome.result)
    )
    session.execute(insert(OutcomeMonth).from_select([*CUT_COLUMNS, "checkpoint", "result", "count"], outcomes))
    last_day = summary.first_day_of(summary.next_month(month)) - timedelta(days=1)
    bucket = indicators.day_buckets([(summary.first_day_of(month), last_day)])
    booked = indicators.booked_days_per_vehicle(bucket, [(starts_at, ends_at)]).subquery("booked")
    unavailable = indicators.unavailable_days_per_vehicle(bucket, [(starts_at, ends_at)]).subquery("unavailable")
    vehicles = (
        select(
            literal(month),
            Vehicle.id,
            func.coalesce(booked.c.days, 0),
            func.coalesce(unavailable.c.days, 0),
        )
        .select_from(Vehicle)
        .outerjoin(booked, booked.c.vehicle_id == Vehicle.id)
        .outerjoin(unavailable, unavailable.c.vehicle_id == Vehicle.id)
        .where(or_(booked.c.days > 0, unavailable.c.days > 0))
    )
    session.execute(insert(VehicleMonth).from_select(["month", "vehicle_id", "booked_days", "unavailable_days"], vehicles))


def _lock_sources() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        # Below the deadlock detector's second: if a writer holding one of these tables wants
        # another, this gives way first (the month is written on the next run), never the writer.
        db.session.execute(text("SET LOCAL lock_timeout = '500ms'"))
        db.session.execute(text(f"LOCK TABLE {', '.join(SOURCE_TABLES)} IN SHARE MODE"))


def months_to_write(now: datetime) -> list[int]:
    """Months that ended before `now` (Paris) with data, lacking a fresh summary: oldest first."""
    last_closed = summary.previous_month(summary.month_key(local(now).date()))
    earliest = db.session.execute(select(func.min(Booking.created_at), func.min(Booking.starts_at))).one()
    starts = [value for value in earliest if value is not None]
    if not starts:
        return []
    month = summary.month_key(local(min(starts)).date())
    written = dict(db.session.execute(select(SummaryMonth.month, SummaryMonth.version)).all())
    stale = set(db.session.scalars(select(StaleMonth.month).distinct()))
    wanted = []
    while month <= last_closed:
        if written.get(month) != summary.SUMMARY_VERSION or month in stale:
            wanted.append(month)
        month = summary.next_month(month)
    return wanted


def refresh(now: datetime | None = None, limit: int | None = None) -> Refreshed:
    """Write every month that needs it (at most `limit`), each in its own transaction."""
    now = now or utcnow()
    started = clock.perf_counter()
    done = Refreshed()
    months = months_to_write(now)
    db.session.commit()
    for month in months[:limit] if limit else months:
        try:
            _lock_sources()
            _write_month(month)
            db.session.commit()
            done.months.append(month)
        except OperationalError:
            db.session.rollback()
            log.warning("reporting summary of %s skipped: its tables were busy", month)
            done.skipped.append(month)
    done.seconds = clock.perf_counter() - started
    return done


def gather_statistics() -> None:
    """SQLite has no autovacuum to keep its planner's statistics: without them it reads a
    period's rentals through the status index, every returned booking of the history (120 ms
    instead of 6 for the live part of the outcomes at 200,000). ANALYZE after the month's
    writes: 0.4 s at 200,000 bookings (a sampled one, analysis_limit=1000, took 0.01 s and
    left plans worse than none). PostgreSQL's autovacuum does the same alone."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def clear() -> None:
    """Drop every summary: the figures are then all read from the bookings."""
    db.session.execute(delete(SummaryMonth))
    db.session.commit()
