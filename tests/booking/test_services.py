"""Booking services on the real database: request, prescription, assignment, lost races."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from mobility.booking import services
from mobility.booking.eligibility import NotEligible, Purpose
from mobility.booking.models import Booking, BookingStatus, BookingTransition
from mobility.booking.services import NothingFree, RequestDetails, VehicleTaken
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory, VehicleStatus
from mobility.notify.models import OutboxMessage
from tests.booking.factories import add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, UnavailabilityFactory, VehicleFactory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FROZEN_AT = NOW
TODAY = date(2026, 11, 23)


@pytest.fixture
def two_cars_and_a_person(app, frozen):
    add_demo_tariffs()
    site = SiteFactory(orleans=True)
    vehicles = [VehicleFactory(site=site), VehicleFactory(site=site)]
    person = eligible_beneficiary(TODAY, commune_insee="45234")
    person_user = UserFactory(beneficiary=True, organisation=person.organisation, email="personne@example.org")
    person.user = person_user
    db.session.commit()
    return {"site": site, "vehicles": vehicles, "person": person, "user": person_user}


def _details(two_cars_and_a_person, **overrides) -> RequestDetails:
    values = {
        "category": VehicleCategory.CAR,
        "basin_id": two_cars_and_a_person["site"].basin_id,
        "starts_on": date(2026, 12, 7),
        "ends_on": date(2026, 12, 11),
        "purpose": Purpose.JOB,
        "pickup_time": time(9, 0),
        "return_time": time(17, 0),
    }
    values.update(overrides)
    return RequestDetails(**values)


def test_a_beneficiary_request_is_requested_holds_a_vehicle_and_keeps_the_price_of_the_day(two_cars_and_a_person):
    booking = services.request_booking(two_cars_and_a_person["person"], _details(two_cars_and_a_person), two_cars_and_a_person["user"])
    db.session.commit()
    assert booking.status == BookingStatus.REQUESTED
    assert booking.vehicle in two_cars_and_a_person["vehicles"]
    assert booking.days == 5
    assert booking.price_cents == 2000  # 5 days at 4 €, under the 20 € weekly cap
    assert booking.deposit_cents == 15000
    assert booking.starts_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 9:00 in Paris
    assert booking.expires_at == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # 72 h later
    log = db.session.scalars(db.select(BookingTransition)).all()
    assert [(t.action, t.from_status, t.to_status, t.actor_id) for t in log] == [
        ("submit", None, BookingStatus.REQUESTED, two_cars_and_a_person["user"].id)
    ]


def test_a_referent_request_is_a_prescription_approved_at_once(two_cars_and_a_person):
    referent = two_cars_and_a_person["person"].referent
    booking = services.request_booking(two_cars_and_a_person["person"], _details(two_cars_and_a_person), referent)
    db.session.commit()
    assert booking.status == BookingStatus.APPROVED
    assert booking.expires_at is None


def test_the_request_messages_reach_the_person_and_the_referent_in_the_outbox(two_cars_and_a_person):
    services.request_booking(two_cars_and_a_person["person"], _details(two_cars_and_a_person), two_cars_and_a_person["user"])
    db.session.commit()
    emails = sorted(m.recipient for m in db.session.scalars(db.select(OutboxMessage).filter_by(channel="email")))
    assert emails == sorted(["personne@example.org", two_cars_and_a_person["person"].referent.email])


def test_two_requests_for_the_same_dates_get_two_different_vehicles_then_nothing_free(two_cars_and_a_person):
    first = services.request_booking(two_cars_and_a_person["person"], _details(two_cars_and_a_person), two_cars_and_a_person["user"])
    other = eligible_beneficiary(TODAY)
    second = services.request_booking(other, _details(two_cars_and_a_person), other.referent)
    db.session.commit()
    assert {first.vehicle_id, second.vehicle_id} == {v.id for v in two_cars_and_a_person["vehicles"]}
    third_person = eligible_beneficiary(TODAY)
    with pytest.raises(NothingFree) as refused:
        services.request_booking(third_person, _details(two_cars_and_a_person), third_person.referent)
    # The nearest free dates of the same length are offered, before and after the week taken.
    assert [(d.starts_on, d.ends_on) for d in refused.value.alternatives.dates] == [
        (date(2026, 12, 2), date(2026, 12, 6)),
        (date(2026, 12, 12), date(2026, 12, 16)),
        (date(2026, 12, 13), date(2026, 12, 17)),
    ]


def test_a_second_holding_booking_for_the_same_person_is_refused_with_the_reason(two_cars_and_a_person):
    services.request_booking(two_cars_and_a_person["person"], _details(two_cars_and_a_person), two_cars_and_a_person["user"])
    with pytest.raises(NotEligible) as refused:
        services.request_booking(
            two_cars_and_a_person["person"], _details(two_cars_and_a_person, starts_on=date(2026, 12, 20), ends_on=date(2026, 12, 22)), two_cars_and_a_person["user"]
        )
    assert [r.code for r in refused.value.refusals] == ["active_booking_exists"]


def test_a_vehicle_asked_by_id_and_already_held_is_taken_with_the_free_alternatives(two_cars_and_a_person):
    wanted = two_cars_and_a_person["vehicles"][0]
    other = eligible_beneficiary(TODAY)
    services.request_booking(other, _details(two_cars_and_a_person, vehicle_id=wanted.id), other.referent)
    db.session.commit()
    with pytest.raises(VehicleTaken) as refused:
        services.request_booking(two_cars_and_a_person["person"], _details(two_cars_and_a_person, vehicle_id=wanted.id), two_cars_and_a_person["user"])
    assert [v.id for v in refused.value.alternatives.vehicles] == [two_cars_and_a_person["vehicles"][1].id]
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 1


def test_a_vehicle_under_unavailability_is_never_assigned(two_cars_and_a_person):
    broken = two_cars_and_a_person["vehicles"][0]
    UnavailabilityFactory(
        vehicle=broken,
        starts_at=datetime(2026, 12, 8, 23, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 9, 23, 0, tzinfo=UTC),
    )
    booking = services.request_booking(two_cars_and_a_person["person"], _details(two_cars_and_a_person), two_cars_and_a_person["user"])
    assert booking.vehicle_id == two_cars_and_a_person["vehicles"][1].id


def test_an_ineligible_person_gets_every_reason_and_nothing_is_written(two_cars_and_a_person):
    person = eligible_beneficiary(TODAY, licence_b=False, licence_b_issued_on=None, licence_b_expires_on=None)
    with pytest.raises(NotEligible) as refused:
        services.request_booking(person, _details(two_cars_and_a_person), person.referent)
    assert [r.code for r in refused.value.refusals] == ["licence_b_missing"]
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 0


def test_a_car_whose_insurance_or_inspection_lapses_during_the_rental_is_never_assigned(two_cars_and_a_person):
    first, second = two_cars_and_a_person["vehicles"]
    first.insurance_expires_on = date(2026, 12, 10)  # the day before the last rental day
    second.technical_inspection_due_on = date(2026, 12, 10)
    third = VehicleFactory(site=two_cars_and_a_person["site"], insurance_expires_on=date(2026, 12, 11))  # valid on the last day
    db.session.commit()
    booking = services.request_booking(two_cars_and_a_person["person"], _details(two_cars_and_a_person), two_cars_and_a_person["user"])
    assert booking.vehicle_id == third.id


def test_a_vehicle_not_back_from_an_overdue_rental_is_offered_to_nobody(two_cars_and_a_person):
    from tests.booking.factories import BookingFactory

    late, back = two_cars_and_a_person["vehicles"]
    BookingFactory(
        vehicle=late,
        status=BookingStatus.IN_PROGRESS,
        starts_at=datetime(2026, 11, 16, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 20, 16, 0, tzinfo=UTC),  # three days ago
    )
    starts_at, ends_at = _details(two_cars_and_a_person).period()
    assert services.free_vehicles(VehicleCategory.CAR, starts_at, ends_at) == [back]


def test_the_nearest_free_dates_step_around_bookings_and_unavailability(two_cars_and_a_person):
    only_car, other = two_cars_and_a_person["vehicles"]
    other.status = VehicleStatus.RETIRED
    db.session.commit()
    someone = eligible_beneficiary(TODAY)
    services.request_booking(someone, _details(two_cars_and_a_person), someone.referent)  # holds 7-11 December
    UnavailabilityFactory(
        vehicle=only_car,
        starts_at=datetime(2026, 12, 11, 23, 0, tzinfo=UTC),  # 12 December, Paris
        ends_at=datetime(2026, 12, 14, 23, 0, tzinfo=UTC),  # 14 December inclusive
    )
    dates = services.nearest_free_dates(_details(two_cars_and_a_person))
    assert [(d.starts_on, d.ends_on) for d in dates] == [
        (date(2026, 11, 30), date(2026, 12, 4)),
        (date(2026, 12, 1), date(2026, 12, 5)),
        (date(2026, 12, 2), date(2026, 12, 6)),
    ]
