"""A vehicle is held for the time it is really out: from an early handover, until a late return.

Services and database guards on both databases: the availability search, the request, the
planning board and the rows written directly (factories) all see the held period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from sqlalchemy.exc import IntegrityError

from mobility.booking import services
from mobility.booking.eligibility import Purpose
from mobility.booking.errors import BookingError
from mobility.booking.models import BookingStatus
from mobility.booking.planning import booking_spans
from mobility.booking.services import HandoverDetails, NothingFree, RequestDetails
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory
from tests.booking.factories import BookingFactory, add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, UnavailabilityFactory, VehicleFactory

# The booking of the tests: Monday 7 December 9:00 to Friday 11 December 17:00 (Paris).
BOOKED_START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
BOOKED_END = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
TUESDAY_1_AT_10 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SATURDAY_12_AT_10 = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)


def _handover(km: int) -> HandoverDetails:
    return HandoverDetails(odometer_km=km, fuel_eighths=8, contract_signed=True)


@pytest.fixture
def booked_vehicle(app):
    add_demo_tariffs()
    site = SiteFactory()
    vehicle = VehicleFactory(site=site)
    staff = UserFactory(fleet=True, organisation=site.association)
    booking = BookingFactory(vehicle=vehicle, starts_at=BOOKED_START, ends_at=BOOKED_END)
    person = eligible_beneficiary(date(2026, 12, 1), commune_insee="45208")
    prescriber = UserFactory(organisation=person.organisation)
    db.session.commit()
    return {"site": site, "vehicle": vehicle, "staff": staff, "booking": booking, "person": person, "prescriber": prescriber}


def _request(booked_vehicle, starts_on: date, ends_on: date) -> RequestDetails:
    return RequestDetails(
        category=VehicleCategory.CAR,
        basin_id=booked_vehicle["site"].basin_id,
        starts_on=starts_on,
        ends_on=ends_on,
        purpose=Purpose.JOB,
        pickup_time=time(9, 0),
        return_time=time(17, 0),
    )


def _free_on(booked_vehicle, starts_at: datetime, ends_at: datetime) -> list:
    return services.free_vehicles(VehicleCategory.CAR, starts_at, ends_at, booked_vehicle["site"].basin_id)


def test_a_booking_is_held_for_its_booked_period_until_it_leaves(booked_vehicle):
    booking = booked_vehicle["booking"]
    assert (booking.held_from, booking.held_until) == (BOOKED_START, BOOKED_END)


def test_an_early_handover_moves_the_hold_to_the_handover_and_the_board_shows_it(booked_vehicle):
    booking = booked_vehicle["booking"]
    with time_machine.travel(TUESDAY_1_AT_10, tick=False):
        services.check_out(booking, _handover(45100), booked_vehicle["staff"])
        db.session.commit()
    assert booking.status == BookingStatus.IN_PROGRESS
    assert booking.held_from == TUESDAY_1_AT_10
    # The booked period (and its price) do not change.
    assert booking.starts_at == BOOKED_START
    spans = list(booking_spans([booked_vehicle["vehicle"]], datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)))
    assert [(span.starts_at, span.ends_at) for span in spans] == [(TUESDAY_1_AT_10, BOOKED_END)]


def test_another_booking_for_the_days_already_out_is_not_offered_and_refused(booked_vehicle):
    booking = booked_vehicle["booking"]
    with time_machine.travel(TUESDAY_1_AT_10, tick=False):
        services.check_out(booking, _handover(45100), booked_vehicle["staff"])
        db.session.commit()
        wednesday, thursday = datetime(2026, 12, 2, 8, 0, tzinfo=UTC), datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
        assert _free_on(booked_vehicle, wednesday, thursday) == []
        with pytest.raises(NothingFree):
            services.request_booking(
                booked_vehicle["person"], _request(booked_vehicle, date(2026, 12, 2), date(2026, 12, 3)), booked_vehicle["prescriber"]
            )
        db.session.rollback()
        # The database refuses it too, written directly.
        with pytest.raises(IntegrityError, match="booking_overlap|booking_no_overlap"):
            BookingFactory(vehicle=booked_vehicle["vehicle"], starts_at=wednesday, ends_at=thursday)
    db.session.rollback()


def test_an_early_handover_over_another_booking_is_refused_naming_it(booked_vehicle):
    booking = booked_vehicle["booking"]
    other = BookingFactory(
        vehicle=booked_vehicle["vehicle"],
        starts_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
    )
    with time_machine.travel(TUESDAY_1_AT_10, tick=False):
        with pytest.raises(BookingError) as refused:
            services.check_out(booking, _handover(45100), booked_vehicle["staff"])
    db.session.rollback()
    message = refused.value.message
    assert other.reference in message
    assert "du mercredi 2 décembre à 09:00 au jeudi 3 décembre à 17:00" in message
    assert "lundi 7 décembre à 09:00" in message
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.held_from == BOOKED_START
    assert booking.handovers == []


def test_an_early_handover_over_an_unavailability_is_refused(booked_vehicle):
    UnavailabilityFactory(vehicle=booked_vehicle["vehicle"])  # 2 to 4 December
    with time_machine.travel(TUESDAY_1_AT_10, tick=False):
        with pytest.raises(BookingError, match="indisponible du mercredi 2 décembre"):
            services.check_out(booked_vehicle["booking"], _handover(45100), booked_vehicle["staff"])


def test_a_handover_on_the_day_keeps_the_booked_start(booked_vehicle):
    booking = booked_vehicle["booking"]
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=UTC), tick=False):
        services.check_out(booking, _handover(45100), booked_vehicle["staff"])
        db.session.commit()
    assert booking.held_from == BOOKED_START


def test_a_late_return_holds_the_vehicle_until_it_is_back(booked_vehicle):
    booking = booked_vehicle["booking"]
    with time_machine.travel(BOOKED_START, tick=False):
        services.check_out(booking, _handover(45100), booked_vehicle["staff"])
        db.session.commit()
    back = datetime(2026, 12, 12, 10, 30, tzinfo=UTC)
    with time_machine.travel(back, tick=False):
        services.return_vehicle(booking, _handover(45400), booked_vehicle["staff"])
        db.session.commit()
    assert booking.status == BookingStatus.RETURNED
    assert booking.held_until == back
    spans = list(booking_spans([booked_vehicle["vehicle"]], datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)))
    assert [(span.state, span.starts_at, span.ends_at) for span in spans] == [("returned", BOOKED_START, back)]
    # Back: free again from its return.
    assert _free_on(booked_vehicle, back, datetime(2026, 12, 14, 16, 0, tzinfo=UTC)) == [booked_vehicle["vehicle"]]


def test_an_early_return_frees_the_vehicle_from_the_return(booked_vehicle):
    booking = booked_vehicle["booking"]
    with time_machine.travel(BOOKED_START, tick=False):
        services.check_out(booking, _handover(45100), booked_vehicle["staff"])
        db.session.commit()
    back = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
    with time_machine.travel(back, tick=False):
        services.return_vehicle(booking, _handover(45200), booked_vehicle["staff"])
        db.session.commit()
    assert booking.held_until == back
    with time_machine.travel(back, tick=False):
        assert _free_on(booked_vehicle, datetime(2026, 12, 10, 8, 0, tzinfo=UTC), BOOKED_END) == [booked_vehicle["vehicle"]]


def test_an_overdue_rental_not_returned_stays_held_past_its_end(booked_vehicle):
    booking = booked_vehicle["booking"]
    with time_machine.travel(BOOKED_START, tick=False):
        services.check_out(booking, _handover(45100), booked_vehicle["staff"])
        db.session.commit()
    later_week = (datetime(2026, 12, 14, 8, 0, tzinfo=UTC), datetime(2026, 12, 18, 16, 0, tzinfo=UTC))
    with time_machine.travel(SATURDAY_12_AT_10, tick=False):
        assert booking.is_overdue(SATURDAY_12_AT_10)
        assert _free_on(booked_vehicle, *later_week) == []
        with pytest.raises(NothingFree):
            services.request_booking(
                booked_vehicle["person"], _request(booked_vehicle, date(2026, 12, 14), date(2026, 12, 18)), booked_vehicle["prescriber"]
            )
        db.session.rollback()
        # The database refuses a booking written onto the vehicle while it is out overdue.
        with pytest.raises(IntegrityError, match="booking_while_out_overdue"):
            BookingFactory(vehicle=booked_vehicle["vehicle"], starts_at=later_week[0], ends_at=later_week[1])
        db.session.rollback()
        spans = list(
            booking_spans([booked_vehicle["vehicle"]], datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
        )
        assert [(span.state, span.ends_at) for span in spans] == [
            ("in_progress", BOOKED_END),
            ("overdue", SATURDAY_12_AT_10),
        ]


def test_before_its_end_a_rental_in_progress_lets_the_next_booking_be_made(booked_vehicle):
    booking = booked_vehicle["booking"]
    with time_machine.travel(BOOKED_START, tick=False):
        services.check_out(booking, _handover(45100), booked_vehicle["staff"])
        db.session.commit()
        next_one = BookingFactory(
            vehicle=booked_vehicle["vehicle"],
            starts_at=datetime(2026, 12, 14, 8, 0, tzinfo=UTC),
            ends_at=datetime(2026, 12, 18, 16, 0, tzinfo=UTC),
        )
    # Confirming what was already there is not refused once the first rental runs late.
    with time_machine.travel(SATURDAY_12_AT_10, tick=False):
        next_one.status = BookingStatus.APPROVED
        db.session.commit()
    assert next_one.status == BookingStatus.APPROVED
