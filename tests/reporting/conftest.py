"""A small plan whose every figure was computed by hand (see tests/reporting/FIXTURE.md).

Period under test: 1 January – 30 June 2026 (181 days). Times are Paris wall-clock times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pytest
import time_machine

from mobility.booking.eligibility import Purpose
from mobility.booking.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    Outcome,
    OutcomeCheckpoint,
    OutcomeResult,
    Payment,
    PaymentKind,
    PaymentMethod,
    WaitingEntry,
    WaitingStatus,
)
from mobility.core.time import at
from mobility.extensions import db
from mobility.fleet.models import Unavailability, UnavailabilityKind
from mobility.reporting.dimensions import Filters
from tests.factories import BeneficiaryFactory, OrganisationFactory, UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

S = BookingStatus
R = OutcomeResult
C = OutcomeCheckpoint
HALF_YEAR = Filters(date(2026, 1, 1), date(2026, 6, 30))
NOW = at(date(2026, 6, 15), time(12, 0))


@dataclass
class Plan:
    orleans: int
    montargis: int
    ml: object
    dep: object
    ft: object
    ccas: object
    a1: object
    a2: object
    s1: object
    s2: object
    v1: object
    v2: object
    v3: object
    people: dict
    bookings: dict


def _person(organisation, birth_date, commune="45234"):
    referent = UserFactory(organisation=organisation)
    return BeneficiaryFactory(referent=referent, organisation=organisation, birth_date=birth_date, commune_insee=commune)


def _booking(name, person, vehicle, first, last, status, moves, created, purpose=Purpose.JOB, price=0, reason=None):
    days = (last - first).days + 1
    booking = Booking(
        beneficiary=person,
        vehicle=vehicle,
        association_id=vehicle.association_id,
        category=vehicle.category,
        basin_id=vehicle.site.basin_id,
        starts_at=at(first, time(9)),
        ends_at=at(last, time(17)),
        days=days,
        purpose=purpose,
        status=status,
        price_cents=price,
        deposit_cents=0,
        created_at=created,
    )
    db.session.add(booking)
    previous = None
    for action, target in moves:
        db.session.add(
            BookingTransition(
                booking=booking,
                action=action,
                from_status=previous,
                to_status=target,
                reason=reason if target in (S.REJECTED, S.CANCELLED) else None,
                occurred_at=created,
            )
        )
        previous = target
    return booking


RETURNED = [("prescribe", S.APPROVED), ("confirm", S.CONFIRMED), ("check_out", S.IN_PROGRESS), ("return", S.RETURNED)]


@pytest.fixture
def plan(app):
    with time_machine.travel(NOW, tick=False):
        return _build_plan()


def _build_plan() -> Plan:
    ml = OrganisationFactory(name="Mission locale de test", mission_locale=True)
    dep = OrganisationFactory(name="Département (test)", departement=True)
    ft = OrganisationFactory(name="France Travail Gien (test)")
    ccas = OrganisationFactory(name="CCAS de test")
    a1 = OrganisationFactory(name="Association Orléans (test)", association=True)
    a2 = OrganisationFactory(name="Association Montargis (test)", association=True)
    s1 = SiteFactory(association=a1, orleans=True, name="Site Orléans")
    s2 = SiteFactory(association=a2, name="Site Montargis")
    v1 = VehicleFactory(site=s1)
    v2 = VehicleFactory(site=s1, vsp=True)
    v3 = VehicleFactory(site=s2)
    VehicleFactory(site=s2, retired=True)  # left out of the use rate
    p1 = _person(ml, date(2003, 5, 10))
    p2 = _person(dep, date(1980, 1, 1))
    p3 = _person(ft, date(1970, 3, 1), commune="45208")
    p4 = _person(ccas, date(2000, 3, 20), commune="45208")
    d = date
    b = {}
    b["B0"] = _booking("B0", p3, v1, d(2025, 12, 20), d(2026, 1, 2), S.RETURNED, RETURNED, at(d(2025, 12, 15), time(10)), price=5600)
    # Made at 00:30 on New Year's Day in Paris (still 2025 in UTC): a 2026 request.
    b["B1"] = _booking("B1", p1, v1, d(2026, 1, 5), d(2026, 1, 9), S.RETURNED, RETURNED, at(d(2026, 1, 1), time(0, 30)), price=2000)
    b["B2"] = _booking("B2", p2, v2, d(2026, 2, 26), d(2026, 3, 4), S.RETURNED, RETURNED, at(d(2026, 2, 20), time(10)), Purpose.TRAINING, 2100)
    b["B3"] = _booking("B3", p3, v3, d(2026, 3, 30), d(2026, 4, 2), S.RETURNED, RETURNED, at(d(2026, 3, 25), time(10)), Purpose.JOB_INTERVIEW, 1600)
    b["B4"] = _booking("B4", p4, v3, d(2026, 3, 20), d(2026, 3, 20), S.RETURNED, RETURNED, at(d(2026, 3, 18), time(10)), Purpose.JOB_SEARCH, 400)
    b["B5"] = _booking("B5", p1, v1, d(2026, 2, 2), d(2026, 2, 3), S.REJECTED, [("submit", S.REQUESTED), ("reject", S.REJECTED)], at(d(2026, 1, 20), time(10)), reason="Permis non vérifié")
    b["B6"] = _booking("B6", p2, v1, d(2026, 3, 10), d(2026, 3, 12), S.EXPIRED, [("submit", S.REQUESTED), ("expire", S.EXPIRED)], at(d(2026, 3, 1), time(10)))
    b["B7"] = _booking("B7", p3, v2, d(2026, 4, 20), d(2026, 4, 22), S.CANCELLED, [("prescribe", S.APPROVED), ("cancel", S.CANCELLED)], at(d(2026, 4, 10), time(10)), Purpose.TRAINING)
    b["B8"] = _booking("B8", p4, v2, d(2026, 5, 10), d(2026, 5, 11), S.CANCELLED, [("submit", S.REQUESTED), ("cancel", S.CANCELLED)], at(d(2026, 5, 2), time(10)), Purpose.JOB_SEARCH)
    b["B9"] = _booking("B9", p1, v3, d(2026, 6, 22), d(2026, 6, 26), S.CONFIRMED, RETURNED[:2], at(d(2026, 6, 10), time(10)))
    b["B10"] = _booking("B10", p2, v1, d(2026, 6, 20), d(2026, 6, 21), S.REJECTED, [("submit", S.REQUESTED), ("reject", S.REJECTED)], at(d(2026, 6, 1), time(10)), reason="Permis non vérifié ")
    db.session.flush()
    for booking, amount in ((b["B1"], 2000), (b["B2"], 1000)):
        db.session.add(Payment(booking=booking, kind=PaymentKind.RENTAL, amount_cents=amount, method=PaymentMethod.CASH, paid_on=booking.starts_on, receipt_number=f"R-{booking.id}"))
    db.session.add(Payment(booking=b["B1"], kind=PaymentKind.DEPOSIT, amount_cents=15000, method=PaymentMethod.CASH, paid_on=d(2026, 1, 5), receipt_number="R-deposit"))
    for booking, checkpoint, result in (
        (b["B0"], C.AT_END, R.DURABLE_JOB),
        (b["B1"], C.AT_END, R.DURABLE_JOB),
        (b["B1"], C.AFTER_3_MONTHS, R.TRAINING),
        (b["B2"], C.AT_END, R.NONE),
        (b["B3"], C.AT_END, R.UNKNOWN),
        (b["B4"], C.AT_END, R.OTHER_JOB),
        (b["B4"], C.AFTER_3_MONTHS, R.OTHER_JOB),
    ):
        db.session.add(Outcome(booking=booking, checkpoint=checkpoint, result=result, recorded_on=d(2026, 6, 1)))
    db.session.add_all(
        [
            Unavailability(vehicle=v2, starts_at=at(d(2026, 5, 4), time(0)), ends_at=at(d(2026, 5, 7), time(0)), kind=UnavailabilityKind.REPAIR),
            Unavailability(vehicle=v3, starts_at=at(d(2026, 6, 29), time(10)), ends_at=at(d(2026, 7, 3), time(12)), kind=UnavailabilityKind.REPAIR),
        ]
    )
    orleans, montargis = s1.basin_id, s2.basin_id
    for person, basin, category, created, status in (
        (p3, orleans, v1.category, at(d(2026, 2, 10), time(10)), WaitingStatus.ACCEPTED),
        (p4, montargis, v2.category, at(d(2026, 4, 5), time(10)), WaitingStatus.EXPIRED),
        (p2, orleans, v1.category, at(d(2026, 6, 12), time(10)), WaitingStatus.WAITING),
    ):
        db.session.add(
            WaitingEntry(
                beneficiary=person, basin_id=basin, category=category, starts_at=created, ends_at=at(d(2026, 7, 1), time(9)),
                purpose=Purpose.JOB, status=status, created_at=created,
            )
        )
    db.session.commit()
    return Plan(orleans, montargis, ml, dep, ft, ccas, a1, a2, s1, s2, v1, v2, v3, {"P1": p1, "P2": p2, "P3": p3, "P4": p4}, b)
