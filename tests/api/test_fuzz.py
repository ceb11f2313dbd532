"""The API fuzzed by schemathesis from its generated description: every check, a fixed seed and
a bounded number of examples per operation, with a référent's and a fleet account's token.

What it holds: no answer is a 500, every answer conforms to the description (status codes,
content type, headers, body schema), data the schemas refuse is refused, data they accept is
not refused for its shape.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from tests.api.factories import api_token, bearer
from tests.api.helpers import NOW, TODAY
from tests.booking.factories import BookingFactory, add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def fuzzed_world(app, time_machine):
    time_machine.move_to(NOW, tick=False)
    add_demo_tariffs()
    orleans = SiteFactory(orleans=True)
    car = VehicleFactory(site=orleans)
    VehicleFactory(site=orleans, vsp=True)
    person = eligible_beneficiary(TODAY, commune_insee="45234")
    BookingFactory(beneficiary=person, vehicle=car)
    fleet = UserFactory(fleet=True, organisation=orleans.association)
    return {"referent": bearer(api_token(person.referent)[1]), "fleet": bearer(api_token(fleet)[1])}


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,  # a fixed seed: the same requests on every run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# A schema-valid request may still be refused by a rule of the scheme that no JSON Schema can
# say (a start date already past, a person not eligible): 422 is accepted for valid data, but
# never for its shape (schema_valid_data_is_never_refused_for_its_shape below).
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422"],
            }
        }
    }
)
# The boundary's refusals of shape: for a request the description calls valid, none may appear.
SHAPE_MESSAGES = (
    "Ce champ est obligatoire.",
    "Valeur inconnue.",
    "Saisissez un identifiant",
    "Saisissez une date au format",
    "Saisissez une date entre",
    "Saisissez une heure",
    "Saisissez un texte.",
    "Saisissez un nombre entier",
    "Ce nombre est trop grand.",
    "Le texte contient un caractère invisible",
    "Ce champ ne doit pas dépasser",
    "La raison ne doit pas dépasser",
)


@schemathesis.check
def schema_valid_data_is_never_refused_for_its_shape(ctx, response, case):
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return None
    messages = [text for texts in response.json()["error"]["fields"].values() for text in texts]
    shape = [text for text in messages if text.startswith(SHAPE_MESSAGES)]
    if shape:
        raise AssertionError(f"a schema-valid request was refused for its shape: {shape}")
    return None


# Every operation with an input (the description's own route takes none).
FUZZED_OPERATIONS = {
    "GET /vehicles",
    "GET /availability",
    "POST /bookings",
    "GET /bookings/{booking_id}",
    "POST /bookings/{booking_id}/cancel",
    "GET /beneficiaries",
    "GET /cessions",
    "GET /cessions/{cession_id}",
    "GET /fines",
    "GET /indicators",
    "GET /exports/{name}.{extension}",
    "GET /incidents",
}


def fuzz_every_operation(app, headers: dict) -> set[str]:
    """Valid and invalid requests to every described operation, each answer checked by every check."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ_SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def answers_as_described(case):
                case.call_and_validate(
                    headers=headers, additional_checks=[schema_valid_data_is_never_refused_for_its_shape]
                )

            answers_as_described()
    return {operation.label for operation in operations}


def test_a_referent_s_token_gets_described_answers_to_every_generated_request(app, fuzzed_world):
    assert fuzz_every_operation(app, fuzzed_world["referent"]) == FUZZED_OPERATIONS


def test_a_fleet_token_gets_described_answers_to_every_generated_request(app, fuzzed_world):
    assert fuzz_every_operation(app, fuzzed_world["fleet"]) == FUZZED_OPERATIONS
