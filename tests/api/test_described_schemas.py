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


def test_the_described_schemas_list_every_key_the_booking_endpoints_send(client, world):
    schemas = _schemas(client)
    admin = token_of(UserFactory(admin=True))
    free = availability(client, admin).json
    _assert_matches(free, schemas["Availability"])
    _assert_matches(free["vehicles"][0], schemas["VehicleSummary"])
    _assert_matches(free["by_basin"][0], schemas["FreeInBasin"])
    booking = client.post("/api/v1/bookings", json=prescription(world), headers=world.headers).json
    _assert_matches(booking, schemas["Booking"])
    _assert_matches(booking["site"], schemas["SummarySite"])
    people = client.get("/api/v1/beneficiaries", headers=world.headers).json
    _assert_matches(people, schemas["FollowedBeneficiaryPage"])
    _assert_matches(people["beneficiaries"][0], schemas["FollowedBeneficiary"])


def test_the_described_error_schema_covers_refusals_and_alternatives(client, world):
    schemas = _schemas(client)
    error_schema = schemas[schemas["Error"]["properties"]["error"]["$ref"].rsplit("/", 1)[-1]]
    person = eligible_beneficiary(TODAY, referent=world.referent, rsa_checked_on=None)
    refused = client.post(
        "/api/v1/bookings", json=prescription(world, beneficiary_id=person.id), headers=world.headers
    ).json
    _assert_matches(refused["error"], error_schema)
    _assert_matches(refused["error"]["refusals"][0], schemas["Refusal"])
    held(world.cars[0])
    held(world.cars[1])
    taken = client.post("/api/v1/bookings", json=prescription(world), headers=world.headers).json
    _assert_matches(taken["error"], error_schema)
    _assert_matches(taken["error"]["alternatives"], schemas["Alternatives"])
