"""The booking floor's settings, parsed once at start (see mobility.core.settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from mobility.config import ConfigurationError
from mobility.core.settings import setting_int, setting_time, settings_of


@dataclass(frozen=True)
class BookingSettings:
    request_expiry_hours: int
    offer_hours: int
    default_pickup_time: time
    default_return_time: time
    max_payment_factor: int

    @classmethod
    def from_config(cls, config) -> BookingSettings:
        settings = cls(
            request_expiry_hours=setting_int(config, "BOOKING_REQUEST_EXPIRY_HOURS", minimum=1, maximum=24 * 60),
            offer_hours=setting_int(config, "WAITING_OFFER_HOURS", minimum=1, maximum=24 * 60),
            default_pickup_time=setting_time(config, "BOOKING_DEFAULT_PICKUP_TIME"),
            default_return_time=setting_time(config, "BOOKING_DEFAULT_RETURN_TIME"),
            max_payment_factor=setting_int(config, "BOOKING_MAX_PAYMENT_FACTOR", minimum=1, maximum=10),
        )
        if settings.default_return_time <= settings.default_pickup_time:
            raise ConfigurationError(
                "BOOKING_DEFAULT_RETURN_TIME must be later in the day than BOOKING_DEFAULT_PICKUP_TIME"
            )
        return settings


def booking_settings() -> BookingSettings:
    return settings_of(BookingSettings)
