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

from sqlalchemy import Integer, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

EPOCH = date(1970, 1, 1)
FIRST_YEAR, LAST_YEAR = 2000, 2060


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_of_number(number: int) -> date:
    return EPOCH + timedelta(days=number)


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def _summer_spans() -> list[tuple[int, int]]:
    """(start, end) epoch seconds of each summer-time span, newest first (recent data first)."""
    spans = []
    for year in range(LAST_YEAR, FIRST_YEAR - 1, -1):
        start = datetime.combine(_last_sunday(year, 3), datetime.min.time(), UTC) + timedelta(hours=1)
        end = datetime.combine(_last_sunday(year, 10), datetime.min.time(), UTC) + timedelta(hours=1)
        spans.append((int(start.timestamp()), int(end.timestamp())))
    return spans


_SQLITE_OFFSET = (
    "CASE "
    + " ".join(f"WHEN {{e}} >= {start} AND {{e}} < {end} THEN 7200" for start, end in _summer_spans())
    + " ELSE 3600 END"
)


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
    seconds = f"CAST(strftime('%s', {compiler.process(instant, **kw)}) AS INTEGER)"
    if element.minus_second:
        seconds = f"({seconds} - 1)"
    offset = _SQLITE_OFFSET.replace("{e}", seconds)
    return f"(({seconds} + {offset}) / 86400)"


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


def greatest(a: ColumnElement, b) -> ColumnElement:
    """max(a, b) on both databases (SQLite's two-argument max, PostgreSQL's GREATEST)."""
    return case((a > b, a), else_=b)


def least(a: ColumnElement, b) -> ColumnElement:
    return case((a < b, a), else_=b)
