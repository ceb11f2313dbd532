from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory


@pytest.fixture
def fleet_user(app):
    return UserFactory(fleet=True)


@pytest.fixture
def site(fleet_user):
    return SiteFactory(association=fleet_user.organisation, name="Garage solidaire")


@pytest.fixture
def other_fleet_user(app):
    """Staff of another association."""
    return UserFactory(fleet=True)


@pytest.fixture
def foreign_site(other_fleet_user):
    return SiteFactory(association=other_fleet_user.organisation, name="Site de l'autre association")


@pytest.fixture
def logged_in(auth, fleet_user):
    auth.login(fleet_user)
    return fleet_user


@pytest.fixture
def frozen_today(time_machine):
    """Monday 23 November 2026, 10:00 in Paris. List it before `logged_in`: sessions are dated."""
    time_machine.move_to(datetime(2026, 11, 23, 9, tzinfo=UTC))
    return date(2026, 11, 23)


@pytest.fixture
def frozen(time_machine):
    """Monday 23 November 2026, 10:00 in France; list it before any login (sessions are dated)."""
    time_machine.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tick=False)
    return time_machine
