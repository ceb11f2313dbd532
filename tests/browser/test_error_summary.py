"""After an invalid form, the summary at the top lists each error and leads to its field."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


def _summary(page):
    return page.get_by_role("alert").filter(has=page.get_by_role("heading", name="Le formulaire contient"))


def test_login_error_summary_lists_each_error_and_links_to_its_field(page):
    page.goto("/connexion")
    page.get_by_role("button", name="Se connecter").click()

    summary = _summary(page)
    expect(summary.get_by_role("heading", level=2)).to_have_text("Le formulaire contient 2 erreurs")
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "Adresse e-mail : Saisissez votre adresse e-mail.",
            "Mot de passe : Saisissez votre mot de passe.",
        ]
    )
    for link, label in zip(links.all(), ["Adresse e-mail", "Mot de passe"], strict=True):
        field = page.get_by_label(label)
        expect(link).to_have_attribute("href", "#" + field.get_attribute("id"))
    assert_no_axe_violations(page)

    links.nth(1).click()
    expect(page.get_by_label("Mot de passe")).to_be_in_viewport()
    assert page.url.endswith("#password")


def test_beneficiary_form_error_summary_links_to_every_field_in_error(page, signed_in):
    signed_in("referent")
    page.goto("/beneficiaires/nouveau")
    page.get_by_label("Prénom").fill("Lina")
    page.get_by_label("Date de naissance").fill("1850-01-01")
    page.get_by_role("button", name="Enregistrer la fiche").click()

    summary = _summary(page)
    expect(summary.get_by_role("heading", level=2)).to_have_text("Le formulaire contient 3 erreurs")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Nom : Saisissez le nom.",
            "Date de naissance : Vérifiez l'année de naissance.",
            "Commune de résidence : Choisissez la commune de résidence.",
        ]
    )
    # What the person typed is kept.
    expect(page.get_by_label("Prénom")).to_have_value("Lina")
    for link in summary.get_by_role("link").all():
        target = link.get_attribute("href")
        assert target.startswith("#")
        field = page.locator(target)
        # The link leads to a form field that is marked invalid and says why.
        expect(field).to_have_attribute("aria-invalid", "true")
        message = link.inner_text().split(" : ", 1)[1]
        # After the field's limit, when it has one ("80 caractères au plus.").
        expect(field).to_have_accessible_description(
            re.compile(rf"^(\d+ caractères au plus\. )?Erreur : {re.escape(message)}$"), ignore_case=False
        )
    assert_no_axe_violations(page)
