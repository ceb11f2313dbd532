"""The waiting-offers job's sweep: a vehicle freed by anything but a booking's change is offered
to the queue, and a vehicle on offer is held for that offer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mobility.booking import jobs
from mobility.booking.models import Purpose, WaitingEntry, WaitingStatus
from mobility.core.time import PARIS
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory
from mobility.notify.models import ContactChoice, OutboxMessage
from tests.factories import BeneficiaryFactory
from tests.fleet.factories import SiteFactory, UnavailabilityFactory, VehicleFactory

UTC = timezone.utc
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS).astimezone(UTC)
FROZEN_AT = NOW


def _paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def _run(now=NOW) -> dict:
    summary = jobs.offer_waiting_queue(now)
    db.session.commit()
    return summary


def _offers() -> list[str]:
    return [m.recipient for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "waiting_offer").order_by(OutboxMessage.id)
    )]


def _waiting(site, email, days_ago, category=None) -> WaitingEntry:
    person = BeneficiaryFactory(email=email, phone=None, contact_channel=ContactChoice.EMAIL)
    entry = WaitingEntry(
        beneficiary=person, basin_id=site.basin_id, category=category or VehicleCategory.CAR,
        starts_at=_paris(2026, 12, 14, 9, 0), ends_at=_paris(2026, 12, 18, 17, 0), purpose=Purpose.JOB,
        status=WaitingStatus.WAITING, created_at=NOW - timedelta(days=days_ago),
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def test_a_vehicle_added_to_the_fleet_is_offered_to_the_first_person_waiting(app, frozen):
    site = SiteFactory()
    first = _waiting(site, "first@example.org", days_ago=3)
    second = _waiting(site, "second@example.org", days_ago=1)
    assert _run()["rows"] == 0  # nothing free yet
    vehicle = VehicleFactory(site=site)  # a new vehicle: no booking changed
    assert _run()["rows"] == 2  # one offer made by the sweep, one message
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.status, first.offered_vehicle_id) == (WaitingStatus.OFFERED, vehicle.id)
    assert second.status == WaitingStatus.WAITING  # the vehicle is held for the first offer
    assert _run(NOW + timedelta(minutes=15))["rows"] == 0  # run again: nothing new
    assert _offers() == ["first@example.org"]


def test_the_end_of_an_unavailability_offers_the_vehicle(app, frozen):
    site = SiteFactory()
    vehicle = VehicleFactory(site=site)
    repair = UnavailabilityFactory(vehicle=vehicle, starts_at=_paris(2026, 12, 10, 0, 0), ends_at=_paris(2026, 12, 20, 0, 0))
    entry = _waiting(site, "waiting@example.org", days_ago=2)
    assert _run()["rows"] == 0
    repair.ends_at = _paris(2026, 12, 12, 0, 0)  # the repair ends sooner than planned
    db.session.commit()
    assert _run()["rows"] == 2
    db.session.refresh(entry)
    assert (entry.status, entry.offered_vehicle_id) == (WaitingStatus.OFFERED, vehicle.id)
    assert _offers() == ["waiting@example.org"]


def test_a_deleted_unavailability_frees_the_vehicle_for_the_queue(app, frozen):
    site = SiteFactory()
    vehicle = VehicleFactory(site=site)
    repair = UnavailabilityFactory(vehicle=vehicle, starts_at=_paris(2026, 12, 10, 0, 0), ends_at=_paris(2026, 12, 20, 0, 0))
    _waiting(site, "waiting@example.org", days_ago=2)
    assert _run()["rows"] == 0
    db.session.delete(repair)
    db.session.commit()
    assert _run()["rows"] == 2
    assert _offers() == ["waiting@example.org"]


def test_two_vehicles_free_go_to_two_people_never_one_vehicle_twice(app, frozen):
    site = SiteFactory()
    vehicles = {VehicleFactory(site=site).id, VehicleFactory(site=site).id}
    entries = [_waiting(site, f"p{n}@example.org", days_ago=5 - n) for n in range(3)]
    assert _run()["rows"] == 4  # two offers, two messages
    offered = [db.session.get(WaitingEntry, e.id) for e in entries]
    assert [e.status for e in offered] == [WaitingStatus.OFFERED, WaitingStatus.OFFERED, WaitingStatus.WAITING]
    assert {e.offered_vehicle_id for e in offered[:2]} == vehicles
    assert _offers() == ["p0@example.org", "p1@example.org"]


def test_the_database_refuses_a_second_open_offer_of_the_same_vehicle(app, frozen):
    site = SiteFactory()
    vehicle = VehicleFactory(site=site)
    first, second = _waiting(site, "a@example.org", 2), _waiting(site, "b@example.org", 1)
    with db.session.no_autoflush:
        for entry in (first, second):
            entry.status = WaitingStatus.OFFERED
            entry.offered_vehicle_id = vehicle.id
            entry.offer_expires_at = NOW + timedelta(hours=48)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Once the first offer is over, the vehicle may be offered again.
    first, second = db.session.get(WaitingEntry, first.id), db.session.get(WaitingEntry, second.id)
    with db.session.no_autoflush:
        first.status, first.offered_vehicle_id, first.offer_expires_at = WaitingStatus.EXPIRED, vehicle.id, NOW
        second.status, second.offered_vehicle_id = WaitingStatus.OFFERED, vehicle.id
        second.offer_expires_at = NOW + timedelta(hours=48)
    db.session.commit()
    assert db.session.get(WaitingEntry, second.id).status == WaitingStatus.OFFERED
