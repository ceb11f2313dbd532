"""Jinja filters and globals: dates and numbers as in France, through Flask-Babel."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from flask import current_app, request
from mobility.core.time import local, today
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale

from mobility.core import static
from mobility.core.boundary import safe_local_path
from mobility.core.forms import text_limit
from mobility.core.french import elide


def _date(value: date | datetime | None, style: str = "long") -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date() if style != "datetime" else value
    if style == "datetime":
        return format_datetime(value, "d MMMM y 'à' HH:mm" if get_locale().language == "fr" else "d MMMM y, HH:mm")
    return format_date(value, style)


def _with_year(pattern: str, day: date) -> str:
    # The year only when it is not this one: "lundi 7 décembre", "lundi 4 janvier 2027".
    return pattern if day.year == today().year else pattern.replace("MMMM", "MMMM y")


def weekday_date(value: date | datetime | None) -> str:
    """A day with its weekday, as a person reads it: « lundi 7 décembre », "Monday 7 December"."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = local(value).date()
    return format_date(value, _with_year("EEEE d MMMM", value))


def weekday_datetime(value: datetime | None) -> str:
    """An instant with its weekday and time: « lundi 7 décembre à 09:00 »."""
    if value is None:
        return "—"
    pattern = "EEEE d MMMM 'à' HH:mm" if get_locale().language == "fr" else "EEEE d MMMM, HH:mm"
    return format_datetime(value, _with_year(pattern, local(value).date()))


def money(cents: int | None) -> str:
    """Euro cents as people read them: « 12,50 € » in French, "€12.50" in English."""
    if cents is None:
        return "—"
    return format_currency(cents / 100, "EUR")


def get_address() -> str | None:
    """For a page rendered in answer to a POST: the address Back should load with GET instead
    (the same address when it answers GET, else the page the form was sent from); None otherwise."""
    if not request or request.method != "POST":
        return None
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return None
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return safe_local_path(path, default="") or None


def register(app) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(elide, "elide")
    app.add_template_global(text_limit, "text_limit")
    app.add_template_filter(_date, "date")
    app.add_template_filter(weekday_date, "weekday")
    app.add_template_filter(weekday_datetime, "weekday_datetime")
    app.add_template_filter(lambda value: format_decimal(value), "number")
    static.register(app)

    @app.context_processor
    def globals_for_templates():
        return {
            "get_address": get_address(),
            "current_locale": get_locale().language,
            "languages": current_app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
