"""Idempotency-Key on POST /api/v1/bookings and /bookings/{id}/cancel: a retry gets the first answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mobility.api.models import IdempotencyKey
from mobility.booking.models import BookingStatus, BookingTransition
from mobility.extensions import db
from tests.api.helpers import NOW, assert_error, booking_count, prescription, token_of
from tests.booking.factories import BookingFactory
from tests.factories import UserFactory

KEY = {"Idempotency-Key": "3f0c2a9e-prescription-1"}


def test_a_retried_booking_with_its_key_gets_the_first_answer_and_there_is_still_one_booking(client, cars_and_person):
    headers = {**cars_and_person.headers, **KEY}
    first = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=headers)
    assert first.status_code == 201
    retry = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=headers)
    assert retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers["Location"] == first.headers["Location"]
    assert booking_count() == 1


def test_without_a_key_the_retry_is_refused_as_a_second_booking(client, cars_and_person):
    assert client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=cars_and_person.headers).status_code == 201
    retry = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=cars_and_person.headers)
    assert [r["code"] for r in assert_error(retry, 422)["refusals"]] == ["active_booking_exists"]


def test_the_same_key_with_another_body_is_refused_in_french_and_changes_nothing(client, cars_and_person):
    headers = {**cars_and_person.headers, **KEY}
    assert client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=headers).status_code == 201
    other = client.post(
        "/api/v1/bookings", json=prescription(cars_and_person, start="2026-12-14", end="2026-12-18"), headers=headers
    )
    error = assert_error(other, 422)
    assert error["message"].startswith("Cette clé d'idempotence a déjà servi pour une autre demande")
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert booking_count() == 1


def test_keys_belong_to_each_account(client, cars_and_person):
    client.post("/api/v1/bookings", json=prescription(cars_and_person), headers={**cars_and_person.headers, **KEY})
    stranger = token_of(UserFactory())  # another organisation: the person is not theirs
    response = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers={**stranger, **KEY})
    assert_error(response, 404)
    assert booking_count() == 1


def test_a_key_is_kept_24_hours_then_may_serve_again(client, cars_and_person, time_machine):
    headers = {**cars_and_person.headers, **KEY}
    first = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=headers).json
    client.post(f"/api/v1/bookings/{first['id']}/cancel", json={"reason": "Erreur"}, headers=cars_and_person.headers)
    time_machine.move_to(NOW + timedelta(hours=24, minutes=1), tick=False)
    again = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=headers)
    assert again.status_code == 201
    assert again.json["id"] != first["id"]
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 1


def test_a_refusal_is_answered_again_the_same_without_trying_twice(client, cars_and_person):
    headers = {**cars_and_person.headers, **KEY}
    body = prescription(cars_and_person, start="2026-11-20", end="2026-11-24")  # already past
    first = client.post("/api/v1/bookings", json=body, headers=headers)
    assert_error(first, 422)
    retry = client.post("/api/v1/bookings", json=body, headers=headers)
    assert (retry.status_code, retry.json) == (first.status_code, first.json)
    assert retry.headers["Idempotent-Replayed"] == "true"


def test_a_retried_cancel_with_its_key_gets_the_first_answer_and_cancels_once(client, cars_and_person):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0], status=BookingStatus.APPROVED)
    headers = {**cars_and_person.headers, "Idempotency-Key": "annulation-1"}
    first = client.post(
        f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Plus besoin"}, headers=headers
    )
    retry = client.post(
        f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Plus besoin"}, headers=headers
    )
    assert first.status_code == retry.status_code == 200
    assert retry.json == first.json
    cancels = db.session.scalar(
        select(func.count(BookingTransition.id)).where(
            BookingTransition.booking_id == booking.id, BookingTransition.action == "cancel"
        )
    )
    assert cancels == 1
    # Without the key, the same request is an illegal move: the booking is already cancelled.
    assert_error(
        client.post(
            f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Plus besoin"}, headers=cars_and_person.headers
        ),
        409,
    )


def test_a_malformed_key_is_a_422_in_french(client, cars_and_person):
    for key in ("", "a" * 256, "avec espace", "clé"):
        response = client.post(
            "/api/v1/bookings", json=prescription(cars_and_person), headers={**cars_and_person.headers, "Idempotency-Key": key}
        )
        assert "Idempotency-Key" in assert_error(response, 422)["fields"], key
    assert booking_count() == 0


def test_the_key_is_unique_per_account_in_the_database(app, cars_and_person):
    for _ in range(2):
        db.session.add(
            IdempotencyKey(
                user_id=cars_and_person.referent.id, key="k", fingerprint="0" * 64, status_code=201, body="{}"
            )
        )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_header_is_described_on_both_writes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/bookings", "/bookings/{booking_id}/cancel"):
        names = [p["name"] for p in paths[path]["post"]["parameters"] if p["in"] == "header"]
        assert names == ["Idempotency-Key"]
