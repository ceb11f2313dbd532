"""The database itself refuses double bookings, whatever the Python code does.

Rows are written directly (factories), bypassing the services: these are the guards of the
booking migration (PostgreSQL exclusion constraint and triggers; SQLite triggers).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from mobility.booking.models import Booking, BookingStatus
from mobility.extensions import db
from tests.booking.factories import BookingFactory
from tests.factories import BeneficiaryFactory
from tests.fleet.factories import UnavailabilityFactory, VehicleFactory

MON_9 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
FRI_17 = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
WED_9 = datetime(2026, 12, 9, 8, 0, tzinfo=UTC)
SUN_17 = datetime(2026, 12, 13, 16, 0, tzinfo=UTC)

HOLDING = [BookingStatus.REQUESTED, BookingStatus.APPROVED, BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS]
NOT_HOLDING = [
    BookingStatus.RETURNED,
    BookingStatus.REJECTED,
    BookingStatus.EXPIRED,
    BookingStatus.CANCELLED,
    BookingStatus.NO_SHOW,
]


def _count() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count(Booking.id)))


@pytest.mark.parametrize("status", HOLDING, ids=lambda s: s.value)
def test_an_overlapping_holding_booking_of_the_same_vehicle_is_refused(app, status):
    vehicle = VehicleFactory()
    BookingFactory(vehicle=vehicle, starts_at=MON_9, ends_at=FRI_17, status=BookingStatus.CONFIRMED)
    with pytest.raises(IntegrityError, match="booking_overlap|booking_no_overlap"):
        BookingFactory(vehicle=vehicle, starts_at=WED_9, ends_at=SUN_17, status=status)
    assert _count() == 1


@pytest.mark.parametrize("status", NOT_HOLDING, ids=lambda s: s.value)
def test_a_booking_that_no_longer_holds_the_vehicle_does_not_block_the_period(app, status):
    vehicle = VehicleFactory()
    BookingFactory(vehicle=vehicle, starts_at=MON_9, ends_at=FRI_17, status=status)
    BookingFactory(vehicle=vehicle, starts_at=WED_9, ends_at=SUN_17, status=BookingStatus.REQUESTED)
    assert _count() == 2


def test_periods_are_half_open_a_return_at_17_and_a_pickup_at_17_do_not_meet(app):
    vehicle = VehicleFactory()
    BookingFactory(vehicle=vehicle, starts_at=MON_9, ends_at=FRI_17)
    BookingFactory(vehicle=vehicle, starts_at=FRI_17, ends_at=SUN_17)
    assert _count() == 2


def test_overlapping_bookings_of_two_different_vehicles_are_fine(app):
    BookingFactory(starts_at=MON_9, ends_at=FRI_17)
    BookingFactory(starts_at=MON_9, ends_at=FRI_17)
    assert _count() == 2


def test_moving_a_booking_onto_a_held_period_is_refused(app):
    vehicle = VehicleFactory()
    BookingFactory(vehicle=vehicle, starts_at=MON_9, ends_at=FRI_17)
    later = BookingFactory(vehicle=vehicle, starts_at=FRI_17, ends_at=SUN_17)
    later.starts_at = WED_9
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_reviving_a_cancelled_booking_over_a_held_period_is_refused(app):
    vehicle = VehicleFactory()
    BookingFactory(vehicle=vehicle, starts_at=MON_9, ends_at=FRI_17)
    cancelled = BookingFactory(vehicle=vehicle, starts_at=WED_9, ends_at=SUN_17, status=BookingStatus.CANCELLED)
    cancelled.status = BookingStatus.APPROVED
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_a_holding_booking_over_an_unavailability_is_refused(app):
    unavailable = UnavailabilityFactory(
        starts_at=datetime(2026, 12, 8, 23, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 9, 23, 0, tzinfo=UTC)
    )
    with pytest.raises(IntegrityError, match="booking_over_unavailability"):
        BookingFactory(vehicle=unavailable.vehicle, starts_at=MON_9, ends_at=FRI_17, status=BookingStatus.REQUESTED)
    assert _count() == 0


def test_an_unavailability_over_a_holding_booking_is_refused(app):
    booking = BookingFactory(starts_at=MON_9, ends_at=FRI_17, status=BookingStatus.CONFIRMED)
    with pytest.raises(IntegrityError, match="unavailability_over_booking"):
        UnavailabilityFactory(
            vehicle=booking.vehicle,
            starts_at=datetime(2026, 12, 8, 23, 0, tzinfo=UTC),
            ends_at=datetime(2026, 12, 9, 23, 0, tzinfo=UTC),
        )


def test_an_unavailability_after_a_returned_booking_is_fine(app):
    booking = BookingFactory(starts_at=MON_9, ends_at=FRI_17, status=BookingStatus.RETURNED)
    UnavailabilityFactory(vehicle=booking.vehicle, starts_at=MON_9, ends_at=FRI_17)


def test_one_person_cannot_hold_two_bookings_at_once(app):
    person = BeneficiaryFactory()
    BookingFactory(beneficiary=person, status=BookingStatus.CONFIRMED)
    with pytest.raises(IntegrityError):
        BookingFactory(
            beneficiary=person,
            starts_at=datetime(2027, 1, 4, 8, 0, tzinfo=UTC),
            ends_at=datetime(2027, 1, 8, 16, 0, tzinfo=UTC),
            status=BookingStatus.REQUESTED,
        )
    assert _count() == 1


def test_a_person_may_book_again_once_the_previous_rental_is_over(app):
    person = BeneficiaryFactory()
    BookingFactory(beneficiary=person, status=BookingStatus.RETURNED)
    BookingFactory(beneficiary=person, status=BookingStatus.CANCELLED)
    BookingFactory(beneficiary=person, status=BookingStatus.REQUESTED)
    assert _count() == 3


def test_a_booking_must_end_after_it_starts(app):
    with pytest.raises(IntegrityError):
        BookingFactory(starts_at=FRI_17, ends_at=MON_9)


def test_other_purpose_must_be_described(app):
    from mobility.booking.eligibility import Purpose

    with pytest.raises(IntegrityError):
        BookingFactory(purpose=Purpose.OTHER, purpose_detail="  ")
