"""GET /api/v1/fines: an association's token lists its own fines; others get 403; every
answer checked against the generated description (the conftest's client)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mobility.audit.models import AuditEvent
from mobility.extensions import db
from mobility.fines.models import FineStatus
from tests.api.helpers import NOW, assert_error, token_of

FROZEN_AT = NOW
from tests.factories import UserFactory
from tests.fines.factories import FineFactory, fleet_vehicle, rental


@pytest.fixture
def rental_fines(app, frozen):
    staff = UserFactory(fleet=True)
    vehicle = fleet_vehicle(staff)
    booking = rental(vehicle, datetime(2026, 10, 5, 7, 0, tzinfo=UTC), datetime(2026, 10, 9, 15, 0, tzinfo=UTC))
    identified = FineFactory(vehicle=vehicle, booking=booking, beneficiary=booking.beneficiary,
                             status=FineStatus.DRIVER_IDENTIFIED, offence_at=datetime(2026, 10, 7, 12, 0, tzinfo=UTC))
    received = FineFactory(vehicle=vehicle, offence_at=datetime(2026, 9, 1, 12, 0, tzinfo=UTC),
                           notice_sent_on=date(2026, 9, 10), designation_due_on=date(2026, 10, 25))
    other_staff = UserFactory(fleet=True)
    theirs = FineFactory(vehicle=fleet_vehicle(other_staff))
    return {"staff": staff, "identified": identified, "received": received, "theirs": theirs, "booking": booking}


def test_an_association_token_lists_its_own_fines_newest_first_with_days_left(client, rental_fines):
    response = client.get("/api/v1/fines", headers=token_of(rental_fines["staff"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["count"] == 2
    assert [item["id"] for item in body["fines"]] == [rental_fines["identified"].id, rental_fines["received"].id]
    first = body["fines"][0]
    assert first["offence_at"] == "2026-10-07T14:00:00+02:00"
    assert first["designation_due_on"] == "2026-11-26" and first["days_left"] == 3
    assert first["beneficiary_id"] == rental_fines["booking"].beneficiary_id and first["booking_id"] == rental_fines["booking"].id
    assert "display_name" not in first and "first_name" not in first
    assert body["fines"][1]["days_left"] == -29
    reads = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "fine"))
    assert reads == 2


def test_the_status_filter_and_bad_parameters(client, rental_fines):
    headers = token_of(rental_fines["staff"])
    response = client.get("/api/v1/fines?status=received", headers=headers)
    assert [item["id"] for item in response.json["fines"]] == [rental_fines["received"].id]
    error = assert_error(client.get("/api/v1/fines?status=paid", headers=headers), 422)
    assert "status" in error["fields"]
    assert_error(client.get("/api/v1/fines?vehicle=1", headers=headers), 422)


@pytest.mark.parametrize("role", ["admin", "referent"])
def test_other_tokens_are_refused(client, rental_fines, role):
    user = UserFactory(admin=True) if role == "admin" else rental_fines["booking"].beneficiary.referent
    error = assert_error(client.get("/api/v1/fines", headers=token_of(user)), 403)
    assert "associations" in error["message"]


def test_the_operation_is_in_the_generated_description(client, app):
    spec = client.get("/api/v1/openapi.json").json
    assert "/fines" in spec["paths"]
    assert spec["paths"]["/fines"]["get"]["operationId"] == "list_fines"
    assert "FineSchema" in str(spec["components"]["schemas"]) or "Fine" in spec["components"]["schemas"]
