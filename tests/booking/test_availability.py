"""One definition of a free vehicle: the SQL query and the in-memory snapshot (used for the
nearest free dates) agree on generated data, whatever the mix of holdings."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from mobility.booking.availability import Snapshot, free_vehicles
from mobility.booking.models import BookingStatus
from mobility.core.time import at, day_span
from mobility.fleet.models import VehicleCategory, VehicleStatus
from tests.booking.factories import BookingFactory
from tests.fleet.factories import SiteFactory, UnavailabilityFactory, VehicleFactory

# The clock of tests/<package>/conftest.py (Monday 23 November 2026, 10:00 in France).
pytestmark = pytest.mark.usefixtures("frozen")

CAR = VehicleCategory.CAR
WINDOW = day_span(date(2026, 11, 1), date(2027, 1, 31))
STATUSES = list(BookingStatus)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _generated_fleet(rng: random.Random):
    site = SiteFactory(orleans=True)
    closed = SiteFactory(orleans=True, active=False)
    vehicles = []
    for number in range(14):
        papers_end = rng.choice([None, None, date(2026, 12, 1) + timedelta(days=rng.randrange(60))])
        vehicles.append(
            VehicleFactory(
                site=closed if number == 0 else site,
                plate=f"GE-{number:03d}-NE",
                vsp=number == 1,
                status=VehicleStatus.MAINTENANCE if number == 2 else VehicleStatus.ACTIVE,
                insurance_expires_on=papers_end if number % 2 else None,
                technical_inspection_due_on=papers_end if not number % 2 else None,
            )
        )
    for vehicle in vehicles:
        # A rental still out past its end is written last, and once per vehicle: the database
        # refuses any booking written onto a vehicle that is out overdue (and two can't be out).
        out_overdue = None
        day = date(2026, 11, 1) + timedelta(days=rng.randrange(5))
        while day < date(2027, 1, 20):
            length = rng.randrange(1, 7)
            starts_at = at(day, time(rng.choice([0, 8, 9])))
            ends_at = at(day + timedelta(days=length - 1), time(rng.choice([12, 17, 23])))
            if rng.random() < 0.3:
                UnavailabilityFactory(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
            else:
                status = rng.choice(STATUSES)
                if status == BookingStatus.IN_PROGRESS and ends_at <= NOW:
                    if out_overdue is None:
                        out_overdue = (starts_at, ends_at)
                        day += timedelta(days=length + rng.randrange(0, 4))
                        continue
                    status = BookingStatus.RETURNED
                BookingFactory(vehicle=vehicle, status=status, starts_at=starts_at, ends_at=ends_at)
            day += timedelta(days=length + rng.randrange(0, 4))
        if out_overdue is not None:
            BookingFactory(
                vehicle=vehicle, status=BookingStatus.IN_PROGRESS, starts_at=out_overdue[0], ends_at=out_overdue[1]
            )
    return site


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_definition_and_the_in_memory_one_always_agree(app, seed):
    rng = random.Random(seed)
    site = _generated_fleet(rng)
    snapshot = Snapshot.load(CAR, *WINDOW, basin_id=site.basin_id)
    checked = 0
    for _ in range(80):
        first = date(2026, 11, 10) + timedelta(days=rng.randrange(70))
        starts_at = at(first, time(rng.choice([0, 9, 13])))
        ends_at = at(first + timedelta(days=rng.randrange(0, 8)), time(rng.choice([10, 17, 23])))
        if ends_at <= starts_at:
            continue
        in_sql = {vehicle.id for vehicle in free_vehicles(CAR, starts_at, ends_at, site.basin_id)}
        assert snapshot.free_ids(starts_at, ends_at) == in_sql, (starts_at, ends_at)
        checked += 1
    assert checked > 50
