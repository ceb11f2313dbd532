"""The input boundary on the API: control characters, oversized integers and far dates are the
API's 422 with a French message, never a 500, and nothing is written (both databases)."""

from __future__ import annotations

import pytest

from mobility.booking.models import BookingStatus
from mobility.extensions import db
from tests.api.helpers import assert_error, availability, booking_count, prescription
from tests.booking.factories import BookingFactory

CONTROL = "Le texte contient un caractère invisible non autorisé"


@pytest.mark.parametrize("text", ["Entrepôt\x00logistique", "\x00", "ligne\x1bcachée", "retour\nà la ligne"])
def test_control_characters_in_purpose_detail_are_a_422_naming_the_field(client, cars_and_person, text):
    body = prescription(cars_and_person, purpose_detail=text)
    fields = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 422)["fields"]
    assert fields["purpose_detail"][0].startswith(CONTROL)
    assert booking_count() == 0


def test_a_nul_in_a_cancel_reason_is_a_422_and_the_booking_stays(client, cars_and_person):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0], status=BookingStatus.APPROVED)
    response = client.post(
        f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Erreur\x00"}, headers=cars_and_person.headers
    )
    assert assert_error(response, 422)["fields"]["reason"][0].startswith(CONTROL)
    db.session.refresh(booking)
    assert booking.status == BookingStatus.APPROVED


def test_a_reason_may_run_on_several_lines(client, cars_and_person):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0], status=BookingStatus.APPROVED)
    response = client.post(
        f"/api/v1/bookings/{booking.id}/cancel",
        json={"reason": "Ligne un\r\nLigne deux"},
        headers=cars_and_person.headers,
    )
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/vehicles", "/api/v1/availability"])
def test_a_nul_in_a_query_parameter_is_a_422_not_a_500(client, cars_and_person, path):
    query = (
        "?basin=%00"
        if path.endswith("vehicles")
        else "?category=car&start=2026-12-07&end=2026-12-11&basin=%00"
    )
    response = client.get(path + query, headers=cars_and_person.headers)
    assert assert_error(response, 422)["fields"]["basin"][0].startswith(CONTROL)


@pytest.mark.parametrize("query", ["page=2147483648", "page=" + "9" * 30, "per_page=99999999999"])
def test_integers_too_large_for_the_database_in_the_query_are_a_422(client, cars_and_person, query):
    error = assert_error(client.get(f"/api/v1/beneficiaries?{query}", headers=cars_and_person.headers), 422)
    assert error["fields"] and all(
        m.startswith("Saisissez un nombre entier de 1 à") for ms in error["fields"].values() for m in ms
    )


@pytest.mark.parametrize("value", [2**31, 2**63, 10**40])
def test_ids_too_large_for_the_database_are_a_422_in_french(client, cars_and_person, value):
    body = prescription(cars_and_person, beneficiary_id=value, vehicle_id=value)
    fields = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 422)["fields"]
    assert fields["beneficiary_id"] == ["Ce nombre est trop grand."]
    assert fields["vehicle_id"] == ["Ce nombre est trop grand."]


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_far_dates_are_a_422_with_the_range_in_french(client, cars_and_person, day):
    response = availability(client, cars_and_person.headers, start=day, end=day)
    fields = assert_error(response, 422)["fields"]
    assert fields["start"] == ["Saisissez une date entre 1900 et 2200."]
    body = prescription(cars_and_person, start=day, end="2026-12-11")
    fields = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 422)["fields"]
    assert fields["start"] == ["Saisissez une date entre 1900 et 2200."]
    assert booking_count() == 0


def test_an_unknown_query_parameter_is_named_in_the_422(client, cars_and_person):
    response = client.get("/api/v1/vehicles?categorie=car", headers=cars_and_person.headers)
    assert assert_error(response, 422)["fields"] == {"categorie": ["Paramètre inconnu."]}
