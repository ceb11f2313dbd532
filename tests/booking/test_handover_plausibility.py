"""The odometer question at the counter: a handover reading far above what the car could have
driven since its last reading asks for a confirmation (fleet.services.record_odometer's rule)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mobility.booking.models import BookingStatus, Handover
from mobility.extensions import db
from tests.booking.factories import BookingFactory, handover_form
from tests.fleet.helpers import field_error

# The clock of tests/booking/conftest.py, before any login (sessions are dated).
pytestmark = pytest.mark.usefixtures("frozen")


def test_an_implausible_check_out_reading_asks_and_saves_nothing_until_confirmed(
    client, logged_in, vehicle, person
):
    booking = BookingFactory(vehicle=vehicle, beneficiary=person)
    url = f"/flotte/locations/{booking.id}/remise"
    response = client.post(url, data=handover_form(odometer_km="999 999"))
    assert response.status_code == 422
    assert "vérifiez le chiffre" in field_error(response, "odometer_km")
    assert 'name="odometer_confirmed"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Handover.id))) == 0
    assert booking.status == BookingStatus.CONFIRMED

    assert client.post(url, data=handover_form(odometer_km="999 999", odometer_confirmed="y")).status_code == 302
    assert db.session.scalar(select(Handover.odometer_km)) == 999_999


def test_a_plausible_check_out_reading_shows_no_question(client, logged_in, vehicle, person):
    booking = BookingFactory(vehicle=vehicle, beneficiary=person)
    page = client.get(f"/flotte/locations/{booking.id}/remise").get_data(as_text=True)
    assert 'name="odometer_confirmed"' not in page
