"""Pure pricing rules: tariffs, caps and rental days. Amounts are euro cents (int).

A tariff has a daily rate, a weekly cap, a monthly cap and a deposit, for one vehicle
category, from an effective date. The price of a rental of `days` days is the cheapest of:

- every day at the daily rate (the uncapped price);
- whole weeks at the weekly cap, then the remaining days at the daily rate, those remaining
  days never dearer than one weekly cap;
- whole 30-day months at the monthly cap, then the rest priced by weeks as above, that rest
  never dearer than one monthly cap (and a whole month never dearer than 30 days by weeks).

So a longer rental never costs less than a shorter one, and no block costs more than its cap.

Rental days count calendar days from the pickup date to the return date inclusive: a vehicle
picked up and returned the same day is one day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from mobility.fleet.models import VehicleCategory

WEEK_DAYS = 7
MONTH_DAYS = 30


class NoTariffInForce(LookupError):
    """No tariff applies on the day asked (none yet, or only later ones)."""


@dataclass(frozen=True)
class Tariff:
    category: VehicleCategory
    effective_on: date
    daily_cents: int
    weekly_cap_cents: int
    monthly_cap_cents: int
    deposit_cents: int

    def __post_init__(self) -> None:
        if not isinstance(self.category, VehicleCategory):
            raise TypeError(f"category must be a VehicleCategory, got {self.category!r}")
        for name in ("daily_cents", "weekly_cap_cents", "monthly_cap_cents", "deposit_cents"):
            value = getattr(self, name)
            # bool is an int: refuse it, it is always a mistake here.
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number of cents, 0 or more, got {value!r}")


@dataclass(frozen=True)
class Quote:
    """What a rental costs: shown before sending a request, and kept on the booking."""

    tariff: Tariff
    days: int
    price_cents: int

    @property
    def deposit_cents(self) -> int:
        return self.tariff.deposit_cents


def rental_days(pickup_on: date, return_on: date) -> int:
    """Calendar days from pickup to return, both included (a same-day rental is 1 day)."""
    if return_on < pickup_on:
        raise ValueError(f"return date {return_on} is before pickup date {pickup_on}")
    return (return_on - pickup_on).days + 1


def _by_weeks(tariff: Tariff, days: int) -> int:
    weeks, rest = divmod(days, WEEK_DAYS)
    week = min(tariff.weekly_cap_cents, WEEK_DAYS * tariff.daily_cents)
    return weeks * week + min(tariff.weekly_cap_cents, rest * tariff.daily_cents)


def _by_months(tariff: Tariff, days: int) -> int:
    months, rest = divmod(days, MONTH_DAYS)
    month = min(tariff.monthly_cap_cents, _by_weeks(tariff, MONTH_DAYS))
    return months * month + min(tariff.monthly_cap_cents, _by_weeks(tariff, rest))


def price_for(tariff: Tariff, days: int) -> int:
    """The price in cents of `days` rental days (see the module docstring for the caps)."""
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ValueError(f"a rental lasts at least 1 day, got {days!r}")
    return min(days * tariff.daily_cents, _by_weeks(tariff, days), _by_months(tariff, days))


def quote(tariff: Tariff, pickup_on: date, return_on: date) -> Quote:
    days = rental_days(pickup_on, return_on)
    return Quote(tariff=tariff, days=days, price_cents=price_for(tariff, days))


def tariff_in_force(
    tariffs: Iterable[Tariff], on_day: date, category: VehicleCategory | None = None
) -> Tariff:
    """The tariff with the latest effective date not after `on_day`.

    `tariffs` may hold several categories if `category` says which one is wanted.
    Raises NoTariffInForce when none applies, ValueError when the answer is ambiguous.
    """
    candidates = [t for t in tariffs if category is None or t.category == category]
    categories = {t.category for t in candidates}
    if len(categories) > 1:
        names = ", ".join(sorted(c.value for c in categories))
        raise ValueError(f"tariffs of several categories ({names}): say which category is wanted")
    wanted = category.value if category is not None else "any"
    if not candidates:
        raise NoTariffInForce(f"no tariff for category {wanted}")
    in_force = [t for t in candidates if t.effective_on <= on_day]
    if not in_force:
        first = min(t.effective_on for t in candidates)
        raise NoTariffInForce(
            f"no {candidates[0].category.value} tariff in force on {on_day.isoformat()}: "
            f"the earliest takes effect on {first.isoformat()}"
        )
    latest = max(t.effective_on for t in in_force)
    chosen = [t for t in in_force if t.effective_on == latest]
    if len(chosen) > 1:
        raise ValueError(
            f"{len(chosen)} {chosen[0].category.value} tariffs take effect on {latest.isoformat()}: "
            "keep only one"
        )
    return chosen[0]


# Demo data only (the seed and the tests): the real tariffs are set by admins later.
DEMO_TARIFFS: tuple[Tariff, ...] = (
    Tariff(
        category=VehicleCategory.CAR,
        effective_on=date(2026, 1, 1),
        daily_cents=400,
        weekly_cap_cents=2000,
        monthly_cap_cents=6000,
        deposit_cents=15000,
    ),
    Tariff(
        category=VehicleCategory.VSP,
        effective_on=date(2026, 1, 1),
        daily_cents=300,
        weekly_cap_cents=1500,
        monthly_cap_cents=4500,
        deposit_cents=10000,
    ),
)
