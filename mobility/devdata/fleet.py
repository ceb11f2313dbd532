"""Demonstration fleet: one site per basin and 24 vehicles, cars and VSPs (idempotent)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from mobility.auth.models import Organisation
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
from mobility.core.time import PARIS
from mobility.fleet.opening_hours import SiteOpeningHours
from mobility.territory.models import Commune

MONTARGIS_ASSOCIATION = "Association Mobilité Solidaire du Montargois"
ORLEANS_ASSOCIATION = "Association Roule vers l'Emploi Orléans-Pithiviers"

# key, association, name, address, commune INSEE code, phone
SITES = (
    (
        "montargis",
        MONTARGIS_ASSOCIATION,
        "Garage solidaire de Montargis",
        "Rue de la Gare (site de démonstration)",
        "45208",
        "02 38 00 00 01",
    ),
    (
        "gien",
        MONTARGIS_ASSOCIATION,
        "Antenne de Gien",
        "Quai de Loire (site de démonstration)",
        "45155",
        "02 38 00 00 02",
    ),
    (
        "orleans",
        ORLEANS_ASSOCIATION,
        "Plateforme mobilité d'Orléans",
        "Avenue de la Gare (site de démonstration)",
        "45234",
        "02 38 00 00 03",
    ),
    (
        "pithiviers",
        ORLEANS_ASSOCIATION,
        "Antenne de Pithiviers",
        "Place du Martroi (site de démonstration)",
        "45252",
        "02 38 00 00 04",
    ),
)
# Real hours: Monday to Friday 8:30–12:00 and 13:30–17:30 (closed on public holidays).
OPENING_HOURS = {
    "morning_opens": time(8, 30),
    "morning_closes": time(12, 0),
    "afternoon_opens": time(13, 30),
    "afternoon_closes": time(17, 30),
}
HOURS_NOTE = "Sonnez à l'accueil (site de démonstration)."

CAR, VSP = VehicleCategory.CAR, VehicleCategory.VSP
MANUAL, AUTO = Gearbox.MANUAL, Gearbox.AUTOMATIC
PURCHASED, CEDED = VehicleOrigin.PURCHASED, VehicleOrigin.CEDED

# site, plate, make, model, category, energy, gearbox, seats, age in years, origin, km
VEHICLES = (
    ("montargis", "GA-101-MT", "Renault", "Clio", CAR, Energy.PETROL, MANUAL, 5, 6, PURCHASED, 61200),
    ("montargis", "GA-102-MT", "Peugeot", "208", CAR, Energy.DIESEL, MANUAL, 5, 7, PURCHASED, 88400),
    ("montargis", "DX-203-LT", "Renault", "Zoe", CAR, Energy.ELECTRIC, AUTO, 5, 5, PURCHASED, 42100),
    ("montargis", "4512 DL 45", "Renault", "Kangoo", CAR, Energy.DIESEL, MANUAL, 5, 17, CEDED, 164300),
    ("montargis", "GA-104-MT", "Aixam", "City", VSP, Energy.DIESEL, AUTO, 2, 4, PURCHASED, 18200),
    ("montargis", "GA-105-MT", "Ligier", "JS50", VSP, Energy.DIESEL, AUTO, 2, 3, PURCHASED, 12600),
    ("gien", "GB-201-GN", "Dacia", "Sandero", CAR, Energy.PETROL, MANUAL, 5, 5, PURCHASED, 54800),
    ("gien", "CX-318-LT", "Citroën", "C3", CAR, Energy.PETROL, MANUAL, 5, 12, CEDED, 131500),
    ("gien", "GB-203-GN", "Toyota", "Yaris hybride", CAR, Energy.HYBRID, AUTO, 5, 4, PURCHASED, 39900),
    ("gien", "GB-204-GN", "Microcar", "M.Go", VSP, Energy.DIESEL, AUTO, 2, 6, PURCHASED, 24700),
    ("gien", "GB-205-GN", "Citroën", "Ami", VSP, Energy.ELECTRIC, AUTO, 2, 2, PURCHASED, 6100),
    ("gien", "GB-206-GN", "Aixam", "Crossline", VSP, Energy.DIESEL, AUTO, 2, 5, PURCHASED, 21300),
    ("orleans", "GC-301-RL", "Renault", "Clio", CAR, Energy.PETROL, MANUAL, 5, 4, PURCHASED, 47300),
    ("orleans", "GC-302-RL", "Peugeot", "208", CAR, Energy.PETROL, AUTO, 5, 3, PURCHASED, 29800),
    ("orleans", "DN-427-LT", "Peugeot", "Partner", CAR, Energy.DIESEL, MANUAL, 5, 11, CEDED, 142700),
    ("orleans", "GC-304-RL", "Dacia", "Spring", CAR, Energy.ELECTRIC, AUTO, 4, 3, PURCHASED, 26400),
    ("orleans", "GC-305-RL", "Aixam", "City", VSP, Energy.DIESEL, AUTO, 2, 5, PURCHASED, 22900),
    ("orleans", "GC-306-RL", "Ligier", "Myli", VSP, Energy.DIESEL, AUTO, 2, 2, PURCHASED, 7400),
    ("pithiviers", "GD-401-PV", "Citroën", "C3", CAR, Energy.DIESEL, MANUAL, 5, 6, PURCHASED, 72600),
    ("pithiviers", "1387 DL 45", "Renault", "Twingo", CAR, Energy.PETROL, MANUAL, 4, 16, CEDED, 158900),
    ("pithiviers", "GD-403-PV", "Renault", "Clio", CAR, Energy.LPG, MANUAL, 5, 5, PURCHASED, 58300),
    ("pithiviers", "GD-404-PV", "Toyota", "Aygo X", CAR, Energy.PETROL, AUTO, 4, 3, PURCHASED, 31200),
    ("pithiviers", "GD-405-PV", "Microcar", "Dué", VSP, Energy.DIESEL, AUTO, 2, 4, PURCHASED, 19800),
    ("pithiviers", "GD-406-PV", "Citroën", "Ami", VSP, Energy.ELECTRIC, AUTO, 2, 1, PURCHASED, 3900),
)
IN_MAINTENANCE = "GA-102-MT"
INSURANCE_EXPIRING = "GC-301-RL"


def _site(key, association_name, name, address, insee, phone) -> Site:
    association = db.session.scalar(select(Organisation).where(Organisation.name == association_name))
    site = db.session.scalar(select(Site).where(Site.association_id == association.id, Site.name == name))
    if site is None:
        commune = db.session.get(Commune, insee)
        site = Site(
            association=association,
            name=name,
            address=address,
            commune_insee=insee,
            basin_id=commune.basin_id,
            opening_hours=HOURS_NOTE,
            phone=phone,
        )
        db.session.add(site)
        db.session.flush()
    if not db.session.scalar(select(SiteOpeningHours.id).where(SiteOpeningHours.site_id == site.id).limit(1)):
        for weekday in range(5):
            db.session.add(SiteOpeningHours(site_id=site.id, weekday=weekday, **OPENING_HOURS))
        db.session.flush()
    return site


def seed_fleet(today: date) -> dict[str, int]:
    """Create the demo sites and vehicles that are missing; a second run changes nothing.

    Needs the demo associations (mobility.devdata.demo.seed_demo creates them first).
    """
    sites = {row[0]: _site(*row) for row in SITES}
    created = 0
    for index, (key, plate, make, model, category, energy, gearbox, seats, age, origin, km) in enumerate(
        VEHICLES
    ):
        if db.session.scalar(select(Vehicle.id).where(Vehicle.plate == plate)) is not None:
            continue
        site = sites[key]
        vehicle = Vehicle(
            association_id=site.association_id,
            site=site,
            plate=plate,
            make=make,
            model=model,
            category=category,
            energy=energy,
            gearbox=gearbox,
            seats=seats,
            first_registered_on=date(today.year - age, 1 + index % 12, 1 + index % 27),
            origin=origin,
            status=VehicleStatus.MAINTENANCE if plate == IN_MAINTENANCE else VehicleStatus.ACTIVE,
            insurance_expires_on=today
            + timedelta(days=12 if plate == INSURANCE_EXPIRING else 120 + 9 * index),
            technical_inspection_due_on=today + timedelta(days=90 + 23 * index),
            notes="Véhicule cédé par le Département du Loiret." if origin is CEDED else None,
        )
        db.session.add(vehicle)
        db.session.flush()
        db.session.add_all(
            [
                OdometerReading(
                    vehicle=vehicle,
                    read_on=today - timedelta(days=180),
                    km=km - min(4000, km // 3),
                    source=OdometerSource.MANUAL,
                ),
                OdometerReading(
                    vehicle=vehicle, read_on=today - timedelta(days=20), km=km, source=OdometerSource.RETURN
                ),
            ]
        )
        if index % 4 == 0:
            db.session.add(
                MaintenanceRecord(
                    vehicle=vehicle,
                    done_on=today - timedelta(days=150),
                    kind=MaintenanceKind.SERVICE,
                    odometer_km=km - min(3200, km // 4),
                    cost_cents=16950 + 100 * index,
                    garage="Garage partenaire (démonstration)",
                )
            )
        if plate == IN_MAINTENANCE:
            db.session.add(
                MaintenanceRecord(
                    vehicle=vehicle,
                    done_on=today - timedelta(days=3),
                    kind=MaintenanceKind.REPAIR,
                    odometer_km=km,
                    cost_cents=42000,
                    garage="Garage partenaire (démonstration)",
                    notes="Remplacement de l'embrayage.",
                )
            )
            db.session.add(
                Unavailability(
                    vehicle=vehicle,
                    kind=UnavailabilityKind.REPAIR,
                    reason="Embrayage au garage",
                    starts_at=datetime.combine(today - timedelta(days=3), time.min, PARIS),
                    ends_at=datetime.combine(today + timedelta(days=5), time.min, PARIS),
                )
            )
        db.session.flush()
        created += 1
    return {"sites": len(sites), "new_vehicles": created}
