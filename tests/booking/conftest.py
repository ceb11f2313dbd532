"""Fixtures the booking tests share: the clock most of them read, an association's staff, its
site and car, a person who may rent, and the staff logged in (a file may define its own)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.booking.factories import eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import OdometerReadingFactory, SiteFactory, VehicleFactory

# Monday 23 November 2026, 10:00 in France: the moment most booking tests live in.
MONDAY_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):
    """The clock stopped on MONDAY_MORNING; list it before any login (sessions are dated).
    Files that live at another moment define their own."""
    time_machine.move_to(MONDAY_MORNING, tick=False)
    return time_machine


@pytest.fixture
def fleet_user(app):
    return UserFactory(fleet=True, full_name="Gestion Flotte")


@pytest.fixture
def site(fleet_user):
    return SiteFactory(association=fleet_user.organisation, name="Garage solidaire")


@pytest.fixture
def vehicle(site):
    car = VehicleFactory(site=site, plate="AB-123-CD")
    OdometerReadingFactory(vehicle=car, read_on=date(2026, 11, 2), km=45_000)
    return car


@pytest.fixture
def person():
    return eligible_beneficiary(date(2026, 11, 23), first_name="Prénom", last_name="Locataire", phone="06 11 22 33 44")


@pytest.fixture
def logged_in(auth, fleet_user):
    auth.login(fleet_user)
    return fleet_user
