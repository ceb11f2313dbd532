"""Helpers of the booking API tests: the frozen week, tokens, bodies, counts and the error check."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from mobility.auth.models import Role
from mobility.booking.models import Booking, BookingStatus
from mobility.extensions import db
from tests.api.factories import api_token, bearer
from tests.booking.factories import BookingFactory, eligible_beneficiary
from tests.factories import UserFactory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 23 November 2026, 11:00 in Paris
TODAY = date(2026, 11, 23)
WEEK = {"start": "2026-12-07", "end": "2026-12-11"}  # Monday to Friday
# The week as BookingFactory holds it: 7 December 9:00 to 11 December 17:00, Paris time.
HELD_FROM = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
HELD_UNTIL = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)


def token_of(user) -> dict:
    return bearer(api_token(user)[1])


def beneficiary_token(person) -> dict:
    """A token whose account is the person's own (tokens are issued to staff: change the role after)."""
    user = UserFactory(organisation=person.organisation)
    headers = token_of(user)
    user.role = Role.BENEFICIARY
    person.user = user
    db.session.commit()
    return headers


def held(vehicle, **overrides) -> Booking:
    """Someone else's booking holding `vehicle` for the week asked."""
    values = {
        "vehicle": vehicle,
        "status": BookingStatus.APPROVED,
        "beneficiary": eligible_beneficiary(TODAY),
    }
    values.update(overrides)
    return BookingFactory(**values)


def prescription(cars_and_person, **overrides) -> dict:
    body = {
        "beneficiary_id": cars_and_person.person.id,
        "category": "car",
        "basin": "orleans",
        **WEEK,
        "purpose": "job_interview",
        "purpose_detail": "Entrepôt logistique",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def availability(client, headers, **params):
    query = {"category": "car", **WEEK}
    query.update(params)
    return client.get("/api/v1/availability", query_string=query, headers=headers)


def booking_count() -> int:
    return db.session.scalar(select(func.count(Booking.id)))


def assert_error(response, status) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    assert response.json["error"]["status"] == status
    return response.json["error"]
