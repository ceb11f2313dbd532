from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.cession.factories import ConventionFactory
from tests.factories import UserFactory


@pytest.fixture
def frozen_today(time_machine):
    """Monday 23 November 2026, 10:00 in Paris. List it before any login: sessions are dated."""
    time_machine.move_to(datetime(2026, 11, 23, 9, tzinfo=UTC))
    return date(2026, 11, 23)


@pytest.fixture
def admin(app):
    return UserFactory(admin=True)


@pytest.fixture
def fleet_user(app):
    return UserFactory(fleet=True)


@pytest.fixture
def other_fleet_user(app):
    return UserFactory(fleet=True)


@pytest.fixture
def convention(fleet_user):
    return ConventionFactory(association=fleet_user.organisation)
