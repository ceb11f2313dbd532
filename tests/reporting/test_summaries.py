"""The monthly summaries: written for the ended months only, read in place of their bookings,
and never out of date: any change to a row they were computed from, made by any means, sends
its month back to the bookings until the next refresh. Every comparison is with a full recount
from the bookings (the summaries dropped)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text, update

from mobility.booking.models import (
    Booking,
    BookingStatus,
    Outcome,
    OutcomeCheckpoint,
    OutcomeResult,
    Payment,
    PaymentKind,
    PaymentMethod,
)
from mobility.core.time import at
from mobility.extensions import db
from mobility.fleet.models import Unavailability, UnavailabilityKind
from mobility.reporting import dashboard, indicators, jobs, summarise, summary
from mobility.reporting.dimensions import Breakdown, Filters
from mobility.reporting.models import StaleMonth, SummaryMonth
from tests.reporting.conftest import HALF_YEAR, NOW, _build_plan

B = Breakdown
SUMMARISED = [202512, 202601, 202602, 202603, 202604, 202605]


@pytest.fixture
def plan(app):
    with time_machine.travel(NOW, tick=False):
        built = _build_plan()
        summarise.refresh(NOW)
        yield built


def figures(filters: Filters = HALF_YEAR) -> dict:
    """Every family by every breakdown it takes, as plain values."""
    found = {}
    for by in [None, *Breakdown]:
        if by is not B.SITE:
            found[("requests", by)] = _values(indicators.requests(filters, by))
            found[("requests without people", by)] = _values(indicators.requests(filters, by, people=False))
            found[("rentals", by)] = _values(indicators.rentals(filters, by))
            for checkpoint in OutcomeCheckpoint:
                found[(checkpoint.value, by)] = _values(indicators.outcomes(filters, checkpoint, by))
        if by is None or by in indicators.FLEET_BREAKDOWNS:
            found[("fleet use", by)] = _values(indicators.fleet_use(filters, by))
    found["by checkpoint"] = indicators.outcomes_by_checkpoint(filters)
    for rows_by, columns_by in ((B.MONTH, B.BASIN), (B.QUARTER, B.PRESCRIBER_KIND), (B.AGE_BAND, B.CATEGORY)):
        cross = indicators.rentals_crosstabs(filters, rows_by, columns_by, ("rentals", "days"))
        found[("crosstab", rows_by, columns_by)] = {m: (c.row_keys, c.column_keys, c.cells) for m, c in cross.items()}
    return found


def _values(table) -> list:
    return [(row.key, row.label, row.values) for row in [*table.rows, table.total]]


def recount(filters: Filters = HALF_YEAR) -> dict:
    """The same figures with no summary at all, then the summaries written back."""
    summarise.clear()
    assert summary.coverage(filters).months == ()
    counted = figures(filters)
    summarise.refresh(NOW)
    return counted


def stale_months() -> list[int]:
    return sorted(set(db.session.scalars(select(StaleMonth.month))))


def test_only_the_ended_months_are_summarised_and_a_second_run_writes_nothing(plan):
    assert db.session.scalars(select(SummaryMonth.month).order_by(SummaryMonth.month)).all() == SUMMARISED
    assert summarise.refresh(NOW).months == []
    # The first of July, Paris time: June has ended.
    assert summarise.refresh(at(date(2026, 7, 1), time(0, 5))).months == [202606]


def test_a_period_reads_its_whole_ended_months_from_the_summaries_and_the_rest_live(plan):
    cover = summary.coverage(Filters(date(2026, 1, 10), date(2026, 6, 30)))
    assert cover.months == (202602, 202603, 202604, 202605)
    assert cover.live == (
        (at(date(2026, 1, 10), time(0)), at(date(2026, 2, 1), time(0))),
        (at(date(2026, 6, 1), time(0)), at(date(2026, 7, 1), time(0))),
    )


def test_a_live_range_reads_bookings_from_the_earliest_one_running_past_the_month_before(plan):
    # B0 runs 20 December - 2 January: December's summary remembers it crossed into January.
    december = db.session.get(SummaryMonth, 202512)
    assert december.crossing_from == plan.bookings["B0"].starts_at
    cover = summary.coverage(Filters(date(2026, 1, 2), date(2026, 6, 30)))
    assert cover.live_from == (plan.bookings["B0"].starts_at, at(date(2026, 6, 1), time(0)))
    assert indicators.fleet_use(Filters(date(2026, 1, 2), date(2026, 1, 2))).total.values["booked_days"] == 1
    # No month before the first one summarised: read from the beginning.
    assert summary.coverage(Filters(date(2025, 11, 5), date(2025, 11, 30))).live_from == (None,)


def test_figures_from_the_summaries_are_those_of_a_full_recount(plan):
    for filters in (
        HALF_YEAR,
        Filters(date(2026, 1, 10), date(2026, 6, 30)),
        Filters(date(2026, 1, 2), date(2026, 6, 30)),  # B0, from December, still out on 2 January
        Filters(date(2025, 12, 1), date(2026, 5, 31), basin_id=plan.orleans),
        Filters(date(2026, 1, 1), date(2026, 6, 30), association_id=plan.a2.id),
        Filters(date(2026, 1, 1), date(2026, 6, 30), prescriber_id=plan.ft.id),
    ):
        assert summary.coverage(filters).months
        assert figures(filters) == recount(filters), filters


def _change_and_compare(change, expect_stale):
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        change()
        db.session.commit()
        assert stale_months() == expect_stale
        assert not set(expect_stale) & set(summary.coverage(HALF_YEAR).months)
        assert figures() == recount()
        assert stale_months() == []


def test_a_status_changed_through_the_orm_marks_its_months_stale(plan):
    booking = plan.bookings["B3"]  # requested in March, rented 30 March - 2 April

    def cancel():
        booking.status = BookingStatus.NO_SHOW

    _change_and_compare(cancel, [202603, 202604])


def test_a_bulk_update_and_plain_sql_mark_their_months_stale(plan):
    rejected = [plan.bookings["B5"].id]  # asked in January, for February

    def bulk():
        db.session.execute(update(Booking).where(Booking.id.in_(rejected)).values(status=BookingStatus.EXPIRED))

    _change_and_compare(bulk, [202601, 202602])

    def plain():
        db.session.execute(text("UPDATE booking SET price_cents = price_cents + 100 WHERE id = :id"), {"id": plan.bookings["B4"].id})

    _change_and_compare(plain, [202603])


def test_a_payment_an_outcome_and_an_unavailability_mark_their_months_stale(plan):
    def pay():
        booking = plan.bookings["B4"]
        db.session.add(
            Payment(booking=booking, kind=PaymentKind.RENTAL, amount_cents=400, method=PaymentMethod.CASH, paid_on=booking.starts_on, receipt_number="R-late")
        )

    _change_and_compare(pay, [202603])

    def outcome():
        db.session.add(Outcome(booking=plan.bookings["B2"], checkpoint=OutcomeCheckpoint.AFTER_3_MONTHS, result=OutcomeResult.TRAINING, recorded_on=date(2026, 6, 16)))

    _change_and_compare(outcome, [202602])

    def repair():
        db.session.add(
            Unavailability(vehicle=plan.v1, starts_at=at(date(2026, 4, 28), time(9)), ends_at=at(date(2026, 5, 2), time(9)), kind=UnavailabilityKind.REPAIR)
        )

    _change_and_compare(repair, [202604, 202605])


def test_a_person_moved_to_another_prescriber_marks_the_months_of_their_bookings_stale(plan):
    person = plan.people["P4"]  # B4 (March), B8 (asked 2 May, for May)

    def transfer():
        person.organisation_id = plan.ml.id

    _change_and_compare(transfer, [202603, 202605])


def test_a_deleted_booking_marks_its_months_stale(plan):
    def remove():
        db.session.execute(text("DELETE FROM booking_transition WHERE booking_id = :id"), {"id": plan.bookings["B6"].id})
        db.session.execute(text("DELETE FROM booking WHERE id = :id"), {"id": plan.bookings["B6"].id})

    _change_and_compare(remove, [202603])


def test_a_change_in_the_month_under_way_marks_nothing(plan):
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        plan.bookings["B9"].status = BookingStatus.CANCELLED  # June: never summarised yet
        db.session.commit()
    assert stale_months() == []


def test_a_month_written_by_an_older_definition_is_read_live_and_rewritten(plan):
    db.session.execute(update(SummaryMonth).where(SummaryMonth.month == 202603).values(version=summary.SUMMARY_VERSION - 1))
    db.session.commit()
    assert 202603 not in summary.coverage(HALF_YEAR).months
    assert summarise.refresh(NOW).months == [202603]
    assert 202603 in summary.coverage(HALF_YEAR).months


def test_the_admin_dashboard_is_the_same_from_the_summaries(plan):
    scope = dashboard.Scope(dashboard.ScopeKind.PLAN)
    with time_machine.travel(NOW, tick=False):
        summarised = dashboard.build(scope, HALF_YEAR, NOW.date())
        summarise.clear()
        live = dashboard.build(scope, HALF_YEAR, NOW.date())
    assert summarised.figures == live.figures
    assert [(s.id, s.table.rows) for s in summarised.sections] == [(s.id, s.table.rows) for s in live.sections]


def test_the_nightly_job_writes_the_ended_months_and_its_dry_run_writes_nothing(app):
    with time_machine.travel(NOW, tick=False):
        _build_plan()
        assert jobs.monthly_summaries(NOW, wet=False) == {"rows": 6, "detail": "months_to_write=6 (dry run)"}
        assert db.session.scalar(select(func.count()).select_from(SummaryMonth)) == 0
        assert jobs.monthly_summaries(NOW)["rows"] == 6
        assert db.session.scalar(select(func.count()).select_from(SummaryMonth)) == 6
