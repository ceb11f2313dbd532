from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from mobility.extensions import db
from mobility.fleet.models import Vehicle, VehicleCategory, VehicleStatus
from tests.factories import UserFactory
from tests.fleet.factories import (
    MaintenanceRecordFactory,
    OdometerReadingFactory,
    SiteFactory,
    UnavailabilityFactory,
    VehicleFactory,
)
from tests.fleet.helpers import field_error, text_of


def vehicle_form(site, **overrides):
    data = {
        "plate": "fg-456-hj",
        "vin": "",
        "make": "Dacia",
        "model": "Sandero",
        "category": "car",
        "energy": "petrol",
        "gearbox": "automatic",
        "seats": "5",
        "first_registered_on": "2018-04-12",
        "site_id": str(site.id),
        "origin": "ceded",
        "status": "active",
        "insurance_expires_on": "2027-03-31",
        "technical_inspection_due_on": "2027-10-01",
        "notes": "",
        "initial_km": "",
    }
    data.update(overrides)
    return data


def vehicle_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Vehicle))


# --- who may see the fleet pages ---------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/flotte/vehicules")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("trait", ["admin", "beneficiary", None])
def test_other_roles_get_404_on_fleet_pages(client, auth, trait):
    user = UserFactory(**({trait: True} if trait else {}))
    vehicle = VehicleFactory()
    auth.login(user)
    for url in (
        "/flotte/vehicules",
        f"/flotte/vehicules/{vehicle.id}",
        "/flotte/sites",
        "/flotte/vehicules/nouveau",
    ):
        assert client.get(url).status_code == 404, url


def test_list_shows_only_the_own_associations_vehicles(client, logged_in, site, foreign_site):
    VehicleFactory(site=site, plate="AA-111-AA")
    VehicleFactory(site=foreign_site, plate="BB-222-BB")
    page = text_of(client.get("/flotte/vehicules"))
    assert "AA-111-AA" in page
    assert "BB-222-BB" not in page
    assert "1 véhicule" in page


def test_list_filters_by_site_category_and_status(client, logged_in, site):
    other_site = SiteFactory(association=logged_in.organisation, name="Annexe")
    VehicleFactory(site=site, plate="AA-111-AA")
    VehicleFactory(site=other_site, plate="BB-222-BB", vsp=True)
    VehicleFactory(site=other_site, plate="CC-333-CC", in_maintenance=True)

    page = text_of(client.get(f"/flotte/vehicules?site={other_site.id}"))
    assert "AA-111-AA" not in page and "BB-222-BB" in page and "CC-333-CC" in page
    page = text_of(client.get("/flotte/vehicules?categorie=vsp"))
    assert "BB-222-BB" in page and "AA-111-AA" not in page and "CC-333-CC" not in page
    page = text_of(client.get("/flotte/vehicules?etat=maintenance"))
    assert "CC-333-CC" in page and "AA-111-AA" not in page


def test_a_foreign_site_in_the_list_filter_is_ignored(client, logged_in, site, foreign_site):
    VehicleFactory(site=foreign_site, plate="BB-222-BB")
    VehicleFactory(site=site, plate="AA-111-AA")
    page = text_of(client.get(f"/flotte/vehicules?site={foreign_site.id}&categorie=nope"))
    assert "AA-111-AA" in page and "BB-222-BB" not in page


# --- create -------------------------------------------------------------------------------------


def test_staff_create_a_vehicle_with_a_siv_plate_and_its_first_reading(client, logged_in, site):
    response = client.post(
        "/flotte/vehicules/nouveau", data=vehicle_form(site, vin="vf1rfb00x56789012", initial_km="45 200")
    )
    assert response.status_code == 302
    vehicle = db.session.scalar(select(Vehicle))
    assert vehicle.plate == "FG-456-HJ"
    assert vehicle.vin == "VF1RFB00X56789012"
    assert vehicle.association_id == logged_in.organisation_id
    assert vehicle.current_odometer_km == 45200
    page = text_of(client.get(response.headers["Location"]))
    assert "Le véhicule FG-456-HJ est enregistré." in page
    assert "45 200 km" in page


def test_an_old_fni_plate_is_accepted_for_a_ceded_car(client, logged_in, site):
    response = client.post("/flotte/vehicules/nouveau", data=vehicle_form(site, plate="1234ab45"))
    assert response.status_code == 302
    assert db.session.scalar(select(Vehicle.plate)) == "1234 AB 45"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"plate": "AB-12-CD"}, "plate", "Saisissez une immatriculation au format AB-123-CD"),
        ({"plate": ""}, "plate", "Saisissez l'immatriculation."),
        ({"vin": "VF1RFB00O56789012"}, "vin", "17 caractères, chiffres et lettres sauf I, O et Q"),
        ({"vin": "VF1RFB00"}, "vin", "17 caractères"),
        ({"category": "vsp", "seats": "4"}, "seats", "Une voiture sans permis a au plus 2 places."),
        ({"seats": "cinq"}, "seats", "Saisissez un nombre entier"),
        ({"seats": "0"}, "seats", "Le nombre de places va de 1 à 9."),
        ({"category": "tank"}, "category", "Choisissez une catégorie dans la liste."),
        ({"first_registered_on": "2999-01-01"}, "first_registered_on", "ne peut pas être dans le futur"),
        ({"first_registered_on": "12/04/2018"}, "first_registered_on", "Saisissez une date valide"),
        ({"site_id": "999999"}, "site_id", "Choisissez un site de votre association dans la liste."),
        ({"site_id": "abc"}, "site_id", "Choisissez un site de votre association dans la liste."),
        ({"insurance_expires_on": "2027-02-30"}, "insurance_expires_on", "Saisissez une date valide"),
        ({"initial_km": "-5"}, "initial_km", "Le kilométrage va de 0 à 1 999 999."),
    ],
)
def test_bad_vehicle_input_is_explained_next_to_its_field_and_nothing_is_saved(
    client, logged_in, site, overrides, field, message
):
    response = client.post("/flotte/vehicules/nouveau", data=vehicle_form(site, **overrides))
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert vehicle_count() == 0


def test_a_site_of_another_association_cannot_be_chosen(client, logged_in, site, foreign_site):
    response = client.post("/flotte/vehicules/nouveau", data=vehicle_form(site, site_id=str(foreign_site.id)))
    assert response.status_code == 422
    assert (
        field_error(response, "site_id") == "Erreur : Choisissez un site de votre association dans la liste."
    )
    assert vehicle_count() == 0
    assert foreign_site.name not in text_of(client.get("/flotte/vehicules/nouveau"))


def test_a_duplicate_plate_is_refused_whatever_its_spelling(client, logged_in, site, foreign_site):
    VehicleFactory(site=foreign_site, plate="FG-456-HJ")
    response = client.post("/flotte/vehicules/nouveau", data=vehicle_form(site, plate="fg 456 hj"))
    assert response.status_code == 422
    assert "Un véhicule porte déjà cette immatriculation." in field_error(response, "plate")
    assert vehicle_count() == 1


def test_a_duplicate_vin_is_refused(client, logged_in, site):
    VehicleFactory(site=site, vin="VF1RFB00X56789012")
    response = client.post("/flotte/vehicules/nouveau", data=vehicle_form(site, vin="VF1RFB00X56789012"))
    assert response.status_code == 422
    assert "Un véhicule porte déjà ce numéro VIN." in field_error(response, "vin")


def test_the_vehicle_form_asks_for_a_site_first_when_there_is_none(client, logged_in):
    response = client.get("/flotte/vehicules/nouveau")
    assert response.status_code == 200
    assert "Créez d'abord un site de votre association" in text_of(response)


# --- edit and page ------------------------------------------------------------------------------


def test_staff_edit_their_vehicle(client, logged_in, site):
    vehicle = VehicleFactory(site=site, plate="AB-123-CD")
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/modifier",
        data=vehicle_form(site, plate="AB-123-CD", status="maintenance", origin="purchased"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    vehicle = db.session.get(Vehicle, vehicle.id)
    assert vehicle.status is VehicleStatus.MAINTENANCE
    assert vehicle.make == "Dacia"


def test_editing_with_a_bad_plate_keeps_the_vehicle_unchanged(client, logged_in, site):
    vehicle = VehicleFactory(site=site, plate="AB-123-CD")
    response = client.post(f"/flotte/vehicules/{vehicle.id}/modifier", data=vehicle_form(site, plate="nope"))
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Vehicle, vehicle.id).make == "Renault"


def test_staff_of_another_association_get_404_and_change_nothing(client, auth, other_fleet_user, site):
    vehicle = VehicleFactory(site=site, plate="AB-123-CD")
    auth.login(other_fleet_user)
    own_site = SiteFactory(association=other_fleet_user.organisation)
    for url in (
        f"/flotte/vehicules/{vehicle.id}",
        f"/flotte/vehicules/{vehicle.id}/modifier",
        f"/flotte/vehicules/{vehicle.id}/kilometrage",
        f"/flotte/vehicules/{vehicle.id}/indisponibilites/nouvelle",
        f"/flotte/vehicules/{vehicle.id}/entretiens/nouveau",
        f"/flotte/vehicules/{vehicle.id}/documents/nouveau",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/modifier", data=vehicle_form(own_site, plate="AB-123-CD")
    )
    assert response.status_code == 404
    response = client.post(
        f"/flotte/vehicules/{vehicle.id}/kilometrage", data={"read_on": "2026-01-01", "km": "9"}
    )
    assert response.status_code == 404
    db.session.expire_all()
    vehicle = db.session.get(Vehicle, vehicle.id)
    assert vehicle.make == "Renault" and vehicle.site_id == site.id
    assert vehicle.odometer_readings == []


def test_an_unknown_vehicle_is_404(client, logged_in):
    assert client.get("/flotte/vehicules/424242").status_code == 404


def test_vehicle_page_shows_identity_alerts_history_and_costs(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(
        site=site,
        plate="AB-123-CD",
        insurance_expires_on=date(2026, 12, 10),
        technical_inspection_due_on=date(2026, 11, 1),
    )
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 1, 15), km=45000)
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 6, 1), km=51230)
    MaintenanceRecordFactory(vehicle=vehicle, done_on=date(2025, 5, 2), cost_cents=10000)
    MaintenanceRecordFactory(vehicle=vehicle, done_on=date(2026, 3, 10), cost_cents=18050)
    MaintenanceRecordFactory(vehicle=vehicle, done_on=date(2026, 9, 1), cost_cents=4000)
    UnavailabilityFactory(vehicle=vehicle, reason="Embrayage")

    page = text_of(client.get(f"/flotte/vehicules/{vehicle.id}"))
    assert "AB-123-CD" in page and "Renault Clio" in page
    assert "L'assurance expire le 10/12/2026." in page
    assert "Le contrôle technique est en retard depuis le 01/11/2026." in page
    assert "51 230 km" in page and "45 000 km" in page
    assert "2026 220,50 €" in page  # per year
    assert "2025 100,00 €" in page
    assert "Total 320,50 €" in page
    assert "du 2 décembre 2026 au 4 décembre 2026" in page and "Embrayage" in page


def test_vehicle_page_without_alerts_says_so(frozen_today, client, logged_in, site):
    vehicle = VehicleFactory(
        site=site, insurance_expires_on=date(2027, 6, 1), technical_inspection_due_on=None
    )
    assert "Aucune échéance dans les 30 prochains jours." in text_of(
        client.get(f"/flotte/vehicules/{vehicle.id}")
    )


def test_fleet_home_counts_vehicles_and_lists_alerts(frozen_today, client, logged_in, site, foreign_site):
    soon = VehicleFactory(site=site, plate="AB-123-CD", insurance_expires_on=date(2026, 12, 1))
    VehicleFactory(site=site, in_maintenance=True)
    VehicleFactory(site=site, vsp=True)
    VehicleFactory(site=foreign_site, plate="ZZ-999-ZZ", insurance_expires_on=date(2026, 12, 1))
    response = client.get("/accueil")
    page = text_of(response)
    assert "2 véhicules en service" in page
    assert "1 véhicule en entretien" in page
    assert "AB-123-CD" in page and "L'assurance expire le 01/12/2026." in page
    assert "ZZ-999-ZZ" not in page
    assert f'/flotte/vehicules/{soon.id}"' in response.get_data(as_text=True)


def test_fleet_navigation_links_to_vehicles_and_sites(client, logged_in):
    body = client.get("/accueil").get_data(as_text=True)
    assert 'href="/flotte/vehicules"' in body and 'href="/flotte/sites"' in body


def test_category_labels_cover_every_category():
    assert {category.label for category in VehicleCategory}
