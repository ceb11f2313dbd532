"""The portable SQL of French days: the database finds the same day, month, quarter and year
as Python does from the Paris clock, at midnight and across the changes of time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import literal, select

from mobility.core.time import PARIS, local_midnight
from mobility.core.types import UTCDateTime
from mobility.extensions import db
from mobility.reporting.dimensions import Breakdown, period_key_of_instant

FIRST, LAST = date(2025, 11, 15), date(2027, 2, 10)


def python_key(breakdown: Breakdown, instant: datetime) -> int:
    day = instant.astimezone(PARIS).date()
    if breakdown is Breakdown.MONTH:
        return day.year * 100 + day.month
    if breakdown is Breakdown.QUARTER:
        return day.year * 10 + (day.month - 1) // 3 + 1
    return day.year


def instants_around_every_french_midnight_of_a_month_start():
    """A second before and at each French midnight that starts a month, and the hours around
    the changes of time (last Sundays of March and October)."""
    instants = [local_midnight(FIRST), local_midnight(LAST + timedelta(days=1)) - timedelta(seconds=1)]
    day = date(FIRST.year, FIRST.month, 1)
    while day <= LAST:
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        midnight = local_midnight(day)
        instants += [midnight - timedelta(seconds=1), midnight, midnight + timedelta(microseconds=1)]
    for change in (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)):
        instants += [change - timedelta(hours=2), change - timedelta(seconds=1), change, change + timedelta(hours=2)]
    return [instant for instant in instants if local_midnight(FIRST) <= instant < local_midnight(LAST + timedelta(days=1))]


@pytest.mark.parametrize("breakdown", [Breakdown.MONTH, Breakdown.QUARTER, Breakdown.YEAR])
def test_the_period_of_a_stored_instant_is_the_one_of_its_french_day(app, breakdown):
    instants = instants_around_every_french_midnight_of_a_month_start()
    with app.app_context():
        found = [
            db.session.scalar(select(period_key_of_instant(breakdown, literal(instant, UTCDateTime()), FIRST, LAST)))
            for instant in instants
        ]
    assert found == [python_key(breakdown, instant) for instant in instants]
    assert len(set(found)) > 1
