"""factory_boy factories for the fleet, on top of tests/factories.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import factory

from mobility.extensions import db
from mobility.fleet.models import (
    Energy,
    Gearbox,
    MaintenanceKind,
    MaintenanceRecord,
    OdometerReading,
    OdometerSource,
    Site,
    Unavailability,
    UnavailabilityKind,
    Vehicle,
    VehicleCategory,
    VehicleOrigin,
    VehicleStatus,
)
from mobility.territory.models import Commune
from tests.factories import BaseFactory, OrganisationFactory


def _basin_of(insee_code: str) -> int:
    return db.session.get(Commune, insee_code).basin_id


class SiteFactory(BaseFactory):
    class Meta:
        model = Site

    association = factory.SubFactory(OrganisationFactory, association=True)
    name = factory.Sequence(lambda n: f"Site {n}")
    address = "12 rue de la Gare"
    commune_insee = "45208"  # Montargis
    basin_id = factory.LazyAttribute(lambda site: _basin_of(site.commune_insee))
    opening_hours = "Du lundi au vendredi, 9 h – 17 h"
    phone = "02 38 00 00 00"
    active = True

    class Params:
        orleans = factory.Trait(commune_insee="45234")
        closed = factory.Trait(active=False)


class VehicleFactory(BaseFactory):
    class Meta:
        model = Vehicle

    site = factory.SubFactory(SiteFactory)
    association = factory.SelfAttribute("site.association")
    plate = factory.Sequence(lambda n: f"AB-{100 + n % 900:03d}-{chr(65 + n // 900 % 24)}D")
    vin = None
    make = "Renault"
    model = "Clio"
    category = VehicleCategory.CAR
    energy = Energy.PETROL
    gearbox = Gearbox.MANUAL
    seats = 5
    first_registered_on = date(2015, 3, 1)
    origin = VehicleOrigin.PURCHASED
    status = VehicleStatus.ACTIVE
    insurance_expires_on = date(2027, 6, 30)
    technical_inspection_due_on = date(2027, 9, 1)

    class Params:
        vsp = factory.Trait(
            category=VehicleCategory.VSP, make="Aixam", model="City", seats=2, energy=Energy.DIESEL
        )
        automatic = factory.Trait(gearbox=Gearbox.AUTOMATIC)
        ceded = factory.Trait(origin=VehicleOrigin.CEDED)
        in_maintenance = factory.Trait(status=VehicleStatus.MAINTENANCE)
        retired = factory.Trait(status=VehicleStatus.RETIRED)


class OdometerReadingFactory(BaseFactory):
    class Meta:
        model = OdometerReading

    vehicle = factory.SubFactory(VehicleFactory)
    read_on = date(2026, 1, 15)
    km = 45000
    source = OdometerSource.MANUAL


class UnavailabilityFactory(BaseFactory):
    class Meta:
        model = Unavailability

    vehicle = factory.SubFactory(VehicleFactory)
    starts_at = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 2 December, Paris
    ends_at = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)  # 4 December inclusive
    kind = UnavailabilityKind.REPAIR
    reason = "Embrayage"


class MaintenanceRecordFactory(BaseFactory):
    class Meta:
        model = MaintenanceRecord

    vehicle = factory.SubFactory(VehicleFactory)
    done_on = date(2026, 3, 10)
    kind = MaintenanceKind.SERVICE
    odometer_km = None
    cost_cents = 18000
    garage = "Garage du Centre"
