from datetime import date

import pytest
from flask import render_template_string
from sqlalchemy import create_engine

from mobility.extensions import db
from tests.factories import UserFactory
from tests.helpers import page_text


@pytest.mark.parametrize("url", ["/", "/connexion", "/confidentialite", "/accessibilite"])
def test_public_pages_link_the_privacy_page_and_the_accessibility_statement(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="/confidentialite"' in page
    assert 'href="/accessibilite"' in page
    assert page.count("<h1") == 1
    assert 'href="#contenu"' in page and 'id="contenu"' in page


def test_privacy_page_says_what_is_stored_why_for_how_long_and_the_rights(client):
    page = page_text(client.get("/confidentialite"))
    for words in ("Ce que nous enregistrons", "Pourquoi", "Combien de temps", "2 ans", "Vos droits", "CNIL"):
        assert words in page
    assert "numéro de sécurité sociale" in page


def test_accessibility_statement_gives_the_conformity_status_and_the_remedies(client):
    page = page_text(client.get("/accessibilite"))
    for words in ("État de conformité", "RGAA", "Voies de recours", "Défenseur des droits"):
        assert words in page


def test_every_response_carries_the_security_headers(client):
    response = client.get("/connexion")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_over_https(client):
    response = client.get("/connexion", base_url="https://mobilite.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_pages_with_personal_data_are_not_cached(client, auth):
    auth.login(UserFactory())
    assert client.get("/accueil").headers["Cache-Control"] == "no-store"


def test_unknown_page_is_a_french_404_without_details(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_the_home_page_is_french_by_default_and_english_on_request(client):
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    client.post("/langue", data={"lang-language": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "A vehicle to get to work" in page


def test_a_browser_preferring_english_gets_english(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_the_chosen_language_follows_the_account(client, auth):
    user = UserFactory()
    auth.login(user)
    client.post("/langue", data={"lang-language": "en", "next": "/accueil"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_dates_and_numbers_are_written_as_in_france(app):
    with app.test_request_context("/"):
        assert render_template_string("{{ d | date }}", d=date(2026, 1, 31)) == "31 janvier 2026"
        assert render_template_string("{{ n | number }}", n=116357) == "116\u202f357"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["database"]) == ("ok", "ok")
    assert body["scheduler"] == {"last_heartbeat": None, "fresh": False}  # no scheduler in tests


def test_healthz_answers_503_when_the_database_is_unreachable(app, client):
    broken = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    original = db.engines[None]
    app.extensions["sqlalchemy"]._app_engines[app][None] = broken
    try:
        response = client.get("/healthz")
    finally:
        app.extensions["sqlalchemy"]._app_engines[app][None] = original
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_a_page_that_needs_login_sends_to_the_login_form_with_a_french_message(client):
    response = client.get("/accueil", follow_redirects=True)
    assert response.request.path == "/connexion"
    assert "Connectez-vous pour accéder à cette page." in page_text(response)


def test_an_oversized_request_gets_a_french_page_not_a_crash(client, auth):
    auth.login(UserFactory())
    response = client.post("/compte", data={"pw-current_password": "x" * (7 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)
