"""The API under the privacy policy (mobility.booking.privacy): each role reads of a person and of
a booking only the fields the policy gives its audience, on every answer that carries one."""

from __future__ import annotations

import pytest

from mobility.api.schemas.beneficiaries import FollowedBeneficiarySchema
from mobility.api.schemas.bookings import BookingSchema
from mobility.booking import privacy
from mobility.booking.models import BookingStatus
from tests.api.helpers import TODAY, beneficiary_token, prescription, token_of
from tests.booking.factories import BookingFactory, eligible_beneficiary
from tests.factories import OrganisationFactory, UserFactory

ROLES = ["beneficiary", "referent", "fleet", "admin"]


def _tokens(cars_and_person, departement):
    return {
        "beneficiary": beneficiary_token(cars_and_person.person),
        "referent": cars_and_person.headers,
        "fleet": token_of(UserFactory(fleet=True, organisation=cars_and_person.orleans.association)),
        "admin": token_of(UserFactory(admin=True, organisation=departement)),
    }


def _answers(client, cars_and_person, role, headers):
    """Every answer that carries a booking or a person, for this role: (kind, object) pairs."""
    booking = BookingFactory(
        beneficiary=cars_and_person.person,
        vehicle=cars_and_person.cars[0],
        status=BookingStatus.REQUESTED,
        purpose="other",
        purpose_detail="Entretien chez un employeur nommé",
    )
    carried = []
    shown = client.get(f"/api/v1/bookings/{booking.id}", headers=headers)
    assert shown.status_code == 200, shown.json
    carried.append(("booking", shown.json))
    cancelled = client.post(
        f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Plus besoin"}, headers=headers
    )
    assert cancelled.status_code == 200, cancelled.json
    carried.append(("booking", cancelled.json))
    if role in ("referent", "admin"):
        people = client.get("/api/v1/beneficiaries", headers=headers)
        assert people.status_code == 200
        assert people.json["beneficiaries"], "nobody listed: the walk would prove nothing"
        carried += [("person", person) for person in people.json["beneficiaries"]]
        body = prescription(
            cars_and_person, beneficiary_id=cars_and_person.person.id if role == "referent" else cars_and_person.admin_person.id
        )
        created = client.post("/api/v1/bookings", json=body, headers=headers)
        assert created.status_code == 201, created.json
        carried.append(("booking", created.json))
    return carried


@pytest.mark.parametrize("role", ROLES)
def test_every_api_answer_shows_a_role_only_what_the_policy_lets_its_audience_see(client, cars_and_person, role):
    departement = OrganisationFactory(departement=True)
    cars_and_person.admin_person = eligible_beneficiary(TODAY, referent=UserFactory(organisation=departement))
    headers = _tokens(cars_and_person, departement)[role]
    audience = privacy.Audience(role)
    allowed = {
        "booking": privacy.visible_booking_fields(audience),
        "person": privacy.visible_person_fields(audience),
    }
    carried = _answers(client, cars_and_person, role, headers)
    assert carried
    for kind, sent in carried:
        assert set(sent) <= allowed[kind], (role, kind, set(sent) - allowed[kind])


def test_fleet_staff_never_read_the_purpose_of_a_booking_nor_in_the_cancel_answer(client, cars_and_person):
    booking = BookingFactory(
        beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0], purpose="other", purpose_detail="Chez un employeur"
    )
    headers = token_of(UserFactory(fleet=True, organisation=cars_and_person.orleans.association))
    for response in (
        client.get(f"/api/v1/bookings/{booking.id}", headers=headers),
        client.post(f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "Panne"}, headers=headers),
    ):
        assert response.status_code == 200, response.json
        assert "purpose" not in response.json and "purpose_detail" not in response.json
        assert "Chez un employeur" not in response.get_data(as_text=True)
        assert response.json["vehicle"]["plate"] == "AA-001-AA"


def test_an_admin_token_lists_the_people_followed_without_their_names(client, cars_and_person):
    departement = OrganisationFactory(departement=True)
    person = eligible_beneficiary(
        TODAY, referent=UserFactory(organisation=departement), last_name="Nomvisible"
    )
    headers = token_of(UserFactory(admin=True, organisation=departement))
    response = client.get("/api/v1/beneficiaries", headers=headers)
    listed = response.json["beneficiaries"]
    assert [entry["id"] for entry in listed] == [person.id]
    assert "display_name" not in listed[0]
    assert "Nomvisible" not in response.get_data(as_text=True)
    assert listed[0]["basin"] and "eligible_categories" in listed[0]


def test_a_referent_still_reads_the_names_and_the_purpose_of_the_people_followed(client, cars_and_person):
    booking = BookingFactory(
        beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0], purpose_detail="Chez un employeur"
    )
    shown = client.get(f"/api/v1/bookings/{booking.id}", headers=cars_and_person.headers).json
    assert shown["purpose_detail"] == "Chez un employeur"
    people = client.get("/api/v1/beneficiaries", headers=cars_and_person.headers).json["beneficiaries"]
    assert people[0]["display_name"] == cars_and_person.person.display_name


def test_every_field_the_api_can_send_of_a_person_or_a_booking_is_classified_by_the_policy():
    # A field no fact claims is shown to nobody: this keeps the schemas and the policy in step.
    assert {f.data_key or name for name, f in BookingSchema().dump_fields.items()} <= set(
        privacy.BOOKING_FIELDS
    )
    assert {f.data_key or name for name, f in FollowedBeneficiarySchema().dump_fields.items()} <= set(
        privacy.PERSON_FIELDS
    )


def test_fleet_staff_may_see_of_a_person_only_the_name_the_phone_and_whether_the_licence_was_checked():
    fleet = privacy.visible_person_fields(privacy.Audience.FLEET)
    assert fleet == {"id", "display_name", "first_name", "last_name", "phone", "licence_checked"}
    admin = privacy.visible_person_fields(privacy.Audience.ADMIN)
    assert not admin & {"display_name", "first_name", "last_name", "phone", "email", "address"}
    fleet_booking = privacy.visible_booking_fields(privacy.Audience.FLEET)
    assert not fleet_booking & {"purpose", "purpose_detail", "outcomes"}


@pytest.mark.parametrize(
    ("status", "plate_shown"),
    [(BookingStatus.REQUESTED, False), (BookingStatus.APPROVED, False), (BookingStatus.CONFIRMED, True)],
)
def test_the_referent_reads_the_plate_on_the_api_as_on_the_booking_page(
    client, auth, cars_and_person, status, plate_shown
):
    booking = BookingFactory(beneficiary=cars_and_person.person, vehicle=cars_and_person.cars[0], status=status)
    answer = client.get(f"/api/v1/bookings/{booking.id}", headers=cars_and_person.headers)
    assert answer.status_code == 200, answer.json
    assert ("plate" in answer.json["vehicle"]) is plate_shown
    auth.login(cars_and_person.referent)
    page = client.get(f"/locations/{booking.id}").get_data(as_text=True)
    assert ("AA-001-AA" in page) is plate_shown


def test_fleet_staff_of_another_association_never_read_a_plate_offered_in_availability(cars_and_person):
    outsider = UserFactory(fleet=True)
    assert privacy.plate_shown(outsider, cars_and_person.cars[0]) is False
    keeper = UserFactory(fleet=True, organisation=cars_and_person.orleans.association)
    assert privacy.plate_shown(keeper, cars_and_person.cars[0]) is True
