"""Pure rules of incidents on plain values: the claim's working-day deadline, the settings.

Working days (jours ouvrés) are Monday to Friday except French public holidays, as the
Code des assurances counts the delay to declare a claim (L113-2: at least five).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from mobility.core.settings import setting_int, settings_of

DEFAULT_CLAIM_WORKING_DAYS = 5
# A claim not yet declared is in the staff's digest from this many working days before its deadline.
CLAIM_REMINDER_WORKING_DAYS = 2


@lru_cache(maxsize=64)
def _french_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.France(years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (start itself never counts)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days_between(first: date, last: date) -> int:
    """Working days after `first` up to `last` included (negative when last is before first)."""
    if last < first:
        return -working_days_between(last, first)
    return sum(1 for offset in range(1, (last - first).days + 1) if is_working_day(first + timedelta(days=offset)))


def claim_deadline(incident_on: date, working_days: int = DEFAULT_CLAIM_WORKING_DAYS) -> date:
    return add_working_days(incident_on, working_days)


@dataclass(frozen=True)
class IncidentSettings:
    # A vehicle with this many incidents within REPEAT_MONTHS is flagged on its page.
    repeat_threshold: int
    repeat_months: int

    @classmethod
    def from_config(cls, config) -> IncidentSettings:
        return cls(
            repeat_threshold=setting_int(config, "INCIDENT_REPEAT_THRESHOLD", minimum=2, maximum=50),
            repeat_months=setting_int(config, "INCIDENT_REPEAT_MONTHS", minimum=1, maximum=60),
        )


def incident_settings() -> IncidentSettings:
    return settings_of(IncidentSettings)
