"""Pages seen before logging in: each one passes axe-core, forms show their errors on the fields."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Un véhicule pour aller travailler"),
        ("/connexion", "Se connecter"),
        ("/mot-de-passe-oublie", "Mot de passe oublié"),
        ("/confidentialite", "Données personnelles"),
        ("/accessibilite", "Déclaration d'accessibilité"),
        ("/cette-page-n-existe-pas", "Page introuvable"),
        ("/mot-de-passe/garbage", "Lien non valable"),
    ],
    ids=["home", "login", "forgot-password", "privacy", "accessibility", "not-found", "invalid-reset-link"],
)
def test_public_page_shows_its_heading_and_passes_axe(page, path, heading):
    page.goto(path)

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # The title is the first thing a screen reader says, and the name of the browser tab.
    expect(page).to_have_title(f"{heading} — Mobilité Emploi Loiret")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_no_axe_violations(page)


def _expect_error_tied_to_field(page, label: str, message: str) -> None:
    field = page.get_by_label(label)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(message, ignore_case=False)


def test_empty_login_form_shows_an_error_on_each_field(page):
    page.goto("/connexion")
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("Le formulaire contient 2 erreurs")
    _expect_error_tied_to_field(page, "Adresse e-mail", "Erreur : Saisissez votre adresse e-mail.")
    _expect_error_tied_to_field(page, "Mot de passe", "Erreur : Saisissez votre mot de passe.")
    assert_no_axe_violations(page)


def test_wrong_password_is_reported_on_the_password_field(page, make_data):
    from tests.factories import UserFactory

    email = make_data(lambda: UserFactory().email)
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("not the right password")
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("Le formulaire contient 1 erreur")
    _expect_error_tied_to_field(
        page, "Mot de passe", "Erreur : Adresse e-mail ou mot de passe incorrect."
    )
    # The address stays filled in, so that the person only retypes the password.
    expect(page.get_by_label("Adresse e-mail")).to_have_value(email)
    assert_no_axe_violations(page)


def test_forgot_password_form_with_a_bad_address_shows_the_error(page):
    page.goto("/mot-de-passe-oublie")
    page.get_by_label("Adresse e-mail").fill("pas-une-adresse")
    page.get_by_role("button", name="Recevoir le lien").click()

    _expect_error_tied_to_field(
        page,
        "Adresse e-mail",
        "Erreur : Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
    )
    assert_no_axe_violations(page)
