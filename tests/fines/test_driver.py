"""Who had the vehicle at the moment of the offence, from the handover records (not the booked
times): inside a rental, between two rentals, at the minute of a handover, on clock-change days."""

from __future__ import annotations

from datetime import UTC, datetime, time, date

import pytest

from mobility.core.errors import Invalid
from mobility.fines.driver import who_had
from mobility.fines.models import DriverFinding
from mobility.fines.services import offence_instant
from tests.factories import UserFactory
from tests.fines.factories import fleet_vehicle, rental

MARGIN = 30


@pytest.fixture
def fleet_car(app):
    return fleet_vehicle(UserFactory(fleet=True))


def test_inside_a_rental_the_person_who_had_it_checked_out_is_the_driver(fleet_car):
    booking = rental(fleet_car, datetime(2026, 10, 5, 7, 0, tzinfo=UTC), datetime(2026, 10, 9, 15, 0, tzinfo=UTC))
    answer = who_had(fleet_car.id, datetime(2026, 10, 7, 12, 0, tzinfo=UTC), MARGIN)
    assert answer.finding is DriverFinding.DRIVER
    assert answer.booking.id == booking.id


def test_the_handover_times_count_not_the_booked_times(fleet_car):
    # Booked from the 5th, but the keys were handed over on the 6th at 09:00 UTC.
    rental(fleet_car, datetime(2026, 10, 6, 9, 0, tzinfo=UTC), datetime(2026, 10, 9, 15, 0, tzinfo=UTC),
           starts_at=datetime(2026, 10, 5, 7, 0, tzinfo=UTC))
    assert who_had(fleet_car.id, datetime(2026, 10, 5, 12, 0, tzinfo=UTC), MARGIN).finding is DriverFinding.AT_SITE
    # Booked until the 12th, brought back on the 9th: on the 10th the car was at the site.
    assert who_had(fleet_car.id, datetime(2026, 10, 10, 12, 0, tzinfo=UTC), MARGIN).finding is DriverFinding.AT_SITE


def test_between_two_rentals_nobody_had_it(fleet_car):
    rental(fleet_car, datetime(2026, 10, 1, 7, 0, tzinfo=UTC), datetime(2026, 10, 3, 15, 0, tzinfo=UTC))
    second = rental(fleet_car, datetime(2026, 10, 5, 7, 0, tzinfo=UTC), datetime(2026, 10, 8, 15, 0, tzinfo=UTC))
    assert who_had(fleet_car.id, datetime(2026, 10, 4, 12, 0, tzinfo=UTC), MARGIN).finding is DriverFinding.AT_SITE
    assert who_had(fleet_car.id, datetime(2026, 10, 6, 12, 0, tzinfo=UTC), MARGIN).booking.id == second.id


def test_a_rental_not_yet_returned_still_has_the_vehicle(fleet_car):
    booking = rental(fleet_car, datetime(2026, 10, 5, 7, 0, tzinfo=UTC))
    assert who_had(fleet_car.id, datetime(2026, 10, 20, 12, 0, tzinfo=UTC), MARGIN).booking.id == booking.id


def test_at_the_minute_of_a_handover_and_within_the_margin_a_person_looks(fleet_car):
    first = rental(fleet_car, datetime(2026, 10, 1, 7, 0, tzinfo=UTC), datetime(2026, 10, 5, 7, 0, tzinfo=UTC))
    second = rental(fleet_car, datetime(2026, 10, 5, 7, 20, tzinfo=UTC), datetime(2026, 10, 8, 15, 0, tzinfo=UTC))
    at_the_minute = who_had(fleet_car.id, datetime(2026, 10, 5, 7, 0, tzinfo=UTC), MARGIN)
    assert at_the_minute.finding is DriverFinding.NEEDS_REVIEW
    assert {b.id for b in at_the_minute.candidates} == {first.id, second.id}
    # 30 minutes after the second check-out: still within the margin; 31: the second rental.
    assert who_had(fleet_car.id, datetime(2026, 10, 5, 7, 50, tzinfo=UTC), MARGIN).finding is DriverFinding.NEEDS_REVIEW
    assert who_had(fleet_car.id, datetime(2026, 10, 5, 7, 51, tzinfo=UTC), MARGIN).booking.id == second.id
    # A margin of 0 minutes still looks at the exact minute.
    assert who_had(fleet_car.id, datetime(2026, 10, 5, 7, 20, tzinfo=UTC), 0).finding is DriverFinding.NEEDS_REVIEW


def test_another_vehicles_rentals_are_not_looked_at(fleet_car):
    other = fleet_vehicle(UserFactory(fleet=True))
    rental(other, datetime(2026, 10, 1, 7, 0, tzinfo=UTC), datetime(2026, 10, 9, 15, 0, tzinfo=UTC))
    assert who_had(fleet_car.id, datetime(2026, 10, 5, 12, 0, tzinfo=UTC), MARGIN).finding is DriverFinding.AT_SITE


def test_on_the_spring_clock_change_day_paris_times_become_the_right_instants(fleet_car):
    # 29 March 2026: 02:00 becomes 03:00. Check-out at 10:00 Paris (08:00 UTC, summer time).
    booking = rental(fleet_car, datetime(2026, 3, 29, 8, 0, tzinfo=UTC), datetime(2026, 3, 29, 18, 0, tzinfo=UTC))
    before = offence_instant(date(2026, 3, 29), time(1, 45))  # winter time: 00:45 UTC
    assert before == datetime(2026, 3, 29, 0, 45, tzinfo=UTC)
    during = offence_instant(date(2026, 3, 29), time(11, 0))  # summer time: 09:00 UTC
    assert during == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    assert who_had(fleet_car.id, before, MARGIN).finding is DriverFinding.AT_SITE
    assert who_had(fleet_car.id, during, MARGIN).booking.id == booking.id
    # 10:20 Paris is 08:20 UTC: 20 minutes after the check-out, not 1 h 20.
    assert who_had(fleet_car.id, offence_instant(date(2026, 3, 29), time(10, 20)), MARGIN).finding is DriverFinding.NEEDS_REVIEW


def test_an_hour_that_the_spring_change_skips_is_refused():
    with pytest.raises(Invalid) as refused:
        offence_instant(date(2026, 3, 29), time(2, 30))
    assert "n'existe pas" in refused.value.message and refused.value.field == "offence_time"


def test_on_the_autumn_clock_change_day_the_repeated_hour_is_its_first_occurrence(fleet_car):
    # 25 October 2026: 03:00 becomes 02:00 again. 02:30 is taken in summer time (00:30 UTC).
    assert offence_instant(date(2026, 10, 25), time(2, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    # 17:00 Paris that day is winter time: 16:00 UTC.
    booking = rental(fleet_car, datetime(2026, 10, 25, 15, 0, tzinfo=UTC), datetime(2026, 10, 25, 20, 0, tzinfo=UTC))
    assert who_had(fleet_car.id, offence_instant(date(2026, 10, 25), time(17, 0)), MARGIN).booking.id == booking.id
