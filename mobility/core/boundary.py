"""The input boundary: what any text, number, date or redirect target may be, for pages, the
API and the CLI alike. Pure functions; forms, API schemas and request hooks call them.

Nothing outside these bounds may reach the database: PostgreSQL refuses a NUL in text (a 500),
an integer column holds 32 bits, and far dates overflow date arithmetic.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

# The largest value an INTEGER column holds on SQLite's and PostgreSQL's 32-bit integers.
MAX_DB_INT = 2**31 - 1
MIN_DB_INT = -(2**31)
# Dates a person may mean: anything else is a typo (or an attack) and would overflow arithmetic.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)

# C0 control characters and DEL, except tab, line feed and carriage return (kept for text
# areas, where a browser sends CR LF line ends).
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CONTROL_CHARACTER_MESSAGE = _l(
    "Le texte contient un caractère invisible non autorisé (caractère de contrôle) : "
    "retapez-le sans copier-coller depuis un autre logiciel."
)
NUMBER_TOO_LARGE_MESSAGE = _l("Ce nombre est trop grand.")
DATE_OUT_OF_RANGE_MESSAGE = _l("Saisissez une date entre 1900 et 2200.")


def has_control_characters(value: str, multiline: bool = False) -> bool:
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL_ALL
    return bool(pattern.search(value))


def int_in_database_range(value: int) -> bool:
    return MIN_DB_INT <= value <= MAX_DB_INT


def date_in_range(value: date) -> bool:
    return MIN_DATE <= value <= MAX_DATE


def parse_bounded_int(raw: str | None, *, minimum: int = MIN_DB_INT, maximum: int = MAX_DB_INT) -> int | None:
    """An integer from a query string or a form, or None when it is absent, malformed or out
    of bounds (a page number of 40 digits is no page, not an overflow)."""
    if raw is None:
        return None
    raw = raw.strip()
    if not raw or len(raw) > 12 or not re.fullmatch(r"[+-]?\d+", raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def safe_local_path(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site: a local absolute path, nothing else.

    Refuses other hosts (//evil.example, https://…), backslashes that browsers read as
    slashes, and any control character (CR LF would split the Location header).
    """
    if not target or has_control_characters(target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
