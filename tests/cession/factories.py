"""factory_boy factories for cessions, on top of tests/factories.py and the fleet's."""

from __future__ import annotations

from datetime import date

import factory

from mobility.cession.models import (
    Cession,
    CessionState,
    Convention,
    ConventionKind,
    PaperworkItem,
    PaperworkKind,
)
from mobility.fleet.models import Energy, VehicleCategory
from tests.factories import BaseFactory, OrganisationFactory

# 17 characters, no I, O or Q; the sequence number fills the end.
_VIN_PREFIX = "VF1RJA00"


def vin_number(n: int) -> str:
    return f"{_VIN_PREFIX}{n:09d}"


class ConventionFactory(BaseFactory):
    class Meta:
        model = Convention

    reference = factory.Sequence(lambda n: f"CONV-2026-{n:03d}")
    association = factory.SubFactory(OrganisationFactory, association=True)
    signed_on = date(2026, 1, 5)
    starts_on = date(2026, 1, 5)
    ends_on = date(2028, 12, 31)
    max_vehicles = 5
    kind = ConventionKind.FREE
    price_decision_reference = None
    obligations = "Rapport annuel d'activité avant le 31 mars."

    class Params:
        priced = factory.Trait(kind=ConventionKind.PRICED, price_decision_reference="CP-2026-014")


class CessionFactory(BaseFactory):
    class Meta:
        model = Cession

    convention = factory.SubFactory(ConventionFactory)
    association_id = factory.SelfAttribute("convention.association.id")
    decision_reference = factory.Sequence(lambda n: f"AR-2026-{n:04d}")
    decided_on = date(2026, 9, 15)
    plate = factory.Sequence(lambda n: f"CD-{100 + n % 900:03d}-{chr(65 + n // 900 % 24)}E")
    vin = factory.Sequence(vin_number)
    make = "Renault"
    model = "Kangoo"
    first_registered_on = date(2018, 4, 12)
    category = VehicleCategory.CAR
    energy = Energy.DIESEL
    odometer_km = 98_000
    value_cents = 0
    ceded_on = date(2026, 10, 1)
    state = CessionState.PROPOSED


class PaperworkFactory(BaseFactory):
    class Meta:
        model = PaperworkItem

    cession = factory.SubFactory(CessionFactory)
    kind = PaperworkKind.CERTIFICATE_OF_SALE
    done_on = date(2026, 10, 1)
