"""The generated description lists what the booking endpoints send (see also conftest's check)."""

from __future__ import annotations



from tests.api.helpers import (
    TODAY,
    availability,
    held,
    prescription,
    token_of,
)
from tests.booking.factories import eligible_beneficiary
from tests.factories import UserFactory


# The OpenAPI description matches what is sent ----------------------------------------------


def _schemas(client) -> dict:
    return client.get("/api/v1/openapi.json").json["components"]["schemas"]


def _assert_matches(sent: dict, schema: dict) -> None:
    assert set(sent) <= set(schema["properties"]), set(sent) - set(schema["properties"])
    assert set(schema.get("required", ())) <= set(sent), set(schema["required"]) - set(sent)


def test_the_described_schemas_list_every_key_the_booking_endpoints_send(client, cars_and_person):
    schemas = _schemas(client)
    admin = token_of(UserFactory(admin=True))
    free = availability(client, admin).json
    _assert_matches(free, schemas["Availability"])
    _assert_matches(free["vehicles"][0], schemas["VehicleSummary"])
    _assert_matches(free["by_basin"][0], schemas["FreeInBasin"])
    booking = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=cars_and_person.headers).json
    _assert_matches(booking, schemas["Booking"])
    _assert_matches(booking["site"], schemas["SummarySite"])
    people = client.get("/api/v1/beneficiaries", headers=cars_and_person.headers).json
    _assert_matches(people, schemas["FollowedBeneficiaryPage"])
    _assert_matches(people["beneficiaries"][0], schemas["FollowedBeneficiary"])


def test_the_described_error_schema_covers_refusals_and_alternatives(client, cars_and_person):
    schemas = _schemas(client)
    error_schema = schemas[schemas["Error"]["properties"]["error"]["$ref"].rsplit("/", 1)[-1]]
    person = eligible_beneficiary(TODAY, referent=cars_and_person.referent, rsa_checked_on=None)
    refused = client.post(
        "/api/v1/bookings", json=prescription(cars_and_person, beneficiary_id=person.id), headers=cars_and_person.headers
    ).json
    _assert_matches(refused["error"], error_schema)
    _assert_matches(refused["error"]["refusals"][0], schemas["Refusal"])
    held(cars_and_person.cars[0])
    held(cars_and_person.cars[1])
    taken = client.post("/api/v1/bookings", json=prescription(cars_and_person), headers=cars_and_person.headers).json
    _assert_matches(taken["error"], error_schema)
    _assert_matches(taken["error"]["alternatives"], schemas["Alternatives"])
