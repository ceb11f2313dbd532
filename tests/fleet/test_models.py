from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from mobility.extensions import db
from mobility.fleet.models import OdometerReading, OdometerSource, Site, Vehicle, VehicleStatus
from mobility.core.time import today as today_in_france
from tests.fleet.factories import OdometerReadingFactory, SiteFactory, UnavailabilityFactory, VehicleFactory


def _insert_reading(vehicle, km, read_on=date(2026, 2, 1)):
    db.session.execute(
        insert(OdometerReading).values(
            vehicle_id=vehicle.id,
            read_on=read_on,
            km=km,
            source=OdometerSource.MANUAL,
            created_at=datetime.now(UTC),
        )
    )
    db.session.flush()


def test_database_refuses_a_reading_below_the_last_one(app):
    vehicle = VehicleFactory()
    OdometerReadingFactory(vehicle=vehicle, km=45000)
    with pytest.raises(IntegrityError, match="odometer reading below the last reading"):
        _insert_reading(vehicle, 44999)
    db.session.rollback()
    assert [reading.km for reading in db.session.get(Vehicle, vehicle.id).odometer_readings] == [45000]


def test_database_accepts_equal_and_higher_readings(app):
    vehicle = VehicleFactory()
    OdometerReadingFactory(vehicle=vehicle, km=45000)
    _insert_reading(vehicle, 45000)
    _insert_reading(vehicle, 45120)
    db.session.commit()
    assert db.session.get(Vehicle, vehicle.id).current_odometer_km == 45120


def test_readings_of_another_vehicle_do_not_count(app):
    OdometerReadingFactory(km=90000)
    vehicle = VehicleFactory()
    _insert_reading(vehicle, 10)
    db.session.commit()
    assert vehicle.current_odometer_km == 10


def test_database_refuses_a_vehicle_on_another_associations_site(app):
    own_site = SiteFactory()
    foreign_site = SiteFactory()
    with pytest.raises(IntegrityError):
        VehicleFactory(site=foreign_site, association=own_site.association)
    db.session.rollback()


@pytest.mark.parametrize(
    "values",
    [
        {"seats": 0},
        {"seats": 3},  # a VSP has two seats at most
        {"plate": "ab-123-cd"},
        {"vin": "SHORT"},
        {"cession_id": 7},  # only a ceded vehicle comes from a cession
    ],
)
def test_database_refuses_impossible_vehicles(app, values):
    vehicle = VehicleFactory(vsp=True)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Vehicle).where(Vehicle.id == vehicle.id).values(**values))
        db.session.flush()
    db.session.rollback()


def test_database_refuses_an_unavailability_ending_before_it_starts(app):
    with pytest.raises(IntegrityError):
        UnavailabilityFactory(
            starts_at=datetime(2026, 12, 5, tzinfo=UTC), ends_at=datetime(2026, 12, 5, tzinfo=UTC)
        )
    db.session.rollback()


def test_plate_and_vin_are_unique(app):
    VehicleFactory(plate="AB-123-CD", vin="VF1RFB00X56789012")
    with pytest.raises(IntegrityError):
        VehicleFactory(plate="AB-123-CD")
    db.session.rollback()
    with pytest.raises(IntegrityError):
        VehicleFactory(vin="VF1RFB00X56789012")
    db.session.rollback()


def test_each_site_gets_its_own_calendar_secret_and_can_renew_it(app):
    first, second = SiteFactory(), SiteFactory()
    assert len(first.ics_token) >= 32 and first.ics_token != second.ics_token
    old = first.ics_token
    first.regenerate_ics_token()
    db.session.commit()
    assert db.session.get(Site, first.id).ics_token != old


def test_vehicle_alerts_follow_the_frozen_day(app, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 10, tzinfo=UTC))
    vehicle = VehicleFactory(
        insurance_expires_on=date(2026, 12, 10), technical_inspection_due_on=date(2027, 6, 1)
    )
    today = today_in_france()
    assert [alert.kind for alert in vehicle.alerts(today)] == ["insurance"]
    vehicle.status = VehicleStatus.RETIRED
    assert vehicle.alerts(today) == []


def test_unavailability_days_are_read_in_paris_time(app):
    period = UnavailabilityFactory()
    assert period.whole_days
    assert period.local_days == (date(2026, 12, 2), date(2026, 12, 4))


@pytest.mark.postgres_only
def test_two_concurrent_readings_cannot_both_pass_the_trigger(app):
    """The trigger locks the vehicle row: the second writer waits, then sees the first reading."""
    import threading

    from sqlalchemy import create_engine

    from tests.conftest import POSTGRES_URL

    vehicle = VehicleFactory()
    OdometerReadingFactory(vehicle=vehicle, km=1000)
    engine = create_engine(POSTGRES_URL)

    def reading(km):
        return insert(OdometerReading).values(
            vehicle_id=vehicle.id,
            read_on=date(2026, 2, 1),
            km=km,
            source=OdometerSource.MANUAL,
            created_at=datetime.now(UTC),
        )

    outcome = {}

    def second_writer():
        try:
            with engine.begin() as connection:
                connection.execute(reading(40000))
            outcome["saved"] = True
        except IntegrityError as exc:
            outcome["refused"] = str(exc.orig)

    with engine.connect() as first:
        transaction = first.begin()
        first.execute(reading(50000))
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second writer should wait for the first one"
        transaction.commit()
        thread.join(10)
    engine.dispose()
    assert "odometer reading below the last reading" in outcome.get("refused", "")
    db.session.expire_all()
    assert sorted(r.km for r in db.session.get(Vehicle, vehicle.id).odometer_readings) == [1000, 50000]
