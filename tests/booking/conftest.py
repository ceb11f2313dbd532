"""Fixtures the booking tests share: an association's staff, its site and car, a person who may
rent, and the staff logged in."""

from __future__ import annotations

from datetime import date

import pytest

from tests.booking.factories import eligible_beneficiary
from tests.fleet.factories import OdometerReadingFactory, VehicleFactory


@pytest.fixture
def vehicle(site):
    car = VehicleFactory(site=site, plate="AB-123-CD")
    OdometerReadingFactory(vehicle=car, read_on=date(2026, 11, 2), km=45_000)
    return car


@pytest.fixture
def person():
    return eligible_beneficiary(date(2026, 11, 23), first_name="Prénom", last_name="Locataire", phone="06 11 22 33 44")
