"""iCalendar (RFC 5545) output: escaping, line folding, UTC times. Pure, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//Departement du Loiret//Mobilite Emploi Loiret//FR"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    categories: tuple[str, ...] = ()


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n")


def utc_stamp(value: datetime) -> str:
    """A DATE-TIME in UTC form (…Z); refuses naive datetimes."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in a calendar")
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character.

    Each continuation line starts with one space, which counts in its 75 octets (§3.1).
    """
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_LINE_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    current_octets = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        size = len(char.encode("utf-8"))
        if current_octets + size > limit:
            parts.append(current)
            current, current_octets = "", 0
            limit = MAX_LINE_OCTETS - 1  # room for the leading space
        current += char
        current_octets += size
    parts.append(current)
    return (CRLF + " ").join(parts)


def _property(name: str, value: str) -> str:
    return fold(f"{name}:{value}")


def render_calendar(events: Iterable[CalendarEvent], *, name: str, now: datetime) -> bytes:
    """The whole VCALENDAR as UTF-8 bytes, CRLF line endings."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _property("PRODID", PRODID),
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        _property("X-WR-CALNAME", escape_text(name)),
        "X-WR-TIMEZONE:Europe/Paris",
    ]
    stamp = utc_stamp(now)
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            _property("UID", event.uid),
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc_stamp(event.starts_at)}",
            f"DTEND:{utc_stamp(event.ends_at)}",
            _property("SUMMARY", escape_text(event.summary)),
        ]
        if event.description:
            lines.append(_property("DESCRIPTION", escape_text(event.description)))
        if event.location:
            lines.append(_property("LOCATION", escape_text(event.location)))
        if event.categories:
            lines.append(_property("CATEGORIES", ",".join(escape_text(c) for c in event.categories)))
        lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return (CRLF.join(lines) + CRLF).encode("utf-8")
