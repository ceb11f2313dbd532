"""/api/v1/bookings: prescribing, reading and cancelling a booking, as a client sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.booking.models import Booking, BookingStatus, BookingTransition
from mobility.extensions import db
from tests.api.factories import bearer
from tests.api.helpers import (
    TODAY,
    assert_error,
    availability,
    beneficiary_token,
    booking_count,
    held,
    prescription,
    token_of,
)
from tests.booking.factories import BookingFactory, eligible_beneficiary
from tests.factories import OrganisationFactory, UserFactory
from tests.fleet.factories import VehicleFactory


# Authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/availability?category=car&start=2026-12-07&end=2026-12-11"),
        ("post", "/api/v1/bookings"),
        ("get", "/api/v1/bookings/1"),
        ("post", "/api/v1/bookings/1/cancel"),
        ("get", "/api/v1/beneficiaries"),
    ],
)
def test_every_booking_endpoint_without_a_valid_token_gets_a_json_401(client, cars_and_person, method, path):
    for headers in ({}, bearer("pas-un-vrai-jeton")):
        response = getattr(client, method)(path, headers=headers, json={})
        error = assert_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "jeton" in error["message"].lower()


def test_a_post_needs_no_csrf_token_only_the_bearer_token(app, client, cars_and_person):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=cars_and_person.headers)
    assert response.status_code == 201


# Prescriptions -----------------------------------------------------------------------------


def test_a_referent_prescribes_for_a_person_followed_and_gets_the_approved_booking(client, cars_and_person):
    response = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=cars_and_person.headers)
    assert response.status_code == 201, response.json
    body = response.json
    booking = db.session.get(Booking, body["id"])
    assert response.headers["Location"].endswith(f"/api/v1/bookings/{booking.id}")
    assert body["reference"] == booking.reference == f"L-{booking.id:06d}"
    assert body["status"] == "approved"
    assert body["beneficiary_id"] == cars_and_person.person.id
    assert (body["category"], body["basin"]) == ("car", "orleans")
    assert body["vehicle"]["id"] in {car.id for car in cars_and_person.cars}
    assert "plate" not in body["vehicle"]
    assert body["site"] == body["vehicle"]["site"]
    assert body["site"]["name"] == "Garage d'Orléans"
    assert (body["start"], body["end"]) == ("2026-12-07T09:00:00+01:00", "2026-12-11T17:00:00+01:00")
    assert (body["days"], body["price_cents"], body["deposit_cents"]) == (5, 2000, 15000)
    assert body["expires_at"] is None
    assert (body["purpose"], body["purpose_detail"]) == ("job_interview", "Entrepôt logistique")
    assert booking.status == BookingStatus.APPROVED
    assert booking.requested_by_id == cars_and_person.referent.id
    log = db.session.scalars(
        select(BookingTransition).where(BookingTransition.booking_id == booking.id)
    ).all()
    assert [(t.action, t.to_status, t.actor_id) for t in log] == [
        ("prescribe", BookingStatus.APPROVED, cars_and_person.referent.id)
    ]


def test_a_prescription_may_name_a_vehicle_and_its_times(client, cars_and_person):
    wanted = cars_and_person.cars[1]
    body = prescription(cars_and_person, basin=None, vehicle_id=wanted.id, pickup_time="08:00", return_time="18:30")
    response = client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers)
    assert response.status_code == 201
    assert response.json["vehicle"]["id"] == wanted.id
    assert (response.json["start"], response.json["end"]) == (
        "2026-12-07T08:00:00+01:00",
        "2026-12-11T18:30:00+01:00",
    )


def test_an_admin_prescribes_for_a_person_the_departement_follows_and_sees_the_plate(client, cars_and_person):
    departement = OrganisationFactory(departement=True)
    person = eligible_beneficiary(TODAY, referent=UserFactory(organisation=departement))
    admin = UserFactory(admin=True, organisation=departement)
    response = client.post(
        "/api/v1/bookings", json=prescription(cars_and_person, beneficiary_id=person.id), headers=token_of(admin)
    )
    assert response.status_code == 201
    assert response.json["vehicle"]["plate"] in {"AA-001-AA", "AA-002-AA"}


def test_a_person_another_organisation_follows_is_not_found_and_nothing_is_written(client, cars_and_person):
    stranger = eligible_beneficiary(TODAY)  # followed by another organisation
    response = client.post(
        "/api/v1/bookings", json=prescription(cars_and_person, beneficiary_id=stranger.id), headers=cars_and_person.headers
    )
    error = assert_error(response, 404)
    assert error["message"] == "Cette ressource n'existe pas ou vous n'y avez pas accès."
    admin = UserFactory(admin=True)
    response = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=token_of(admin))
    assert_error(response, 404)
    assert booking_count() == 0


@pytest.mark.parametrize("role", ["fleet", "beneficiary"])
def test_fleet_staff_and_beneficiaries_may_not_prescribe(client, cars_and_person, role):
    headers = token_of(UserFactory(fleet=True)) if role == "fleet" else beneficiary_token(cars_and_person.person)
    response = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=headers)
    error = assert_error(response, 403)
    assert error["message"] == (
        "Seuls les référents et les administrateurs peuvent demander une location pour une personne."
    )
    assert booking_count() == 0


def test_an_ineligible_person_gets_a_422_with_every_refusal_and_what_to_do(client, cars_and_person):
    person = eligible_beneficiary(
        TODAY,
        referent=cars_and_person.referent,
        licence_b=False,
        rsa_checked_on=TODAY - timedelta(days=200),
    )
    response = client.post(
        "/api/v1/bookings", json=prescription(cars_and_person, beneficiary_id=person.id), headers=cars_and_person.headers
    )
    error = assert_error(response, 422)
    assert error["message"].startswith("La location ne peut pas être demandée pour l'instant")
    assert [r["code"] for r in error["refusals"]] == ["licence_b_missing", "rsa_check_too_old"]
    assert all(r["message"] and r["what_to_do"] for r in error["refusals"])
    assert error["fields"] == {"beneficiary_id": [r["message"] for r in error["refusals"]]}
    assert booking_count() == 0


def test_a_request_refused_for_its_dates_or_purpose_names_those_fields(client, cars_and_person):
    body = prescription(cars_and_person, start="2026-11-20", end="2026-11-24", purpose="other", purpose_detail=None)
    error = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 422)
    assert [r["code"] for r in error["refusals"]] == ["start_in_past", "purpose_detail_missing"]
    assert set(error["fields"]) == {"start", "purpose_detail"}


def test_a_person_already_holding_a_booking_is_refused_a_second_one(client, cars_and_person):
    assert client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=cars_and_person.headers).status_code == 201
    later = prescription(cars_and_person, start="2026-12-20", end="2026-12-22")
    error = assert_error(client.post("/api/v1/bookings", json=later, headers=cars_and_person.headers), 422)
    assert [r["code"] for r in error["refusals"]] == ["active_booking_exists"]
    assert booking_count() == 1


def test_a_vehicle_already_held_gets_a_409_with_the_free_alternatives_and_no_plate(client, cars_and_person):
    held(cars_and_person.cars[0])
    body = prescription(cars_and_person, basin=None, vehicle_id=cars_and_person.cars[0].id)
    error = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 409)
    assert error["message"].startswith("Le véhicule vient d'être réservé par quelqu'un d'autre")
    alternatives = error["alternatives"]
    assert [v["id"] for v in alternatives["vehicles"]] == [cars_and_person.cars[1].id]
    assert "plate" not in alternatives["vehicles"][0]
    assert alternatives["basins"] == [{"basin": "montargis", "name": "Montargis", "free": 1}]
    assert booking_count() == 1


def test_nothing_free_in_the_basin_gets_a_409_with_other_dates_and_basins(client, cars_and_person):
    held(cars_and_person.cars[0])
    held(cars_and_person.cars[1])
    error = assert_error(
        client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=cars_and_person.headers), 409
    )
    assert error["message"].startswith("Aucun véhicule de ce type n'est libre sur ces dates dans ce bassin")
    alternatives = error["alternatives"]
    assert alternatives["vehicles"] == []
    assert alternatives["dates"][0] == {"start": "2026-12-02", "end": "2026-12-06"}
    assert alternatives["basins"] == [{"basin": "montargis", "name": "Montargis", "free": 1}]
    assert booking_count() == 2


def test_bad_fields_get_a_422_naming_each_one_and_nothing_is_written(client, cars_and_person):
    body = {
        "beneficiary_id": "12",
        "category": "camion",
        "basin": 3,
        "start": "demain",
        "end": 20261211,
        "purpose": "vacances",
        "purpose_detail": "x" * 201,
        "pickup_time": "25:00",
    }
    fields = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 422)["fields"]
    assert set(fields) == {
        "beneficiary_id",
        "category",
        "basin",
        "start",
        "end",
        "purpose",
        "purpose_detail",
        "pickup_time",
    }
    assert fields["beneficiary_id"] == [
        "Saisissez un identifiant : un nombre entier positif, par exemple 12."
    ]
    assert fields["purpose"][0].startswith("Valeur inconnue. Valeurs possibles : job_interview, job,")
    assert fields["purpose_detail"] == ["Ce champ ne doit pas dépasser 200 caractères."]
    assert booking_count() == 0


def test_missing_fields_and_neither_basin_nor_vehicle_get_a_422(client, cars_and_person):
    fields = assert_error(client.post("/api/v1/bookings", json={}, headers=cars_and_person.headers), 422)["fields"]
    assert fields == {
        "beneficiary_id": ["Ce champ est obligatoire."],
        "category": ["Ce champ est obligatoire."],
        "basin": ["Choisissez un bassin d'emploi, ou un véhicule (vehicle_id)."],
        "start": ["Ce champ est obligatoire."],
        "end": ["Ce champ est obligatoire."],
        "purpose": ["Ce champ est obligatoire."],
    }


@pytest.mark.parametrize("value", [True, 0, -3, 2**31, 10**40, 1.5])
def test_what_is_not_a_database_id_is_a_422_not_an_error_page(client, cars_and_person, value):
    body = prescription(cars_and_person, beneficiary_id=value, vehicle_id=value)
    fields = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 422)["fields"]
    assert set(fields) == {"beneficiary_id", "vehicle_id"}


@pytest.mark.parametrize(
    "data",
    [b"{", b"[1, 2]", b'"texte"', b"", b"[" * 100_000 + b"]" * 100_000, b'{"purpose": "\xff"}'],
    ids=["truncated", "array", "string", "empty", "deeply-nested", "not-utf8"],
)
def test_a_body_that_is_not_a_json_object_gets_a_400(client, cars_and_person, data):
    response = client.post(
        "/api/v1/bookings", data=data, content_type="application/json", headers=cars_and_person.headers
    )
    error = assert_error(response, 400)
    assert error["message"].startswith("Le corps de la demande doit être un objet JSON")


def test_text_that_cannot_be_stored_is_a_422_not_an_error_page(client, cars_and_person):
    body = prescription(cars_and_person, purpose_detail="\udcff", basin="\udcff")
    fields = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 422)["fields"]
    assert fields["purpose_detail"] == ["Saisissez un texte."]
    assert set(fields) == {"purpose_detail", "basin"}


def test_a_vehicle_of_another_category_is_refused_on_vehicle_id(client, cars_and_person):
    vsp = VehicleFactory(vsp=True, site=cars_and_person.orleans)
    body = prescription(cars_and_person, basin=None, vehicle_id=vsp.id)
    error = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 422)
    assert error["fields"] == {"vehicle_id": ["Ce véhicule n'existe pas ou ne peut pas être loué."]}


def test_a_return_before_the_pickup_on_the_same_day_is_refused_on_return_time(client, cars_and_person):
    body = prescription(cars_and_person, start="2026-12-07", end="2026-12-07", pickup_time="17:00", return_time="09:00")
    error = assert_error(client.post("/api/v1/bookings", json=body, headers=cars_and_person.headers), 422)
    assert error["fields"] == {
        "return_time": ["L'heure de retour doit être après l'heure de prise en charge."]
    }


# One booking -------------------------------------------------------------------------------


def test_a_booking_is_shown_to_the_referent_of_the_person_and_to_no_other_organisation(client, cars_and_person):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0])
    response = client.get(f"/api/v1/bookings/{booking.id}", headers=cars_and_person.headers)
    assert response.status_code == 200
    assert response.json["reference"] == booking.reference
    assert response.json["status"] == "confirmed"
    # Confirmed: the person's side knows which car to look for (privacy.plate_shown).
    assert response.json["vehicle"]["plate"] == cars_and_person.cars[0].plate
    other_referent = UserFactory()
    assert_error(client.get(f"/api/v1/bookings/{booking.id}", headers=token_of(other_referent)), 404)


def test_fleet_staff_see_their_association_s_booking_with_the_plate_and_not_another_s(client, cars_and_person):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0])
    own_staff = UserFactory(fleet=True, organisation=cars_and_person.orleans.association)
    response = client.get(f"/api/v1/bookings/{booking.id}", headers=token_of(own_staff))
    assert response.json["vehicle"]["plate"] == "AA-001-AA"
    assert_error(client.get(f"/api/v1/bookings/{booking.id}", headers=token_of(UserFactory(fleet=True))), 404)


def test_a_beneficiary_sees_their_own_booking_and_not_someone_else_s(client, cars_and_person):
    own = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0])
    other = held(cars_and_person.cars[1])
    headers = beneficiary_token(cars_and_person.person)
    assert client.get(f"/api/v1/bookings/{own.id}", headers=headers).status_code == 200
    assert_error(client.get(f"/api/v1/bookings/{other.id}", headers=headers), 404)


@pytest.mark.parametrize("booking_id", ["999", "99999999999999999999999"])
def test_an_unknown_or_absurd_booking_id_gets_a_json_404(client, cars_and_person, booking_id):
    assert_error(client.get(f"/api/v1/bookings/{booking_id}", headers=cars_and_person.headers), 404)


# Cancelling --------------------------------------------------------------------------------


def test_a_referent_cancels_with_a_reason_and_the_car_is_free_again(client, cars_and_person):
    booking = client.post(
        "/api/v1/bookings",
        json=prescription(cars_and_person, basin=None, vehicle_id=cars_and_person.cars[0].id),
        headers=cars_and_person.headers,
    ).json
    assert availability(client, cars_and_person.headers, basin="orleans").json["count"] == 1
    response = client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"reason": "Entretien reporté"},
        headers=cars_and_person.headers,
    )
    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    last = db.session.scalars(select(BookingTransition).order_by(BookingTransition.id.desc())).first()
    assert (last.action, last.to_status, last.reason, last.actor_id) == (
        "cancel",
        BookingStatus.CANCELLED,
        "Entretien reporté",
        cars_and_person.referent.id,
    )
    assert availability(client, cars_and_person.headers, basin="orleans").json["count"] == 2


@pytest.mark.parametrize("body", [None, {}, {"reason": "   "}])
def test_staff_cancelling_without_a_reason_get_a_422_on_reason(client, cars_and_person, body):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0], status=BookingStatus.APPROVED)
    response = client.post(f"/api/v1/bookings/{booking.id}/cancel", json=body, headers=cars_and_person.headers)
    error = assert_error(response, 422)
    assert error["fields"] == {"reason": ["Indiquez la raison : la personne la lira."]}
    db.session.refresh(booking)
    assert booking.status == BookingStatus.APPROVED


def test_a_reason_that_is_not_text_or_too_long_gets_a_422(client, cars_and_person):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0])
    for reason, message in (
        (["non"], "Saisissez un texte."),
        ("x" * 1001, "La raison ne doit pas dépasser 1 000 caractères."),
    ):
        response = client.post(
            f"/api/v1/bookings/{booking.id}/cancel", json={"reason": reason}, headers=cars_and_person.headers
        )
        assert assert_error(response, 422)["fields"] == {"reason": [message]}


def test_cancelling_a_returned_booking_is_an_illegal_move_409_in_french(client, cars_and_person):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0], status=BookingStatus.RETURNED)
    response = client.post(
        f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Erreur"}, headers=cars_and_person.headers
    )
    error = assert_error(response, 409)
    assert error["message"].startswith(
        f"Action impossible : la location {booking.reference} est « terminée »"
    )
    db.session.refresh(booking)
    assert booking.status == BookingStatus.RETURNED


def test_a_beneficiary_cancels_their_own_booking_with_an_empty_body(client, cars_and_person):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0], status=BookingStatus.REQUESTED)
    response = client.post(f"/api/v1/bookings/{booking.id}/cancel", headers=beneficiary_token(cars_and_person.person))
    assert response.status_code == 200
    assert response.json["status"] == "cancelled"


def test_cancelling_a_booking_of_another_organisation_gets_404_and_changes_nothing(client, cars_and_person):
    other = held(cars_and_person.cars[1])
    response = client.post(
        f"/api/v1/bookings/{other.id}/cancel", json={"reason": "Essai"}, headers=cars_and_person.headers
    )
    assert_error(response, 404)
    db.session.refresh(other)
    assert other.status == BookingStatus.APPROVED


def test_reading_a_booking_through_the_api_is_in_the_access_log(client, cars_and_person):

    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0])
    assert client.get(f"/api/v1/bookings/{booking.id}", headers=cars_and_person.headers).status_code == 200
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "booking", AuditEvent.object_id == booking.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [(AuditAction.READ, cars_and_person.referent.id)]
