"""Demo cessions: two conventions and six cessions in different states — one with late
paperwork, two already in the rental fleet (one per association) with the demo rentals behind
them, one scrapped.

Moves go through the cessions' one transition table (mobility.cession.services.MACHINE), so
each has its log row. VINs are visibly fake ("DEM"). A second run changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from mobility.auth.models import Organisation, User
from mobility.booking.models import Booking
from mobility.cession.register import RENTAL_STATUSES
from mobility.cession.models import (
    Cession,
    CessionAction,
    Convention,
    ConventionKind,
    PaperworkItem,
    PaperworkKind,
)
from mobility.cession.services import MACHINE
from mobility.core.time import local
from mobility.extensions import db
from mobility.fleet.models import Energy, Vehicle, VehicleCategory, VehicleOrigin

MONTARGIS = "Association Mobilité Solidaire du Montargois"
ORLEANS = "Association Roule vers l'Emploi Orléans-Pithiviers"
A = CessionAction
K = PaperworkKind

# Paths through the transition table, from creation.
TO_IN_SERVICE = (A.PROPOSE, A.ACCEPT, A.TRANSFER, A.REGISTER, A.PUT_IN_SERVICE)
TO_SCRAPPED = (A.PROPOSE, A.ACCEPT, A.TRANSFER, A.REGISTER, A.SCRAP)
ALL_PAPERWORK = (K.CERTIFICATE_OF_SALE, K.SIV_DECLARATION, K.CROSSED_OUT_CERTIFICATE, K.NON_PLEDGE,
                 K.TECHNICAL_INSPECTION, K.REGISTRATION)


def demo_vin(number: int) -> str:
    return f"VF1DEM{number:011d}"


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _organisation(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _walk(cession: Cession, path, admin: User, fleet: User) -> None:
    """Make each move as the party whose move it is (the association where it may)."""
    for index, action in enumerate(path):
        rule = MACHINE.transitions[(None if index == 0 else cession.state, action)]
        actor = fleet if fleet.role in rule.roles else admin
        reason = "Véhicule hors d'usage après sinistre (démo)" if action is A.SCRAP else None
        MACHINE.move(cession, action, actor, reason, creating=index == 0)


def _paperwork(cession: Cession, kinds, fleet: User) -> None:
    days = {
        K.CERTIFICATE_OF_SALE: 0, K.SIV_DECLARATION: 6, K.CROSSED_OUT_CERTIFICATE: 0, K.NON_PLEDGE: -5,
        K.TECHNICAL_INSPECTION: -30, K.REGISTRATION: 18,
    }
    for kind in kinds:
        cession.paperwork.append(PaperworkItem(
            kind=kind, done_on=cession.ceded_on + timedelta(days=days[kind]), recorded_by_id=fleet.id,
            certificate_number="DEMO-CI-0001" if kind is K.REGISTRATION else None,
        ))


def _rented_ceded_vehicles(association: Organisation) -> list[tuple[Vehicle, date]]:
    """The association's ceded demo vehicles that have rentals, with the first rental's day."""
    rows = db.session.execute(
        select(Vehicle, db.func.min(Booking.starts_at))
        .join(Booking, Booking.vehicle_id == Vehicle.id)
        .where(Booking.status.in_(RENTAL_STATUSES))
        .where(Vehicle.association_id == association.id, Vehicle.origin == VehicleOrigin.CEDED, Vehicle.cession_id.is_(None))
        .group_by(Vehicle.id)
        .order_by(Vehicle.plate)
    ).all()
    return [(vehicle, local(first).date()) for vehicle, first in rows]


def seed_cessions(today: date) -> dict[str, int]:
    if db.session.scalar(select(Convention.id).where(Convention.reference == "CONV-DEMO-01")) is not None:
        return {"new_cessions": 0}
    admin, montargis_staff, orleans_staff = (
        _user("admin@demo.test"), _user("gestion@demo.test"), _user("gestion-orleans@demo.test")
    )
    montargis, orleans = _organisation(MONTARGIS), _organisation(ORLEANS)
    free = Convention(
        reference="CONV-DEMO-01", association=montargis, signed_on=today - timedelta(days=700),
        starts_on=today - timedelta(days=700), ends_on=today + timedelta(days=1100), max_vehicles=6,
        kind=ConventionKind.FREE, obligations="Rapport d'activité annuel avant le 31 mars ; usage réservé au dispositif.",
        created_by_id=admin.id,
    )
    priced = Convention(
        reference="CONV-DEMO-02", association=orleans, signed_on=today - timedelta(days=400),
        starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=900), max_vehicles=3,
        kind=ConventionKind.PRICED, price_decision_reference="CP-DEMO-2026-07",
        obligations="Rapport d'activité annuel.", created_by_id=admin.id,
    )
    db.session.add_all([free, priced])
    db.session.flush()

    def cession(convention, number, plate, make, model, category, first, ceded_on, km, value=0, energy=Energy.DIESEL):
        row = Cession(
            convention_id=convention.id, association_id=convention.association_id,
            decision_reference=f"AR-DEMO-{number:03d}", decided_on=ceded_on - timedelta(days=20),
            plate=plate, vin=demo_vin(number), make=make, model=model, first_registered_on=first,
            category=category, energy=energy, odometer_km=km, value_cents=value, ceded_on=ceded_on,
            created_by_id=admin.id,
        )
        db.session.add(row)
        return row

    created = []
    # Two vehicles already in the fleet, one per association, with the demo rentals behind them.
    for number, (convention, staff) in enumerate(((free, montargis_staff), (priced, orleans_staff)), start=1):
        rented = _rented_ceded_vehicles(convention.association)
        if not rented:
            continue
        vehicle, first_rental = rented[0]
        ceded_on = max(vehicle.first_registered_on, convention.starts_on, first_rental - timedelta(days=14))
        row = cession(
            convention, number, vehicle.plate, vehicle.make, vehicle.model, vehicle.category,
            vehicle.first_registered_on, ceded_on,
            120_000 + 1000 * number, value=0 if convention.is_free else 900_00,
        )
        _walk(row, TO_IN_SERVICE, admin, staff)
        _paperwork(row, ALL_PAPERWORK, staff)
        db.session.flush()
        vehicle.vin = row.vin
        vehicle.cession_id = row.id
        created.append(row)
    # Scrapped after registration.
    scrapped = cession(free, 3, "AF-204-KR", "Peugeot", "206", VehicleCategory.CAR, today - timedelta(days=365 * 15),
                       today - timedelta(days=500), 210_400)
    _walk(scrapped, TO_SCRAPPED, admin, montargis_staff)
    _paperwork(scrapped, ALL_PAPERWORK, montargis_staff)
    # Transferred three weeks ago, paperwork late: SIV declaration, crossed-out certificate.
    late = cession(free, 4, "BV-611-GN", "Renault", "Clio", VehicleCategory.CAR, today - timedelta(days=365 * 9),
                   today - timedelta(days=21), 143_900)
    _walk(late, (A.PROPOSE, A.ACCEPT, A.TRANSFER), admin, montargis_staff)
    _paperwork(late, (K.CERTIFICATE_OF_SALE, K.NON_PLEDGE), montargis_staff)
    # Under the priced convention: one proposed today, one accepted.
    proposed = cession(priced, 5, "DK-853-PT", "Aixam", "City", VehicleCategory.VSP, today - timedelta(days=365 * 3),
                       today, 18_200, value=1500_00)
    _walk(proposed, (A.PROPOSE,), admin, orleans_staff)
    accepted = cession(priced, 6, "EC-140-RZ", "Dacia", "Sandero", VehicleCategory.CAR, today - timedelta(days=365 * 6),
                       today, 98_500, value=2200_00, energy=Energy.PETROL)
    _walk(accepted, (A.PROPOSE, A.ACCEPT), admin, orleans_staff)
    created += [scrapped, late, proposed, accepted]
    db.session.flush()
    return {"new_cessions": len(created)}
