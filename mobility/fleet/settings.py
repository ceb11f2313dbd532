"""The fleet floor's settings, parsed once at start (see mobility.core.settings)."""

from __future__ import annotations

from dataclasses import dataclass

from mobility.core.settings import setting_int, settings_of


@dataclass(frozen=True)
class FleetSettings:
    # Above this many km per day since the last reading, a reading is asked to be confirmed:
    # 54,800 then 999,999 km is a typo far more often than a journey.
    odometer_max_km_per_day: int

    @classmethod
    def from_config(cls, config) -> FleetSettings:
        return cls(
            odometer_max_km_per_day=setting_int(config, "ODOMETER_MAX_KM_PER_DAY", minimum=1, maximum=100_000)
        )


def fleet_settings() -> FleetSettings:
    return settings_of(FleetSettings)
