"""Settings parsed once, at start, into typed frozen objects (one per domain).

create_app builds each domain's settings from app.config and keeps them on app.extensions;
a bad value stops the service there, naming the variable, instead of failing the first request
that reads it. Defaults are written once: in mobility.config for the variables it reads, or as
the default of the domain's settings class (the eligibility rules') passed to these parsers.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any, TypeVar

from flask import current_app

from mobility.config import ConfigurationError

T = TypeVar("T")


def _key(kind: type) -> str:
    return f"mobility.settings.{kind.__module__}.{kind.__qualname__}"


_ABSENT = object()


def _raw(config, name: str, default: Any) -> Any:
    raw = config.get(name)
    if raw is None or raw == "":
        if default is _ABSENT:
            raise ConfigurationError(f"{name} is not set")
        return default
    return raw


def setting_int(config, name: str, *, minimum: int = 0, maximum: int = 10**6, default: Any = _ABSENT) -> int:
    raw: Any = _raw(config, name, default)
    if isinstance(raw, bool):
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}")
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigurationError(f"{name} must be between {minimum} and {maximum}, not {value}")
    return value


def setting_date(config, name: str, *, default: Any = _ABSENT) -> date:
    raw: Any = _raw(config, name, default)
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ConfigurationError(f"{name} must be a date such as 1988-01-01, not {raw!r}") from None


def setting_time(config, name: str) -> time:
    raw: Any = config[name]
    if isinstance(raw, time):
        return raw
    try:
        return time.fromisoformat(str(raw).strip())
    except ValueError:
        raise ConfigurationError(f"{name} must be a time of day such as 09:00, not {raw!r}") from None


def install(app, settings: T) -> T:
    """Keep a domain's settings on the application (called by create_app)."""
    app.extensions[_key(type(settings))] = settings
    return settings


def settings_of(kind: type[T]) -> T:
    """The current application's settings of that kind."""
    return current_app.extensions[_key(kind)]
