"""One input boundary for pages, the API and the CLI: control characters, integers too large for
a column and redirect targets, refused or made safe in one place, never a 500 (both databases)."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import func, select

from mobility.auth.models import Organisation, User
from mobility.extensions import db
from mobility.fleet.models import Site, Vehicle
from tests.factories import TEST_PASSWORD, UserFactory
from tests.fleet.factories import SiteFactory
from tests.helpers import page_text

CONTROL_MESSAGE = "caractère invisible non autorisé"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _vehicle_form(site, **overrides):
    data = {
        "plate": "fg-456-hj", "vin": "", "make": "Dacia", "model": "Sandero", "category": "car",
        "energy": "petrol", "gearbox": "automatic", "seats": "5", "first_registered_on": "2018-04-12",
        "site_id": str(site.id), "origin": "ceded", "status": "active", "insurance_expires_on": "2027-03-31",
        "technical_inspection_due_on": "2027-10-01", "notes": "", "initial_km": "",
    }
    data.update(overrides)
    return data


def _site_form(**overrides):
    data = {
        "name": "Garage solidaire de Gien", "address": "3 quai Lenoir", "commune_insee": "45155",
        "basin_id": "", "opening_hours": "Lundi – vendredi, 9 h – 17 h", "phone": "02 38 67 00 00", "active": "y",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides",
    [{"make": "Da\x00cia"}, {"model": "Sandero\x1b"}, {"notes": "Rayure\x00 aile avant"}, {"seats": "9" * 25},
     {"site_id": "9" * 25}, {"initial_km": "9" * 25}],
)
def test_a_vehicle_outside_the_boundary_gets_the_forms_message_and_is_not_saved(client, logged_in, overrides):
    site = SiteFactory(association=logged_in.organisation)
    response = client.post("/flotte/vehicules/nouveau", data=_vehicle_form(site, **overrides))
    assert response.status_code == 422
    assert "Erreur" in page_text(response)
    assert _count(Vehicle) == 0


def test_a_nul_in_a_vehicle_make_says_why(client, logged_in):
    site = SiteFactory(association=logged_in.organisation)
    response = client.post("/flotte/vehicules/nouveau", data=_vehicle_form(site, make="Da\x00cia"))
    assert CONTROL_MESSAGE in page_text(response)


@pytest.mark.parametrize("field", ["name", "address", "opening_hours", "phone", "commune_insee"])
def test_a_nul_in_a_site_field_gets_the_forms_message_and_is_not_saved(client, logged_in, field):
    response = client.post("/flotte/sites/nouveau", data=_site_form(**{field: "45\x00155"}))
    assert response.status_code == 422
    assert CONTROL_MESSAGE in page_text(response)
    assert _count(Site) == 0


def test_a_nul_in_an_organisation_name_is_refused_and_nothing_saved(client, auth):
    auth.login(UserFactory(admin=True))
    before = _count(Organisation)
    response = client.post("/admin/organisations/nouvelle", data={"name": "Asso\x00", "kind": "association"})
    assert response.status_code == 422
    assert CONTROL_MESSAGE in page_text(response)
    assert _count(Organisation) == before


@pytest.mark.parametrize(
    "url", ["/vehicules-disponibles?categorie=car&basin=%00", "/beneficiaires?q=%00", "/?x=%0d%0aSet-Cookie:a=b"]
)
def test_a_control_character_in_a_query_string_gets_a_french_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = page_text(response)
    assert "Caractère non autorisé" in page and CONTROL_MESSAGE in page


def test_a_control_character_in_an_api_query_string_gets_the_json_envelope(client):
    response = client.get("/api/v1/vehicles?basin=%00")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["status"] == 422
    assert "« basin »" in error["message"]
    assert CONTROL_MESSAGE in error["fields"]["basin"][0]


def test_a_value_read_outside_a_form_refuses_control_characters_too(make_app):
    app = make_app()

    @app.post("/essai-lecture-brute")
    def raw_read():
        return {"step": request.form.get("step"), "as_a_form_reads_it": request.form.getlist("step")}

    client = app.test_client()
    assert client.post("/essai-lecture-brute", data={"step": "send"}).get_json()["step"] == "send"
    response = client.post("/essai-lecture-brute", data={"step": "se\x00nd"})
    assert response.status_code == 400
    assert "Le paramètre « step » contient un caractère invisible non autorisé" in page_text(response)


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/\r\n//evil.example", "/accueil"),
        ("%2F%0D%0A%2F%2Fevil.example", "/accueil"),
        ("//evil.example", "/accueil"),
        ("https://evil.example/", "/accueil"),
        ("/\\evil.example", "/accueil"),
        ("/beneficiaires", "/beneficiaires"),
    ],
)
def test_the_redirect_after_login_stays_on_the_site_whatever_next_holds(client, next_url, location):
    user = UserFactory()
    response = client.post(
        "/connexion", query_string={"next": next_url}, data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_the_raw_crlf_login_url_of_the_report_redirects_safely(client):
    user = UserFactory()
    response = client.post(
        "/connexion?next=%2F%0D%0A%2F%2Fevil.example", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/accueil"


@pytest.mark.parametrize("next_url", ["/\r\n//evil.example", "/\x00", "//evil.example", "http://evil.example"])
def test_the_language_switch_redirects_safely_whatever_next_holds(client, next_url):
    response = client.post("/langue", data={"lang-language": "en", "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_language_switch_refuses_a_language_it_did_not_offer(client):
    response = client.post("/langue", data={"lang-language": "de", "next": "/"})
    assert response.status_code == 302
    assert 'lang="fr"' in client.get("/").get_data(as_text=True)


def test_create_user_refuses_control_characters_with_a_clear_message(runner):
    runner.invoke(args=["seed-demo"])
    before = _count(User)
    result = runner.invoke(
        args=["create-user", "nouveau@example.org", "--name", "Nou\x00veau", "--role", "admin",
              "--organisation", "Département du Loiret"],
        input="\n\n",
    )
    assert result.exit_code != 0
    assert "Invalid value for '--name': it contains a control character" in result.output
    assert _count(User) == before


def test_create_api_token_refuses_control_characters_in_its_name(runner):
    UserFactory(email="jeton@example.org")
    result = runner.invoke(args=["create-api-token", "jeton@example.org", "--name", "outil\r\ndu plan"])
    assert result.exit_code != 0
    assert "contains a control character" in result.output
