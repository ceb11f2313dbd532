from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from mobility.auth.models import User
from mobility.devdata.demo import seed_demo
from mobility.extensions import db
from mobility.fleet.models import (
    Gearbox,
    OdometerReading,
    Site,
    Vehicle,
    VehicleCategory,
    VehicleOrigin,
    VehicleStatus,
)
from mobility.fleet.services import overview


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_fleet_covers_the_four_basins_and_runs_twice_without_change(app):
    today = date(2026, 11, 23)
    seed_demo(today)
    db.session.commit()
    sites, vehicles, readings = count(Site), count(Vehicle), count(OdometerReading)
    seed_demo(today)
    db.session.commit()
    assert (count(Site), count(Vehicle), count(OdometerReading)) == (sites, vehicles, readings)

    assert {site.basin.code for site in db.session.scalars(select(Site))} == {
        "orleans",
        "montargis",
        "gien",
        "pithiviers",
    }
    assert all(site.basin in site.association.basins for site in db.session.scalars(select(Site)))
    fleet = db.session.scalars(select(Vehicle)).all()
    assert 20 <= len(fleet) <= 30
    assert {vehicle.category for vehicle in fleet} == {VehicleCategory.CAR, VehicleCategory.VSP}
    assert {vehicle.gearbox for vehicle in fleet if vehicle.category is VehicleCategory.CAR} == {
        Gearbox.MANUAL,
        Gearbox.AUTOMATIC,
    }
    assert sum(vehicle.origin is VehicleOrigin.CEDED for vehicle in fleet) >= 3
    assert sum(vehicle.status is VehicleStatus.MAINTENANCE for vehicle in fleet) == 1
    alerts = [alert for vehicle in fleet for alert in vehicle.alerts(today)]
    assert [alert.kind for alert in alerts] == ["insurance"]


def test_each_demo_fleet_account_sees_its_own_association_only(app):
    seed_demo(date(2026, 11, 23))
    db.session.commit()
    montargis = db.session.scalar(select(User).where(User.email == "gestion@demo.test"))
    orleans = db.session.scalar(select(User).where(User.email == "gestion-orleans@demo.test"))
    assert overview(montargis, date(2026, 11, 23)).vehicles == 12
    assert overview(orleans, date(2026, 11, 23)).vehicles == 12


def test_the_demo_vehicle_in_maintenance_is_unavailable_today(app):
    from mobility.fleet.models import Unavailability
    from mobility.core.time import day_span

    today = date(2026, 11, 23)
    seed_demo(today)
    db.session.commit()
    vehicle = db.session.scalar(select(Vehicle).where(Vehicle.status == VehicleStatus.MAINTENANCE))
    assert vehicle.unavailabilities_overlapping(*day_span(today, today))
    assert count(Unavailability) == 1
