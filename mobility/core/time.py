"""Time as the Loiret lives it: days and hours in Europe/Paris, instants stored in UTC.

The one owner of "today in France", of the Paris zone and of turning local days into periods.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(timezone.utc)


def now_in_france() -> datetime:
    return utcnow().astimezone(PARIS)


def today() -> date:
    """Today in France (not the server's zone, not UTC: a French day)."""
    return now_in_france().date()


def local(moment: datetime) -> datetime:
    """An aware instant as wall-clock time in France."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where an instant is expected")
    return moment.astimezone(PARIS)


def at(day: date, clock: time) -> datetime:
    """That day at that wall-clock time in France, as an aware datetime.

    zoneinfo resolves the missing hour of the spring change forward and the repeated hour of
    the autumn change to its first occurrence (fold=0).
    """
    return datetime.combine(day, clock, tzinfo=PARIS)


def local_midnight(day: date) -> datetime:
    """The start of that day in France."""
    return at(day, time(0))


def day_span(first_day: date, last_day: date | None = None) -> tuple[datetime, datetime]:
    """The half-open period covering whole French days first_day..last_day (inclusive)."""
    last_day = first_day if last_day is None else last_day
    return local_midnight(first_day), local_midnight(last_day + timedelta(days=1))
