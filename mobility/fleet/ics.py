"""iCalendar (RFC 5545) output through the `icalendar` library. Pure, no database.

The library does the escaping, the line folding at 75 octets and the CRLF line endings that
the hand-written writer used to; this module says what an event carries. An event keeps one
UID for its whole life; its SEQUENCE grows with each change (the caller derives it from a log,
so that it is the same on every request), and STATUS:CANCELLED tells a calendar application
that an appointment it already holds will not take place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

PRODID = "-//Departement du Loiret//Mobilite Emploi Loiret//FR"
CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    categories: tuple[str, ...] = ()
    # Bumped at each change of the appointment; with the UID, what calendar applications compare.
    sequence: int = 0
    status: str = CONFIRMED
    last_modified: datetime | None = None


def _utc(value: datetime) -> datetime:
    """A DATE-TIME in UTC form (…Z); refuses naive datetimes."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in a calendar")
    return value.astimezone(UTC)


def _event(event: CalendarEvent, stamp: datetime) -> Event:
    item = Event()
    item.add("uid", event.uid)
    item.add("dtstamp", stamp)
    item.add("dtstart", _utc(event.starts_at))
    item.add("dtend", _utc(event.ends_at))
    item.add("summary", event.summary)
    item.add("sequence", event.sequence)
    item.add("status", event.status)
    if event.last_modified is not None:
        item.add("last-modified", _utc(event.last_modified))
    if event.description:
        item.add("description", event.description)
    if event.location:
        item.add("location", event.location)
    if event.categories:
        item.add("categories", list(event.categories))
    # A cancelled appointment no longer makes the person (or the site) busy.
    item.add("transp", "TRANSPARENT" if event.status == CANCELLED else "OPAQUE")
    return item


def render_calendar(events: Iterable[CalendarEvent], *, name: str, now: datetime) -> bytes:
    """The whole VCALENDAR as UTF-8 bytes (CRLF line endings, lines folded at 75 octets)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = _utc(now)
    for event in events:
        calendar.add_component(_event(event, stamp))
    return calendar.to_ical()
