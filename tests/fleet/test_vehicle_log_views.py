"""Odometer readings, unavailability periods and the maintenance log, through the forms."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from mobility.extensions import db
from mobility.fleet.models import MaintenanceRecord, OdometerReading, OdometerSource, Unavailability
from tests.fleet.factories import OdometerReadingFactory, UnavailabilityFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- odometer -----------------------------------------------------------------------------------


def test_staff_record_a_reading(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 10, 1), km=45000)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/kilometrage", data={"read_on": "2026-11-20", "km": "45 310"}
    )
    assert response.status_code == 302
    assert "Le relevé de 45310 km est enregistré." in text_of(client.get(response.headers["Location"]))
    assert db.session.scalar(select(func.max(OdometerReading.km))) == 45310


def test_a_reading_below_the_last_one_is_refused_next_to_the_field(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 10, 1), km=45000)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/kilometrage", data={"read_on": "2026-11-20", "km": "44999"}
    )
    assert response.status_code == 422
    assert (
        "Le kilométrage ne peut pas baisser : le dernier relevé indique 45 000 km (le 01/10/2026)."
        in field_error(response, "km").replace("\u202f", " ")
    )
    assert count(OdometerReading) == 1


def test_a_reading_dated_before_the_last_one_is_refused(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 10, 1), km=45000)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/kilometrage", data={"read_on": "2026-09-30", "km": "46000"}
    )
    assert response.status_code == 422
    assert "antérieure au dernier relevé, du 01/10/2026" in field_error(response, "read_on")
    assert count(OdometerReading) == 1


def test_bad_reading_input_is_explained(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    url = f"/flotte/vehicules/{vehicle.id}/kilometrage"
    response = client.post(url, data={"read_on": "2026-12-01", "km": "10"})
    assert response.status_code == 422
    assert "ne peut pas être dans le futur" in field_error(response, "read_on")
    response = client.post(url, data={"read_on": "2026-11-20", "km": "douze"})
    assert response.status_code == 422
    assert "Saisissez un nombre entier" in field_error(response, "km")
    response = client.post(url, data={"read_on": "", "km": ""})
    assert "Saisissez la date du relevé." in field_error(response, "read_on")
    assert "Saisissez le kilométrage." in field_error(response, "km")
    assert count(OdometerReading) == 0


def test_the_reading_form_starts_on_today(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    assert 'value="2026-11-23"' in client.get(f"/flotte/vehicules/{vehicle.id}/kilometrage").get_data(
        as_text=True
    )


# --- unavailability -----------------------------------------------------------------------------


def test_staff_declare_an_unavailability_in_whole_days(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/indisponibilites/nouvelle",
        data={"first_day": "2026-12-02", "last_day": "2026-12-04", "kind": "repair", "reason": "Embrayage"},
    )
    assert response.status_code == 302
    period = db.session.scalar(select(Unavailability))
    # Paris is UTC+1 in December: from 2 December 00:00 to 5 December 00:00, Paris time.
    assert period.starts_at == datetime(2026, 12, 1, 23, tzinfo=UTC)
    assert period.ends_at == datetime(2026, 12, 4, 23, tzinfo=UTC)
    page = text_of(client.get(f"/flotte/vehicules/{vehicle.id}"))
    assert "du 2 décembre 2026 au 4 décembre 2026" in page and "Réparation" in page


def test_a_one_day_unavailability_is_accepted(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/indisponibilites/nouvelle",
        data={"first_day": "2026-12-02", "last_day": "2026-12-02", "kind": "maintenance"},
    )
    assert response.status_code == 302
    assert count(Unavailability) == 1


def test_unavailability_dates_in_the_wrong_order_are_refused(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/indisponibilites/nouvelle",
        data={"first_day": "2026-12-04", "last_day": "2026-12-02", "kind": "repair"},
    )
    assert response.status_code == 422
    assert "Le dernier jour doit être le premier jour ou après." in field_error(response, "last_day")
    assert count(Unavailability) == 0


def test_bad_unavailability_input_is_explained(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/indisponibilites/nouvelle",
        data={"first_day": "demain", "last_day": "", "kind": "holiday"},
    )
    assert response.status_code == 422
    assert "Saisissez une date valide" in field_error(response, "first_day")
    assert "Saisissez le dernier jour." in field_error(response, "last_day")
    assert "Choisissez un motif dans la liste." in field_error(response, "kind")
    assert count(Unavailability) == 0


def test_an_overlapping_unavailability_is_refused(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    UnavailabilityFactory(vehicle=vehicle)  # 2 to 4 December
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/indisponibilites/nouvelle",
        data={"first_day": "2026-12-04", "last_day": "2026-12-06", "kind": "incident"},
    )
    assert response.status_code == 422
    assert "déjà indisponible sur une partie de cette période (du 02/12/2026 au 04/12/2026)" in field_error(
        response, "first_day"
    )
    assert count(Unavailability) == 1


def test_staff_delete_an_unavailability(client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    period = UnavailabilityFactory(vehicle=vehicle)
    response = client.post(f"/flotte/vehicules/{vehicle.id}/indisponibilites/{period.id}/supprimer")
    assert response.status_code == 302
    assert count(Unavailability) == 0


def test_an_unavailability_is_only_deleted_through_its_own_vehicle(client, logged_in, site, foreign_site):
    own = VehicleFactory(site=site)
    foreign_period = UnavailabilityFactory(vehicle=VehicleFactory(site=foreign_site))
    assert (
        client.post(f"/flotte/vehicules/{own.id}/indisponibilites/{foreign_period.id}/supprimer").status_code
        == 404
    )
    url = f"/flotte/vehicules/{foreign_period.vehicle_id}/indisponibilites/{foreign_period.id}/supprimer"
    assert client.post(url).status_code == 404
    assert count(Unavailability) == 1


# --- maintenance --------------------------------------------------------------------------------


def maintenance_form(**overrides):
    data = {
        "done_on": "2026-11-20",
        "kind": "service",
        "odometer_km": "",
        "cost": "120,50",
        "garage": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_staff_log_maintenance_with_a_cost_in_euros(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/entretiens/nouveau", data=maintenance_form(garage="Garage du Centre")
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(MaintenanceRecord))
    assert entry.cost_cents == 12050 and entry.garage == "Garage du Centre"
    page = text_of(client.get(f"/flotte/vehicules/{vehicle.id}"))
    assert "Révision" in page and "Total 120,50 €" in page


def test_maintenance_kilometres_above_the_last_reading_become_a_reading(
    frozen_today, client, logged_in, site
):
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 10, 1), km=45000)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/entretiens/nouveau", data=maintenance_form(odometer_km="46000")
    )
    assert response.status_code == 302
    readings = db.session.scalars(select(OdometerReading).order_by(OdometerReading.km)).all()
    assert [(r.km, r.source) for r in readings] == [
        (45000, OdometerSource.MANUAL),
        (46000, OdometerSource.MAINTENANCE),
    ]


def test_maintenance_kilometres_below_the_last_reading_are_refused(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 10, 1), km=45000)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/entretiens/nouveau", data=maintenance_form(odometer_km="100")
    )
    assert response.status_code == 422
    assert "Le kilométrage ne peut pas baisser" in field_error(response, "odometer_km")
    assert count(MaintenanceRecord) == 0 and count(OdometerReading) == 1


def test_older_maintenance_may_carry_a_lower_kilometre_figure(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 10, 1), km=45000)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/entretiens/nouveau",
        data=maintenance_form(done_on="2026-03-01", odometer_km="40000"),
    )
    assert response.status_code == 302
    assert count(MaintenanceRecord) == 1 and count(OdometerReading) == 1


def test_bad_maintenance_input_is_explained(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(site=site)
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/entretiens/nouveau",
        data=maintenance_form(done_on="2027-01-01", kind="", cost="-12", odometer_km="beaucoup"),
    )
    assert response.status_code == 422
    assert "ne peut pas être dans le futur" in field_error(response, "done_on")
    assert "Choisissez un type d'intervention dans la liste." in field_error(response, "kind")
    assert "Saisissez un montant en euros, par exemple 120,50." in field_error(response, "cost")
    assert "Saisissez un nombre entier" in field_error(response, "odometer_km")
    assert count(MaintenanceRecord) == 0


def test_when_only_the_database_catches_a_lower_reading_the_form_still_explains(
    frozen_today, client, logged_in, site, monkeypatch
):
    """A reading saved by another request between the check and the insert: the trigger refuses."""
    from mobility.fleet.models import Vehicle

    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 10, 1), km=45000)
    monkeypatch.setattr(Vehicle, "last_odometer_reading", property(lambda self: None))
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/kilometrage", data={"read_on": "2026-11-20", "km": "100"}
    )
    assert response.status_code == 422
    assert "un relevé plus élevé vient d'être enregistré" in field_error(response, "km")
    assert count(OdometerReading) == 1
