"""Settings are parsed once at start: a bad value stops create_app, naming the variable."""

from __future__ import annotations

from datetime import time

import pytest

from mobility.booking.settings import BookingSettings, booking_settings
from mobility.config import ConfigurationError


@pytest.mark.parametrize(
    "key, value",
    [
        ("BOOKING_DEFAULT_PICKUP_TIME", "9h"),
        ("BOOKING_DEFAULT_PICKUP_TIME", "25:00"),
        ("BOOKING_DEFAULT_RETURN_TIME", "dix-sept heures"),
        ("BOOKING_DEFAULT_RETURN_TIME", "08:00"),  # before the pickup time
        ("BOOKING_REQUEST_EXPIRY_HOURS", "trois jours"),
        ("BOOKING_REQUEST_EXPIRY_HOURS", "0"),
        ("WAITING_OFFER_HOURS", "-4"),
        ("BOOKING_MAX_PAYMENT_FACTOR", "0"),
        ("ELIGIBILITY_MAX_DAYS_CAR", "-1"),
    ],
)
def test_a_bad_setting_stops_the_service_at_start_with_the_variable_named(make_app, key, value):
    with pytest.raises(ConfigurationError, match=key):
        make_app(**{key: value})


def test_the_booking_settings_are_typed_and_built_once(make_app):
    app = make_app(BOOKING_DEFAULT_PICKUP_TIME="08:30", WAITING_OFFER_HOURS="24")
    with app.app_context():
        settings = booking_settings()
        assert settings == BookingSettings(
            request_expiry_hours=72, offer_hours=24, default_pickup_time=time(8, 30), default_return_time=time(17, 0),
            max_payment_factor=2,
        )
        app.config["BOOKING_DEFAULT_PICKUP_TIME"] = "nonsense"  # read once: later changes are not seen
        assert booking_settings() is settings
