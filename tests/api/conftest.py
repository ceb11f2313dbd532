"""Fixtures of the API tests: the world they run in, and a client whose every answer under
/api/v1 is checked against the OpenAPI description that the app generates."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient

from mobility.api.spec import api
from tests.api.factories import api_token, bearer
from tests.api.helpers import NOW, TODAY
from tests.booking.factories import add_demo_tariffs, eligible_beneficiary
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.api.openapi_check import OpenApiCheck
from tests.reporting.conftest import plan  # noqa: F401 (the hand-computed plan, for the reporting API)


class CheckedClient(FlaskClient):
    """A test client that checks each API answer against the generated description."""

    openapi: OpenApiCheck

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        self.openapi.check(request.method, request.path, response)
        return response


@pytest.fixture
def client(app):
    app.test_client_class = CheckedClient
    client = app.test_client()
    client.openapi = OpenApiCheck(api.spec.to_dict())
    return client


@pytest.fixture
def frozen_at(request):
    """The API tests live on NOW, unless their module names another moment."""
    return getattr(request.module, "FROZEN_AT", NOW)


@pytest.fixture
def cars_and_person(app, frozen):
    """Two cars in Orléans, one in Montargis; a person followed by a référent, who may rent a car."""
    add_demo_tariffs()
    orleans = SiteFactory(orleans=True, name="Garage d'Orléans")
    cars = [VehicleFactory(site=orleans, plate="AA-001-AA"), VehicleFactory(site=orleans, plate="AA-002-AA")]
    montargis_car = VehicleFactory(plate="BB-001-BB")
    person = eligible_beneficiary(TODAY, commune_insee="45234")
    referent = person.referent
    _, secret = api_token(referent)
    return SimpleNamespace(
        orleans=orleans,
        cars=cars,
        montargis_car=montargis_car,
        person=person,
        referent=referent,
        headers=bearer(secret),
    )
