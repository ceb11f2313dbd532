"""Plausibility questions where a typo is likely: an odometer far above what a vehicle drives,
an unavailability wholly in the past."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from mobility.extensions import db
from mobility.fleet.models import MaintenanceRecord, OdometerReading, Unavailability
from tests.fleet.factories import OdometerReadingFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_odometer_jump_beyond_a_plausible_distance_per_day_asks_for_a_confirmation(
    frozen_today, client, logged_in, site
):
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 11, 20), km=54800)
    url = f"/flotte/vehicules/{vehicle.id}/kilometrage"
    response = client.post(url, data={"read_on": "2026-11-23", "km": "999999"})
    assert response.status_code == 422
    error = field_error(response, "km").replace("\u202f", " ")
    assert "945 199 km depuis le dernier relevé (54 800 km le 20/11/2026)" in error
    assert "plus de 1 000 km par jour : vérifiez le chiffre" in error
    # The question comes with its checkbox; nothing is saved without it.
    assert 'name="km_confirmed"' in response.get_data(as_text=True)
    assert count(OdometerReading) == 1

    confirmed = client.post(url, data={"read_on": "2026-11-23", "km": "999999", "km_confirmed": "y"})
    assert confirmed.status_code == 302
    assert db.session.scalar(select(func.max(OdometerReading.km))) == 999999


def test_a_plausible_reading_asks_nothing(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 11, 20), km=54800)
    url = f"/flotte/vehicules/{vehicle.id}/kilometrage"
    assert 'name="km_confirmed"' not in client.get(url).get_data(as_text=True)
    # Three days at most 1,000 km a day: 57,800 is still plausible.
    assert client.post(url, data={"read_on": "2026-11-23", "km": "57800"}).status_code == 302


def test_the_plausible_distance_is_a_setting(frozen_today, make_app, site):
    app = make_app(ODOMETER_MAX_KM_PER_DAY=100)
    with app.app_context():
        from mobility.fleet.settings import fleet_settings

        assert fleet_settings().odometer_max_km_per_day == 100


def test_a_maintenance_odometer_jump_asks_too(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 11, 20), km=54800)
    url = f"/flotte/vehicules/{vehicle.id}/entretiens/nouveau"
    data = {"done_on": "2026-11-23", "kind": "service", "odometer_km": "999999", "cost": "120"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "vérifiez le chiffre" in field_error(response, "odometer_km")
    assert count(MaintenanceRecord) == 0
    assert client.post(url, data={**data, "km_confirmed": "y"}).status_code == 302
    assert count(MaintenanceRecord) == 1


def test_an_unavailability_wholly_in_the_past_is_refused(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/indisponibilites/nouvelle",
        data={"first_day": "2026-11-02", "last_day": "2026-11-06", "kind": "repair"},
    )
    assert response.status_code == 422
    assert "Cette période est entièrement passée" in text_of(response)
    assert "Cette période est entièrement passée" in field_error(response, "last_day")
    assert count(Unavailability) == 0


def test_an_unavailability_that_ends_today_is_accepted(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/indisponibilites/nouvelle",
        data={"first_day": "2026-11-20", "last_day": "2026-11-23", "kind": "repair"},
    )
    assert response.status_code == 302
