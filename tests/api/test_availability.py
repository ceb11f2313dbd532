"""GET /api/v1/availability, as a client sees it."""

from __future__ import annotations

from datetime import timedelta


from tests.api.helpers import (
    HELD_FROM,
    HELD_UNTIL,
    assert_error,
    availability,
    beneficiary_token,
    held,
    token_of,
)
from tests.factories import UserFactory


# Availability ------------------------------------------------------------------------------


def test_availability_lists_the_free_cars_of_a_basin_with_counts_price_and_no_plate_for_a_referent(
    client, cars_and_person
):
    response = availability(client, cars_and_person.headers, basin="orleans")
    assert response.status_code == 200
    body = response.json
    assert body["count"] == 2
    assert {v["id"] for v in body["vehicles"]} == {car.id for car in cars_and_person.cars}
    assert {b["basin"]: b["free"] for b in body["by_basin"]} == {
        "gien": 0,
        "montargis": 1,
        "orleans": 2,
        "pithiviers": 0,
    }
    assert body["start"] == "2026-12-07T09:00:00+01:00"
    assert body["end"] == "2026-12-11T17:00:00+01:00"
    assert (body["days"], body["price_cents"], body["deposit_cents"]) == (5, 2000, 15000)
    assert body["vehicles"][0]["site"]["name"] == "Garage d'Orléans"
    text = response.get_data(as_text=True)
    assert "plate" not in text and "AA-001-AA" not in text


def test_availability_without_a_basin_lists_every_basin_and_honours_the_times_asked(client, cars_and_person):
    body = availability(client, cars_and_person.headers, pickup_time="14:30", return_time="10:00").json
    assert body["basin"] is None
    assert body["count"] == 3
    assert body["start"] == "2026-12-07T14:30:00+01:00"
    assert body["end"] == "2026-12-11T10:00:00+01:00"


def test_availability_leaves_out_a_car_held_on_the_period_but_not_one_held_the_week_after(client, cars_and_person):
    held(cars_and_person.cars[0])
    held(
        cars_and_person.cars[1],
        starts_at=HELD_FROM + timedelta(days=7),
        ends_at=HELD_UNTIL + timedelta(days=7),
    )
    body = availability(client, cars_and_person.headers, basin="orleans").json
    assert [v["id"] for v in body["vehicles"]] == [cars_and_person.cars[1].id]


def test_admins_see_the_plates_and_fleet_staff_only_those_of_their_own_association(client, cars_and_person):
    admin_body = availability(client, token_of(UserFactory(admin=True))).json
    assert {v["plate"] for v in admin_body["vehicles"]} == {"AA-001-AA", "AA-002-AA", "BB-001-BB"}
    staff = UserFactory(fleet=True, organisation=cars_and_person.orleans.association)
    staff_body = availability(client, token_of(staff)).json
    plates = {v["id"]: v.get("plate") for v in staff_body["vehicles"]}
    assert plates == {
        cars_and_person.cars[0].id: "AA-001-AA",
        cars_and_person.cars[1].id: "AA-002-AA",
        cars_and_person.montargis_car.id: None,
    }


def test_a_beneficiary_account_may_see_availability_without_plates(client, cars_and_person):
    response = availability(client, beneficiary_token(cars_and_person.person))
    assert response.status_code == 200
    assert response.json["count"] == 3
    assert "plate" not in response.get_data(as_text=True)


def test_availability_without_its_parameters_gets_a_422_naming_each_one(client, cars_and_person):
    response = client.get("/api/v1/availability", headers=cars_and_person.headers)
    error = assert_error(response, 422)
    assert error["message"] == "Certains paramètres sont invalides."
    assert error["fields"] == {
        "category": ["Ce champ est obligatoire."],
        "start": ["Ce champ est obligatoire."],
        "end": ["Ce champ est obligatoire."],
    }


def test_availability_with_bad_values_gets_a_422_in_french_for_each(client, cars_and_person):
    response = availability(
        client,
        cars_and_person.headers,
        category="camion",
        basin="paris" * 100,
        start="07/12/2026",
        end="2026-02-30",
        pickup_time="9h",
        return_time="25:00",
    )
    fields = assert_error(response, 422)["fields"]
    assert fields["category"] == ["Valeur inconnue. Valeurs possibles : car, vsp, scooter, ebike."]
    assert "orleans" in fields["basin"][0]
    assert fields["start"] == ["Saisissez une date au format AAAA-MM-JJ, par exemple 2026-12-07."]
    assert fields["end"] == fields["start"]
    assert fields["pickup_time"] == ["Saisissez une heure au format HH:MM, par exemple 09:00."]
    assert fields["return_time"] == fields["pickup_time"]


def test_availability_refuses_past_reversed_or_too_long_periods_with_the_eligibility_messages(client, cars_and_person):
    past = assert_error(availability(client, cars_and_person.headers, start="2026-11-20", end="2026-11-24"), 422)
    assert past["fields"] == {"start": ["La date de début de la location (20/11/2026) est déjà passée."]}
    reversed_ = assert_error(availability(client, cars_and_person.headers, start="2026-12-11", end="2026-12-07"), 422)
    assert reversed_["fields"] == {"end": ["La date de fin de la location est avant la date de début."]}
    too_long = assert_error(availability(client, cars_and_person.headers, start="2026-12-01", end="2027-03-31"), 422)
    assert "au plus 90 jours" in too_long["fields"]["end"][0]
    not_offered = assert_error(availability(client, cars_and_person.headers, category="scooter"), 422)
    assert list(not_offered["fields"]) == ["category"]


def test_availability_on_one_day_with_the_return_before_the_pickup_gets_a_422(client, cars_and_person):
    response = availability(
        client, cars_and_person.headers, start="2026-12-07", end="2026-12-07", pickup_time="17:00", return_time="09:00"
    )
    assert assert_error(response, 422)["fields"] == {
        "return_time": ["L'heure de retour doit être après l'heure de prise en charge."]
    }
