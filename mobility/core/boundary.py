"""The input boundary: what any text, number, date or redirect target may be, for pages, the
API and the CLI alike. Pure functions that forms, API schemas, request hooks and commands call,
and the request class that holds the boundary for values read outside a form.

Nothing outside these bounds may reach the database: PostgreSQL refuses a NUL in text (a 500),
an integer column holds 32 bits, and far dates overflow date arithmetic.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import click
from flask import Request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest

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


def page_number(raw: str | None, maximum: int = 100_000) -> int:
    """?page= as a page number: 1 when absent, malformed or beyond any list we keep."""
    return parse_bounded_int(raw, minimum=1, maximum=maximum) or 1


class CleanText(click.ParamType):
    """A command-line text argument or option with no control character (NUL, CR, LF, ...)."""

    name = "text"

    def convert(self, value, param, ctx):
        if isinstance(value, str) and has_control_characters(value):
            # Click prefixes "Invalid value for '--name':".
            self.fail("it contains a control character (NUL, CR, LF, ...): type it again without it.", param, ctx)
        return value


CLEAN_TEXT = CleanText()


# Request parameters ---------------------------------------------------------------------------

# Redirect targets are never refused: safe_local_path replaces a bad one with a safe default.
REDIRECT_PARAMETERS = frozenset({"next"})


class ControlCharactersRefused(BadRequest):
    """A parameter holds a control character: a 400 with a French page (or the API's envelope)."""

    def __init__(self, parameter: str | None = None):
        super().__init__()
        self.parameter = parameter


def control_characters_in(path: str, args) -> ControlCharactersRefused | None:
    """The refusal for a path or query string holding a control character, or None. The
    parameter is named when its name itself is clean."""
    if has_control_characters(path):
        return ControlCharactersRefused()
    for key, value in args.items(multi=True):
        if has_control_characters(key):
            return ControlCharactersRefused()
        if key not in REDIRECT_PARAMETERS and has_control_characters(value):
            return ControlCharactersRefused(key)
    return None


class CheckedParameters(ImmutableMultiDict):
    """Query string and form values that refuse a control character when code reads one of them
    directly (request.form.get("step")); forms read through getlist() and give their field's own
    message (core.forms.BaseForm)."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        if isinstance(value, str) and key not in REDIRECT_PARAMETERS and has_control_characters(value):
            raise ControlCharactersRefused(key)
        return value


class BoundaryRequest(Request):
    parameter_storage_class = CheckedParameters
