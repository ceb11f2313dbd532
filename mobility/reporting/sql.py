"""Portable SQL for French calendar days, so that every figure is computed by the database.

Instants are stored in UTC; the plan counts French days. PostgreSQL converts with its own
time-zone data (`AT TIME ZONE 'Europe/Paris'`). SQLite has none, so its expression adds the
Paris offset read from a table of daylight-saving changes (EU rule: last Sunday of March and of
October at 01:00 UTC), written out for the years the service can hold. Both give the same day.

Days are integers (days since 1970-01-01) so that clipping a rental to a period is integer
arithmetic; years, quarters and months come from the YYYYMMDD integer of a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import NullType

from mobility.core.time import PARIS

EPOCH = date(1970, 1, 1)
FIRST_YEAR, LAST_YEAR = 2000, 2060


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_of_number(number: int) -> date:
    return EPOCH + timedelta(days=number)


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def _changes() -> list[tuple[datetime, int]]:
    """Every change of the Paris offset, oldest first: (UTC instant, offset in seconds after it)."""
    changes = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month, offset in ((3, 7200), (10, 3600)):
            instant = datetime.combine(_last_sunday(year, month), datetime.min.time(), UTC) + timedelta(hours=1)
            changes.append((instant, offset))
    return changes


CHANGES = _changes()


def _sqlite_offset(column_sql: str, shift_seconds: int = 0) -> str:
    """The Paris offset of a stored UTC instant, by a binary search over the changes.

    SQLite stores instants as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC: comparing that text with
    the change instants needs no function call, so each row costs about seven comparisons.
    """

    def text_of(instant: datetime) -> str:
        return (instant + timedelta(seconds=shift_seconds)).strftime("'%Y-%m-%d %H:%M:%S'")

    def node(first: int, last: int) -> str:
        # The instant lies between change `first - 1` (or the beginning) and change `last`.
        if last - first == 0:
            return str(CHANGES[first - 1][1]) if first else "3600"
        middle = (first + last + 1) // 2
        return f"CASE WHEN {column_sql} < {text_of(CHANGES[middle - 1][0])} THEN {node(first, middle - 1)} ELSE {node(middle, last)} END"

    return node(0, len(CHANGES))


class paris_day(FunctionElement):
    """The French day (days since 1970-01-01) of a UTC instant column.

    `minus_second=True` gives the day of the instant one second earlier: the last day touched
    by a half-open period ending at that instant.
    """

    type = Integer()
    inherit_cache = True
    name = "paris_day"

    def __init__(self, instant, minus_second: bool = False):
        self.minus_second = minus_second
        super().__init__(instant)


@compiles(paris_day, "postgresql")
def _paris_day_pg(element, compiler, **kw):
    (instant,) = element.clauses
    value = compiler.process(instant, **kw)
    if element.minus_second:
        value = f"({value} - INTERVAL '1 second')"
    return f"(CAST(({value} AT TIME ZONE 'Europe/Paris') AS DATE) - DATE '1970-01-01')"


@compiles(paris_day, "sqlite")
def _paris_day_sqlite(element, compiler, **kw):
    (instant,) = element.clauses
    column = compiler.process(instant, **kw)
    seconds = f"CAST(strftime('%s', {column}) AS INTEGER)"
    shift = 0
    if element.minus_second:
        seconds = f"({seconds} - 1)"
        shift = 1  # one second earlier is before a change iff the instant is before change + 1 s
    return f"(({seconds} + {_sqlite_offset(column, shift)}) / 86400)"


class paris_day_key(FunctionElement):
    """What Python needs to find the French day of a UTC instant column, at the least cost to
    the database: PostgreSQL converts it (the day number, as `paris_day`); SQLite gives its
    stored UTC text up to the hour ('2026-03-29 01'), enough since the Paris offset changes
    on the hour (01:00 UTC). Read it with `paris_day_of_key`, memoised: keys repeat a lot."""

    type = NullType()  # no result processing: the driver's int or str as it comes
    inherit_cache = True
    name = "paris_day_key"


@compiles(paris_day_key, "postgresql")
def _paris_day_key_pg(element, compiler, **kw):
    return _paris_day_pg(paris_day(*element.clauses), compiler, **kw)


@compiles(paris_day_key, "sqlite")
def _paris_day_key_sqlite(element, compiler, **kw):
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 13)"


def paris_day_of_key(key: int | str) -> date:
    """The French day of a `paris_day_key` value."""
    if isinstance(key, int):
        return day_of_number(key)
    return datetime.fromisoformat(f"{key}:00").replace(tzinfo=UTC).astimezone(PARIS).date()


class date_day(FunctionElement):
    """A DATE column as days since 1970-01-01."""

    type = Integer()
    inherit_cache = True
    name = "date_day"


@compiles(date_day, "postgresql")
def _date_day_pg(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


@compiles(date_day, "sqlite")
def _date_day_sqlite(element, compiler, **kw):
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


class day_yyyymmdd(FunctionElement):
    """A day number as the integer YYYYMMDD (20260315)."""

    type = Integer()
    inherit_cache = True
    name = "day_yyyymmdd"


@compiles(day_yyyymmdd, "postgresql")
def _yyyymmdd_pg(element, compiler, **kw):
    return (
        f"CAST(to_char(DATE '1970-01-01' + CAST({compiler.process(element.clauses, **kw)} AS INTEGER),"
        " 'YYYYMMDD') AS INTEGER)"
    )


@compiles(day_yyyymmdd, "sqlite")
def _yyyymmdd_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%Y%m%d', ({compiler.process(element.clauses, **kw)}) * 86400, 'unixepoch') AS INTEGER)"


class date_yyyymmdd(FunctionElement):
    """A DATE column as the integer YYYYMMDD."""

    type = Integer()
    inherit_cache = True
    name = "date_yyyymmdd"


@compiles(date_yyyymmdd, "postgresql")
def _date_yyyymmdd_pg(element, compiler, **kw):
    return f"CAST(to_char({compiler.process(element.clauses, **kw)}, 'YYYYMMDD') AS INTEGER)"


@compiles(date_yyyymmdd, "sqlite")
def _date_yyyymmdd_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%Y%m%d', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


class greatest(FunctionElement):
    """The larger of its arguments, each evaluated once: PostgreSQL's GREATEST, SQLite's
    multi-argument max(). A CASE would evaluate the chosen side twice, and a rental's clipped
    days nest three of them around two time-zone conversions."""

    type = Integer()
    inherit_cache = True
    name = "greatest"


class least(FunctionElement):
    type = Integer()
    inherit_cache = True
    name = "least"


@compiles(greatest, "postgresql")
def _greatest_pg(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(least, "postgresql")
def _least_pg(element, compiler, **kw):
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return f"min({compiler.process(element.clauses, **kw)})"


class period_of(FunctionElement):
    """The period key (month 202603, quarter 20261, year 2026) of a UTC instant column, found by
    comparing the stored instant with the periods' first instants (UTC, computed in Python),
    so that no row's time zone is converted: PostgreSQL's `width_bucket` over the sorted
    bounds (a binary search), SQLite's nested CASE over its stored UTC text.

    Clauses: the instant, then the n period keys, then the n - 1 first instants of the
    periods after the first. Only instants inside the periods get their key (rows are filtered
    on the same span).
    """

    type = Integer()
    inherit_cache = True
    name = "period_of"


def _period_parts(element, compiler, **kw):
    instant, *rest = element.clauses
    count = (len(rest) + 1) // 2
    keys = [compiler.process(key, **kw) for key in rest[:count]]
    bounds = [compiler.process(bound, **kw) for bound in rest[count:]]
    return compiler.process(instant, **kw), keys, bounds


@compiles(period_of, "postgresql")
def _period_of_pg(element, compiler, **kw):
    instant, keys, bounds = _period_parts(element, compiler, **kw)
    if not bounds:
        return keys[0]
    return f"(ARRAY[{', '.join(keys)}])[width_bucket({instant}, ARRAY[{', '.join(bounds)}]) + 1]"


@compiles(period_of, "sqlite")
def _period_of_sqlite(element, compiler, **kw):
    instant, keys, bounds = _period_parts(element, compiler, **kw)

    def node(first: int, last: int) -> str:
        # Keys first..last; bounds[i - 1] is where key i begins.
        if first == last:
            return keys[first]
        middle = (first + last + 1) // 2
        return f"CASE WHEN {instant} < {bounds[middle - 1]} THEN {node(first, middle - 1)} ELSE {node(middle, last)} END"

    return node(0, len(keys) - 1)
