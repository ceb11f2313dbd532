"""The demo bookings (seed-demo) and the bench data set (seed-bench), on the real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from mobility.auth.models import User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking import services
from mobility.devdata.bookings import PEOPLE
from mobility.booking.eligibility import Purpose, eligible_categories, refusals_by_category
from mobility.booking.eligibility_settings import settings_from_config
from mobility.booking.lifecycle import TRANSITIONS, Action
from mobility.booking.models import (
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
    BookingTransition,
    Extension,
    ExtensionStatus,
    Handover,
    Outcome,
    Payment,
    Tariff,
    WaitingEntry,
    WaitingStatus,
)
from mobility.devdata.demo import seed_demo
from mobility.extensions import db
from mobility.fleet.models import Unavailability, Vehicle, VehicleCategory
from mobility.core.time import today as today_in_france

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FROZEN_AT = NOW
TODAY = date(2026, 11, 23)
CAR, VSP = VehicleCategory.CAR, VehicleCategory.VSP


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def demo_file(label: str) -> Beneficiary:
    return db.session.scalar(select(Beneficiary).where(Beneficiary.last_name == f"Démo {label}"))


def assert_logs_follow_the_lifecycle_table() -> None:
    """Each booking's log replays from nothing to its status through allowed moves only."""
    for booking in db.session.scalars(select(Booking)):
        status = None
        for transition in booking.transitions:
            move = TRANSITIONS.get((status, Action(transition.action)))
            assert move is not None, (booking.reference, status, transition.action)
            assert transition.from_status == status and transition.to_status == move.target
            status = move.target
        assert status == booking.status, booking.reference


def assert_the_database_guards_hold() -> None:
    other = aliased(Booking)
    overlapping = db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .join(
            other,
            and_(
                other.vehicle_id == Booking.vehicle_id,
                other.id > Booking.id,
                other.starts_at < Booking.ends_at,
                other.ends_at > Booking.starts_at,
            ),
        )
        .where(Booking.status.in_(HOLDING_STATUSES), other.status.in_(HOLDING_STATUSES))
    )
    assert overlapping == 0
    most_held = db.session.scalar(
        select(func.count(Booking.id))
        .where(Booking.status.in_(HOLDING_STATUSES))
        .group_by(Booking.beneficiary_id)
        .order_by(func.count(Booking.id).desc())
        .limit(1)
    )
    assert (most_held or 0) <= 1


# seed-demo ---------------------------------------------------------------------------------------


DEMO_TABLES = (
    Booking,
    BookingTransition,
    Payment,
    Handover,
    Outcome,
    Extension,
    WaitingEntry,
    Tariff,
    Beneficiary,
)


def test_seeding_the_demo_twice_gives_the_same_rows_and_bookings_in_every_status(app, frozen):
    seed_demo(TODAY)
    db.session.commit()
    first = {model.__name__: count(model) for model in DEMO_TABLES}
    seed_demo(TODAY)
    db.session.commit()
    assert {model.__name__: count(model) for model in DEMO_TABLES} == first
    assert set(db.session.scalars(select(Booking.status).distinct())) == set(BookingStatus)
    assert_logs_follow_the_lifecycle_table()
    assert_the_database_guards_hold()


def test_the_demo_referent_follows_ten_people_or_more_in_the_situations_described(app, frozen):
    seed_demo(TODAY)
    db.session.commit()
    referent = db.session.scalar(select(User).where(User.email == "referent@demo.test"))
    followed = db.session.scalars(select(Beneficiary).where(Beneficiary.referent_id == referent.id)).all()
    assert len(followed) >= 10
    assert all(
        person.first_name == "Bénéficiaire" and person.last_name.startswith("Démo ") for person in followed
    )
    settings = settings_from_config(app.config)

    def can_rent(label: str) -> list[VehicleCategory]:
        return eligible_categories(demo_file(label), 0, TODAY, settings)

    # Most may rent a car (and so a VSP): RSA and B licence checked recently by this référent.
    car_drivers = [p.label for p in PEOPLE if p.licence_b == "valid"]
    assert len(car_drivers) > len(PEOPLE) / 2
    for label in car_drivers:
        assert can_rent(label) == [CAR, VSP], label
        assert demo_file(label).driving_rights_checked_by_id == referent.id
    assert can_rent("11") == [VSP]  # born before 1988, no licence
    assert can_rent("12") == [VSP]  # AM licence
    born_1990 = demo_file("13")
    assert born_1990.birth_date.year == 1990 and not born_1990.has_am_licence and not born_1990.has_licence_b
    assert can_rent("13") == []
    expired = refusals_by_category(demo_file("14"), 0, TODAY, settings)
    assert [r.code for r in expired[CAR]] == ["licence_b_expired"]
    assert can_rent("14") == [VSP]


def test_the_demo_has_what_each_page_shows(app, frozen):
    seed_demo(TODAY)
    db.session.commit()
    # The beneficiary account's own file has bookings, one of them waiting for the référent.
    own_file = db.session.scalar(
        select(Beneficiary)
        .join(User, User.id == Beneficiary.user_id)
        .where(User.email == "beneficiaire@demo.test")
    )
    own = db.session.scalars(select(Booking).where(Booking.beneficiary_id == own_file.id)).all()
    assert BookingStatus.REQUESTED in {booking.status for booking in own}
    # A rental running late, and one whose person asked to keep the vehicle longer.
    assert [b.beneficiary.last_name for b in services.overdue_bookings(None, NOW)] == ["Démo 07"]
    pending = db.session.scalars(select(Extension).where(Extension.status == ExtensionStatus.PENDING)).all()
    assert [extension.booking.status for extension in pending] == [BookingStatus.IN_PROGRESS]
    assert count(WaitingEntry) == 1
    assert db.session.scalar(select(WaitingEntry.status)) == WaitingStatus.WAITING
    # Every finished rental was handed over and back, paid, and has its outcome at the end.
    for booking in db.session.scalars(select(Booking).where(Booking.status == BookingStatus.RETURNED)):
        assert booking.check_out and booking.return_handover, booking.reference
        assert booking.paid_cents == booking.price_cents and booking.outcomes, booking.reference
    # The history never puts two rentals on one vehicle at once, nor one over a repair.
    returned = db.session.scalars(select(Booking).where(Booking.status == BookingStatus.RETURNED)).all()
    for booking in returned:
        others = [b for b in returned if b.vehicle_id == booking.vehicle_id and b.id != booking.id]
        assert not any(o.starts_at < booking.ends_at and o.ends_at > booking.starts_at for o in others)
        assert not db.session.scalar(
            select(func.count(Unavailability.id)).where(
                Unavailability.vehicle_id == booking.vehicle_id,
                Unavailability.starts_at < booking.ends_at,
                Unavailability.ends_at > booking.starts_at,
            )
        )


# seed-bench --------------------------------------------------------------------------------------


def test_seed_bench_writes_a_small_consistent_data_set_and_says_how_long_it_took(runner, app):
    result = runner.invoke(args=["seed-bench", "--vehicles", "10", "--bookings", "500"])
    assert result.exit_code == 0, result.output
    assert "Bench data ready in" in result.output
    db.session.rollback()
    assert count(Booking) == 500 and count(Vehicle) == 10
    assert set(db.session.scalars(select(Booking.status).distinct())) == set(BookingStatus)
    assert all(name.startswith("Banc ") for name in db.session.scalars(select(Beneficiary.last_name)))
    assert_logs_follow_the_lifecycle_table()
    assert_the_database_guards_hold()
    # Bookings reach back four years and a few months ahead.
    first, last = db.session.execute(select(func.min(Booking.starts_at), func.max(Booking.ends_at))).one()
    today = today_in_france()
    assert (today - first.date()).days > 3 * 365 and 30 < (last.date() - today).days <= 150


def test_the_services_work_on_the_bench_data(runner, app):
    """Ids were written explicitly: the next rows the application writes must still fit."""
    assert runner.invoke(args=["seed-bench", "--vehicles", "10", "--bookings", "500"]).exit_code == 0
    db.session.rollback()
    holding = select(Booking.beneficiary_id).where(Booking.status.in_(HOLDING_STATUSES))
    person = db.session.scalar(
        select(Beneficiary)
        .where(Beneficiary.licence_b_issued_on.is_not(None), Beneficiary.id.not_in(holding))
        .order_by(Beneficiary.id)
        .limit(1)
    )
    vehicle = db.session.scalar(select(Vehicle).where(Vehicle.category == CAR).order_by(Vehicle.id).limit(1))
    later = today_in_france() + timedelta(days=200)  # after every bench booking
    booking = services.request_booking(
        person,
        services.RequestDetails(
            category=CAR,
            basin_id=None,
            starts_on=later,
            ends_on=later,
            purpose=Purpose.JOB,
            vehicle_id=vehicle.id,
        ),
        person.referent,
    )
    db.session.commit()
    assert booking.id == count(Booking) and booking.status == BookingStatus.APPROVED


def test_seed_bench_refuses_a_database_that_already_holds_data_unless_forced(runner, app):
    runner.invoke(args=["seed-demo"])
    refused = runner.invoke(args=["seed-bench", "--vehicles", "10", "--bookings", "100"])
    assert refused.exit_code != 0
    assert "seed-bench n'écrit que dans une base vide" in refused.output
    assert "seed-bench only writes to an empty test or bench database" in refused.output
    db.session.rollback()
    assert count(Vehicle) == 24  # the demo fleet only: nothing was written
    forced = runner.invoke(args=["seed-bench", "--vehicles", "10", "--bookings", "100", "--force"])
    assert forced.exit_code == 0, forced.output
    db.session.rollback()
    assert count(Vehicle) == 34
    assert_the_database_guards_hold()


def test_seed_bench_on_demo_gives_the_history_to_the_demo_accounts(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.rollback()
    demo_bookings = count(Booking)
    result = runner.invoke(args=["seed-bench", "--vehicles", "8", "--bookings", "400", "--on-demo"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert count(Booking) == demo_bookings + 400
    referent = db.session.scalar(select(User).where(User.email == "referent@demo.test"))
    bench_files = select(Beneficiary).where(Beneficiary.last_name.like("Banc %"))
    assert {(file.referent_id, file.organisation_id) for file in db.session.scalars(bench_files)} == {
        (referent.id, referent.organisation_id)
    }
    # Each bench vehicle belongs to the demo association of its basin: no bench organisation.
    fleet_accounts = db.session.scalars(
        select(User).where(User.email.in_(["gestion@demo.test", "gestion-orleans@demo.test"]))
    )
    associations = {user.organisation_id for user in fleet_accounts}
    assert {v.association_id for v in db.session.scalars(select(Vehicle))} <= associations
    bench_staff = select(func.count(User.id)).where(
        User.email.like("%@banc-essai.test"), User.email.not_like("beneficiaire-%")
    )
    assert db.session.scalar(bench_staff) == 0
    assert_logs_follow_the_lifecycle_table()
    assert_the_database_guards_hold()


def test_seed_bench_on_demo_asks_for_the_demo_first(runner, app):
    refused = runner.invoke(args=["seed-bench", "--vehicles", "8", "--bookings", "100", "--on-demo"])
    assert refused.exit_code != 0
    assert "seed-demo" in refused.output
    db.session.rollback()
    assert count(Booking) == 0


def test_the_demo_seeded_on_a_weekend_after_christmas_books_on_open_days_in_every_status(app):
    """The demo sites open Monday to Friday: the running and future rentals move to open days."""
    with time_machine.travel(datetime(2026, 12, 26, 10, 0, tzinfo=UTC), tick=False):
        seed_demo(date(2026, 12, 26))
        db.session.commit()
    assert set(db.session.scalars(select(Booking.status).distinct())) == set(BookingStatus)
    from mobility.fleet.opening_hours import schedule_of

    live = db.session.scalars(select(Booking).where(Booking.status.in_([BookingStatus.CONFIRMED, BookingStatus.APPROVED, BookingStatus.REQUESTED])))
    for booking in live:
        schedule = schedule_of(booking.vehicle.site_id)
        assert schedule.is_open_at(booking.starts_at) and schedule.is_open_at(booking.ends_at), booking.reference
