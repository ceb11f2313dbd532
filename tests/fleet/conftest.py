from __future__ import annotations


import pytest

from tests.fleet.factories import SiteFactory


@pytest.fixture
def foreign_site(other_fleet_user):
    return SiteFactory(association=other_fleet_user.organisation, name="Site de l'autre association")
