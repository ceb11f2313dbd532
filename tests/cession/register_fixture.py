"""A small register whose every figure was computed by hand (see the comments)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from mobility.booking.models import BookingStatus, Handover, HandoverKind, Outcome, OutcomeCheckpoint, OutcomeResult
from mobility.cession.models import CessionState
from mobility.extensions import db
from mobility.fleet.models import VehicleOrigin
from tests.booking.factories import BookingFactory
from tests.cession.factories import CessionFactory, ConventionFactory
from tests.factories import BeneficiaryFactory, OrganisationFactory
from tests.fleet.factories import SiteFactory, VehicleFactory


def _booking(vehicle, person, starts_on: date, days: int, status: BookingStatus, km=None, outcomes=()):
    starts_at = datetime(starts_on.year, starts_on.month, starts_on.day, 8, tzinfo=UTC)
    booking = BookingFactory(
        vehicle=vehicle, beneficiary=person, starts_at=starts_at,
        ends_at=starts_at + timedelta(days=days - 1, hours=8), days=days, status=status,
    )
    if km is not None:
        start, end = km
        db.session.add(Handover(booking=booking, kind=HandoverKind.CHECK_OUT, odometer_km=start, fuel_eighths=8))
        if end is not None:
            db.session.add(Handover(booking=booking, kind=HandoverKind.RETURN, odometer_km=end, fuel_eighths=8))
    for checkpoint, result in outcomes:
        db.session.add(Outcome(booking=booking, checkpoint=checkpoint, result=result, recorded_on=starts_on))
    db.session.commit()
    return booking


def build_register(association=None) -> dict:
    """Convention A (association X): cessions 1 and 2 in service, 3 declined.
    Convention B (another association): cession 4 scrapped in 2025.

    Expected, by hand:
    - cession 1: rentals 3 (b1, b2, b3; b4 cancelled and b0 before the cession do not count),
      days 5 + 10 + 7 = 22, km (10 350 - 10 000) + (11 000 - 10 350) = 1 000 (b3 not returned),
      beneficiaries P1, P2 = 2, positive outcomes 1 (b1: durable job);
    - cession 2: rentals 1, days 2, km 120, beneficiaries 1 (P2), positive 1 (training);
    - convention A: vehicles 2, rentals 4, days 24, km 1 120, beneficiaries 2 (P1, P2), positive 2.
    """
    association = association or OrganisationFactory(association=True, name="Association X")
    site = SiteFactory(association=association)
    convention_a = ConventionFactory(association=association, reference="CONV-A", max_vehicles=5)
    convention_b = ConventionFactory(reference="CONV-B", starts_on=date(2025, 1, 1))
    one = CessionFactory(convention=convention_a, ceded_on=date(2026, 3, 2), state=CessionState.IN_SERVICE)
    two = CessionFactory(convention=convention_a, ceded_on=date(2026, 6, 1), state=CessionState.IN_SERVICE)
    three = CessionFactory(convention=convention_a, ceded_on=date(2026, 7, 1), state=CessionState.DECLINED)
    four = CessionFactory(convention=convention_b, ceded_on=date(2025, 12, 10), state=CessionState.SCRAPPED)
    v1 = VehicleFactory(site=site, vin=one.vin, origin=VehicleOrigin.CEDED, cession_id=one.id)
    v2 = VehicleFactory(site=site, vin=two.vin, origin=VehicleOrigin.CEDED, cession_id=two.id)
    p1, p2, p3, p4 = (BeneficiaryFactory() for _ in range(4))
    R, P, C = BookingStatus.RETURNED, BookingStatus.IN_PROGRESS, BookingStatus.CANCELLED
    _booking(v1, p4, date(2026, 2, 2), 4, R, km=(9_000, 9_500))  # before the cession
    _booking(v1, p1, date(2026, 4, 6), 5, R, km=(10_000, 10_350), outcomes=[
        (OutcomeCheckpoint.AT_END, OutcomeResult.DURABLE_JOB), (OutcomeCheckpoint.AFTER_3_MONTHS, OutcomeResult.NONE)])
    _booking(v1, p2, date(2026, 5, 4), 10, R, km=(10_350, 11_000), outcomes=[(OutcomeCheckpoint.AT_END, OutcomeResult.NONE)])
    _booking(v1, p1, date(2026, 11, 16), 7, P, km=(11_000, None))
    _booking(v1, p3, date(2026, 9, 7), 3, C)
    _booking(v2, p2, date(2026, 6, 15), 2, R, km=(500, 620), outcomes=[(OutcomeCheckpoint.AFTER_3_MONTHS, OutcomeResult.TRAINING)])
    return {
        "association_id": association.id, "conventions": (convention_a.id, convention_b.id),
        "cessions": (one.id, two.id, three.id, four.id),
    }
