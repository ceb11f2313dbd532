"""GET /api/v1/incidents: an association's token sees its own, a référent's their people's,
admins nothing one by one; every answer checked against the generated OpenAPI description."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mobility.api.spec import api
from mobility.audit.models import AuditEvent
from mobility.extensions import db
from mobility.incidents import services
from mobility.incidents.models import IncidentKind
from mobility.incidents.services import ClaimDetails, IncidentReport
from tests.api.conftest import CheckedClient
from tests.api.helpers import assert_error, token_of
from tests.api.openapi_check import OpenApiCheck
from tests.factories import UserFactory
from tests.fleet.factories import VehicleFactory


@pytest.fixture
def api_client(app):
    app.test_client_class = CheckedClient
    client = app.test_client()
    client.openapi = OpenApiCheck(api.spec.to_dict())
    return client


@pytest.fixture
def incidents(rental_in_progress):
    ours = services.report_incident(
        rental_in_progress["vehicle"], rental_in_progress["booking"],
        IncidentReport(IncidentKind.ACCIDENT, datetime(2026, 12, 8, 14, 0, tzinfo=UTC), "Orléans", "Choc."),
        [], rental_in_progress["staff"],
    )
    services.record_claim(ours, ClaimDetails("AX-1", date(2026, 12, 9), None, 40000, 15000, None),
                          rental_in_progress["staff"], date(2026, 12, 9))
    elsewhere_vehicle = VehicleFactory(association=rental_in_progress["other_staff"].organisation,
                                       site__association=rental_in_progress["other_staff"].organisation)
    theirs = services.report_incident(
        elsewhere_vehicle, None,
        IncidentReport(IncidentKind.VANDALISM, datetime(2026, 12, 8, 9, 0, tzinfo=UTC), "Gien", "Vitre."),
        [], rental_in_progress["other_staff"],
    )
    db.session.commit()
    return {"ours": ours, "theirs": theirs}


def test_an_association_token_lists_its_own_incidents_with_their_claim(api_client, rental_in_progress, incidents):
    response = api_client.get("/api/v1/incidents", headers=token_of(rental_in_progress["staff"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["count"] == 1
    [item] = body["incidents"]
    assert item["reference"] == incidents["ours"].reference and item["kind"] == "accident"
    assert item["vehicle"]["plate"] == rental_in_progress["vehicle"].plate
    assert item["booking_reference"] == rental_in_progress["booking"].reference
    assert item["claim"]["insurer_reference"] == "AX-1" and item["claim"]["deadline_on"] == "2026-12-15"
    assert "description" not in item and "place" not in item
    assert db.session.scalar(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.object_type == "incident", AuditEvent.action == "read")
    ) == 1


def test_the_persons_referent_sees_the_incident_another_referent_does_not(api_client, rental_in_progress, incidents):
    assert api_client.get("/api/v1/incidents", headers=token_of(rental_in_progress["referent"])).json["count"] == 1
    colleague = UserFactory(organisation=rental_in_progress["referent"].organisation)
    assert api_client.get("/api/v1/incidents", headers=token_of(colleague)).json["count"] == 0


def test_an_admin_token_gets_figures_only_never_the_incidents(api_client, rental_in_progress, incidents):
    error = assert_error(api_client.get("/api/v1/incidents", headers=token_of(UserFactory(admin=True))), 403)
    assert "chiffres" in error["message"]


def test_a_bad_filter_is_refused_in_french(api_client, rental_in_progress, incidents):
    error = assert_error(api_client.get("/api/v1/incidents?kind=meteor", headers=token_of(rental_in_progress["staff"])), 422)
    assert "Valeur inconnue" in str(error["fields"])


def test_the_operation_is_in_the_openapi_description(api_client):
    spec = api_client.get("/api/v1/openapi.json").json
    assert "get" in spec["paths"]["/incidents"]
    assert spec["paths"]["/incidents"]["get"]["operationId"] == "list_incidents"
