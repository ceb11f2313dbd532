from __future__ import annotations

from sqlalchemy import func, select

from mobility.extensions import db
from mobility.fleet.models import Site
from mobility.territory.models import EmploymentBasin
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of


def site_form(**overrides):
    data = {
        "name": "Garage solidaire de Gien",
        "address": "3 quai Lenoir",
        "commune_insee": "45155",  # Gien
        "basin_id": "",
        "opening_hours": "Lundi – vendredi, 9 h – 17 h",
        "phone": "02 38 67 00 00",
        "active": "y",
    }
    data.update(overrides)
    return data


def basin(code: str) -> EmploymentBasin:
    return db.session.scalar(select(EmploymentBasin).where(EmploymentBasin.code == code))


def site_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Site))


def test_sites_list_shows_only_the_own_associations_sites(client, logged_in, site, foreign_site):
    page = text_of(client.get("/flotte/sites"))
    assert "Garage solidaire" in page
    assert "Site de l'autre association" not in page


def test_a_new_site_takes_the_communes_basin_by_default(client, logged_in):
    response = client.post("/flotte/sites/nouveau", data=site_form())
    assert response.status_code == 302
    site = db.session.scalar(select(Site))
    assert site.association_id == logged_in.organisation_id
    assert site.basin_id == basin("gien").id
    assert site.phone == "02 38 67 00 00"
    assert "Garage solidaire de Gien" in text_of(client.get("/flotte/sites"))


def test_staff_may_put_a_site_in_another_basin(client, logged_in):
    response = client.post("/flotte/sites/nouveau", data=site_form(basin_id=str(basin("montargis").id)))
    assert response.status_code == 302
    assert db.session.scalar(select(Site.basin_id)) == basin("montargis").id


def test_bad_site_input_is_explained_and_nothing_saved(client, logged_in):
    response = client.post(
        "/flotte/sites/nouveau", data=site_form(name=" ", commune_insee="75056", basin_id="99", phone="123")
    )
    assert response.status_code == 422
    assert "Saisissez le nom du site." in field_error(response, "name")
    assert "Choisissez une commune du Loiret dans la liste." in field_error(response, "commune_insee")
    assert "Choisissez un bassin d'emploi dans la liste." in field_error(response, "basin_id")
    assert "numéro de téléphone français" in field_error(response, "phone")
    assert site_count() == 0


def test_two_sites_of_an_association_cannot_share_a_name(client, logged_in, site):
    response = client.post("/flotte/sites/nouveau", data=site_form(name="garage SOLIDAIRE"))
    assert response.status_code == 422
    assert "Votre association a déjà un site de ce nom." in field_error(response, "name")
    assert site_count() == 1


def test_staff_edit_their_site(client, logged_in, site):
    response = client.post(f"/flotte/sites/{site.id}/modifier", data=site_form(name="Nouveau nom"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Site, site.id).name == "Nouveau nom"


def test_a_site_with_vehicles_cannot_be_closed_or_deleted(client, logged_in, site):
    VehicleFactory(site=site)
    data = site_form(name=site.name)
    del data["active"]
    response = client.post(f"/flotte/sites/{site.id}/modifier", data=data)
    assert response.status_code == 422
    assert "Rattachez d'abord les véhicules de ce site" in field_error(response, "active")
    response = client.post(f"/flotte/sites/{site.id}/supprimer", follow_redirects=True)
    assert "Ce site a des véhicules" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Site, site.id).active


def test_an_empty_site_can_be_deleted(client, logged_in, site):
    response = client.post(f"/flotte/sites/{site.id}/supprimer")
    assert response.status_code == 302
    assert site_count() == 0


def test_a_closed_site_is_not_offered_for_new_vehicles(client, logged_in, site):
    SiteFactory(association=logged_in.organisation, name="Ancien dépôt", closed=True)
    page = text_of(client.get("/flotte/vehicules/nouveau"))
    assert "Garage solidaire" in page and "Ancien dépôt" not in page


def test_renewing_the_calendar_link_changes_the_secret(client, logged_in, site):
    old = site.ics_token
    response = client.post(f"/flotte/sites/{site.id}/renouveler-lien-agenda", follow_redirects=True)
    assert "l'ancien ne fonctionne plus" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Site, site.id).ics_token != old


def test_staff_of_another_association_get_404_on_a_site(client, logged_in, foreign_site):
    token = foreign_site.ics_token
    assert client.get(f"/flotte/sites/{foreign_site.id}/modifier").status_code == 404
    assert client.post(f"/flotte/sites/{foreign_site.id}/modifier", data=site_form()).status_code == 404
    assert client.post(f"/flotte/sites/{foreign_site.id}/supprimer").status_code == 404
    assert client.post(f"/flotte/sites/{foreign_site.id}/renouveler-lien-agenda").status_code == 404
    db.session.expire_all()
    unchanged = db.session.get(Site, foreign_site.id)
    assert unchanged.name == "Site de l'autre association" and unchanged.ics_token == token
