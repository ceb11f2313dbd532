"""The eligibility rules' settings, parsed once at start by create_app.

Settings (all optional, read by `settings_from_config` from the app config; env strings work):

- ELIGIBILITY_RSA_CHECK_MAX_MONTHS (3): how old the last RSA check may be, in months.
- ELIGIBILITY_MAX_ACTIVE_BOOKINGS (1): active bookings a person may hold at once.
- ELIGIBILITY_MAX_DAYS_CAR (90), ELIGIBILITY_MAX_DAYS_VSP (180), ELIGIBILITY_MAX_DAYS_SCOOTER
  and ELIGIBILITY_MAX_DAYS_EBIKE (unset): the longest rental per category, in days. A category
  is offered for rental only when it has one; 0 withdraws it.
- ELIGIBILITY_VSP_MIN_AGE (14): minimum age on the first day for a VSP or a scooter.
- ELIGIBILITY_VSP_NO_LICENCE_BORN_BEFORE (1988-01-01): people born before this day drive a VSP
  or a scooter without any licence (a date, or an ISO string).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from mobility.core.settings import setting_date, setting_int, settings_of
from mobility.fleet.models import VehicleCategory


def _default_max_days() -> Mapping[VehicleCategory, int]:
    return MappingProxyType({VehicleCategory.CAR: 90, VehicleCategory.VSP: 180})


@dataclass(frozen=True)
class EligibilitySettings:
    rsa_check_max_months: int = 3
    max_active_bookings: int = 1
    # Longest rental per category, in days; a category absent from here is not offered.
    max_days: Mapping[VehicleCategory, int] = field(default_factory=_default_max_days)
    vsp_min_age: int = 14
    vsp_no_licence_born_before: date = date(1988, 1, 1)

    def __post_init__(self) -> None:
        for name in ("rsa_check_max_months", "max_active_bookings", "vsp_min_age"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a whole number, 1 or more, got {value!r}")
        for category, days in self.max_days.items():
            if not isinstance(category, VehicleCategory):
                raise ValueError(f"max_days keys are vehicle categories, got {category!r}")
            if not isinstance(days, int) or isinstance(days, bool) or days < 1:
                raise ValueError(f"max_days[{category.value}] must be 1 day or more, got {days!r}")
        if not isinstance(self.vsp_no_licence_born_before, date):
            raise ValueError(
                f"vsp_no_licence_born_before must be a date, got {self.vsp_no_licence_born_before!r}"
            )
        # Read-only, whatever mapping was given.
        object.__setattr__(self, "max_days", MappingProxyType(dict(self.max_days)))

    @property
    def offered_categories(self) -> list[VehicleCategory]:
        return [category for category in VehicleCategory if category in self.max_days]


def settings_from_config(config: Mapping[str, Any]) -> EligibilitySettings:
    """The eligibility settings from the app config: the class's defaults for absent keys."""
    defaults = EligibilitySettings()
    max_days = {}
    for category in VehicleCategory:
        # 0: the category is not offered.
        days = setting_int(
            config, f"ELIGIBILITY_MAX_DAYS_{category.name}", default=defaults.max_days.get(category, 0)
        )
        if days:
            max_days[category] = days
    values = {
        "rsa_check_max_months": setting_int(
            config, "ELIGIBILITY_RSA_CHECK_MAX_MONTHS", minimum=1, default=defaults.rsa_check_max_months
        ),
        # The database holds this rule under concurrency with the partial unique index
        # uq_booking_one_holding_per_beneficiary (one booking per person): above 1 would lie.
        "max_active_bookings": setting_int(
            config, "ELIGIBILITY_MAX_ACTIVE_BOOKINGS", minimum=1, maximum=1, default=defaults.max_active_bookings
        ),
        "vsp_min_age": setting_int(config, "ELIGIBILITY_VSP_MIN_AGE", minimum=1, default=defaults.vsp_min_age),
    }
    return EligibilitySettings(
        max_days=max_days,
        vsp_no_licence_born_before=setting_date(
            config, "ELIGIBILITY_VSP_NO_LICENCE_BORN_BEFORE", default=defaults.vsp_no_licence_born_before
        ),
        **values,
    )


def eligibility_settings() -> EligibilitySettings:
    """The current application's eligibility settings, parsed once by create_app."""
    return settings_of(EligibilitySettings)
