"""GET /api/v1/beneficiaries: the people followed, as a client sees it."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.extensions import db
from tests.api.helpers import (
    TODAY,
    assert_error,
    beneficiary_token,
    token_of,
)
from tests.booking.factories import BookingFactory, eligible_beneficiary
from tests.factories import OrganisationFactory, UserFactory


# The people followed -----------------------------------------------------------------------


def reads_of_beneficiaries() -> list[int]:
    return sorted(
        db.session.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.action == AuditAction.READ, AuditEvent.object_type == "beneficiary"
            )
        )
    )


def test_a_referent_lists_the_people_followed_with_what_they_may_rent_and_each_read_is_logged(client, cars_and_person):
    no_licence = eligible_beneficiary(TODAY, referent=cars_and_person.referent, licence_b=False, last_name="Fiche B")
    eligible_beneficiary(TODAY)  # another organisation's
    response = client.get("/api/v1/beneficiaries", headers=cars_and_person.headers)
    assert response.status_code == 200
    body = response.json
    assert (body["count"], body["page"], body["per_page"], body["pages"]) == (2, 1, 50, 1)
    listed = {person["id"]: person for person in body["beneficiaries"]}
    assert set(listed) == {cars_and_person.person.id, no_licence.id}
    assert listed[cars_and_person.person.id]["display_name"] == cars_and_person.person.display_name
    assert listed[cars_and_person.person.id]["basin"] == "orleans"
    assert listed[cars_and_person.person.id]["eligible_categories"] == ["car", "vsp"]
    assert listed[cars_and_person.person.id]["refusals_by_category"] == {"car": [], "vsp": []}
    assert listed[no_licence.id]["eligible_categories"] == ["vsp"]  # born before 1988: no licence needed
    assert [r["code"] for r in listed[no_licence.id]["refusals_by_category"]["car"]] == ["licence_b_missing"]
    assert reads_of_beneficiaries() == sorted([cars_and_person.person.id, no_licence.id])
    actors = set(db.session.scalars(select(AuditEvent.actor_id)))
    assert actors == {cars_and_person.referent.id}


def test_a_person_holding_a_booking_may_rent_nothing_more(client, cars_and_person):
    BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0])
    person = client.get("/api/v1/beneficiaries", headers=cars_and_person.headers).json["beneficiaries"][0]
    assert person["holding_bookings"] == 1
    assert person["eligible_categories"] == []
    assert [r["code"] for r in person["refusals_by_category"]["vsp"]] == ["active_booking_exists"]


def test_the_list_comes_a_page_at_a_time_and_only_the_page_returned_is_logged(client, cars_and_person):
    second = eligible_beneficiary(TODAY, referent=cars_and_person.referent, last_name="Zeta")
    body = client.get("/api/v1/beneficiaries?per_page=1&page=2", headers=cars_and_person.headers).json
    assert (body["count"], body["page"], body["per_page"], body["pages"]) == (2, 2, 1, 2)
    assert [person["id"] for person in body["beneficiaries"]] == [second.id]
    assert reads_of_beneficiaries() == [second.id]
    beyond = client.get("/api/v1/beneficiaries?page=9", headers=cars_and_person.headers).json
    assert beyond["beneficiaries"] == []


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=101", "per_page=-1", "page=" + "9" * 50])
def test_bad_page_parameters_get_a_422(client, cars_and_person, query):
    response = client.get(f"/api/v1/beneficiaries?{query}", headers=cars_and_person.headers)
    assert set(assert_error(response, 422)["fields"]) <= {"page", "per_page"}
    assert reads_of_beneficiaries() == []


def test_an_admin_lists_only_the_people_the_departement_follows(client, cars_and_person):
    departement = OrganisationFactory(departement=True)
    followed = eligible_beneficiary(TODAY, referent=UserFactory(organisation=departement))
    body = client.get(
        "/api/v1/beneficiaries", headers=token_of(UserFactory(admin=True, organisation=departement))
    ).json
    assert [person["id"] for person in body["beneficiaries"]] == [followed.id]


@pytest.mark.parametrize("role", ["fleet", "beneficiary"])
def test_fleet_staff_and_beneficiaries_may_not_list_people(client, cars_and_person, role):
    headers = token_of(UserFactory(fleet=True)) if role == "fleet" else beneficiary_token(cars_and_person.person)
    error = assert_error(client.get("/api/v1/beneficiaries", headers=headers), 403)
    assert error["message"] == "Seuls les référents et les administrateurs suivent des personnes."
    assert reads_of_beneficiaries() == []
