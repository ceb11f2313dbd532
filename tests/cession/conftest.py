from __future__ import annotations


import pytest

from tests.cession.factories import ConventionFactory


@pytest.fixture
def convention(fleet_user):
    return ConventionFactory(association=fleet_user.organisation)
