"""Pages behind the login, for each role: each one passes axe-core, forms show their errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


def _expect_heading(page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _submit(page, button: str) -> None:
    # Each call is followed by an expectation that only the answer page meets, which waits for it.
    page.get_by_role("button", name=button).click()


@pytest.mark.parametrize(
    ("role", "home_heading"),
    [
        ("beneficiary", "Bonjour Bénéficiaire Test"),
        ("referent", "Espace référent"),
        ("fleet", "Espace gestion de flotte"),
        ("admin", "Administration du dispositif"),
    ],
)
def test_home_and_account_pages_pass_axe_for_each_role(page, signed_in, role, home_heading):
    signed_in(role)
    _expect_heading(page, home_heading)
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mon compte").click()
    _expect_heading(page, "Mon compte")
    assert_no_axe_violations(page)

    page.get_by_label("Mot de passe actuel").fill("not my password")
    page.get_by_label("Nouveau mot de passe").fill("short")
    page.get_by_label("Confirmez le mot de passe").fill("different")
    _submit(page, "Changer le mot de passe")

    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", level=2))
    expect(summary.get_by_role("heading")).to_have_text("Le formulaire contient 2 erreurs")
    expect(page.get_by_label("Nouveau mot de passe")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nouveau mot de passe")).to_have_accessible_description(
        "Au moins 12 caractères. Une phrase facile à retenir convient très bien. "
        "Erreur : Le mot de passe doit contenir au moins 12 caractères."
    )
    assert_no_axe_violations(page)


def test_beneficiary_sees_all_their_data(page, signed_in):
    signed_in("beneficiary")
    page.get_by_role("link", name="Mes données").click()

    _expect_heading(page, "Mes données")
    expect(page.get_by_role("main")).to_contain_text("Bénéficiaire Test")
    expect(page.get_by_role("main")).to_contain_text("Orléans")
    assert_no_axe_violations(page)


def test_referent_pages_pass_axe(page, signed_in, make_data):
    from mobility.auth.models import User
    from mobility.extensions import db
    from tests.factories import BeneficiaryFactory

    referent = signed_in("referent")
    beneficiary_id = make_data(
        lambda: BeneficiaryFactory(
            referent=db.session.get(User, referent["id"]), first_name="Personne", last_name="Fiche-Test"
        ).id
    )

    page.goto("/beneficiaires")
    _expect_heading(page, "Bénéficiaires")
    expect(page.get_by_role("table")).to_contain_text("Fiche-Test Personne")
    assert_no_axe_violations(page)

    page.goto("/beneficiaires/nouveau")
    _expect_heading(page, "Nouvelle fiche bénéficiaire")
    assert_no_axe_violations(page)
    _submit(page, "Enregistrer la fiche")
    expect(page.get_by_role("heading", level=2).first).to_have_text("Le formulaire contient 4 erreurs")
    expect(page.get_by_label("Prénom")).to_have_attribute("aria-invalid", "true")
    # The field's limit, then the error.
    expect(page.get_by_label("Prénom")).to_have_accessible_description(
        "80 caractères au plus. Erreur : Saisissez le prénom."
    )
    assert_no_axe_violations(page)

    page.goto(f"/beneficiaires/{beneficiary_id}")
    _expect_heading(page, "Personne Fiche-Test")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Modifier la fiche").click()
    _expect_heading(page, "Modifier la fiche de Personne Fiche-Test")
    expect(page.get_by_label("Prénom")).to_have_value("Personne")
    assert_no_axe_violations(page)


def test_admin_pages_pass_axe(page, signed_in, make_data):
    from mobility.audit.models import AuditAction
    from mobility.audit.services import record
    from mobility.extensions import db
    from tests.factories import BeneficiaryFactory

    def some_history():
        beneficiary = BeneficiaryFactory()
        record(AuditAction.READ, "beneficiary", beneficiary.id, actor=beneficiary.referent)
        db.session.commit()

    make_data(some_history)
    signed_in("admin")

    menu = page.get_by_role("navigation", name="Menu principal")
    page.goto("/admin/organisations")
    _expect_heading(page, "Organisations")
    # Screen readers announce where the person is in the menu.
    expect(menu.get_by_role("link", name="Organisations")).to_have_attribute("aria-current", "page")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Ajouter une organisation").click()
    _expect_heading(page, "Nouvelle organisation")
    assert_no_axe_violations(page)
    page.get_by_label("Type").select_option(label="Association partenaire")
    mission_locale = page.get_by_label("C'est une Mission locale (jeunes de 16 à 25 ans)")
    mission_locale.check()
    _submit(page, "Enregistrer")
    expect(page.get_by_role("heading", level=2).first).to_have_text("Le formulaire contient 2 erreurs")
    expect(page.get_by_label("Nom")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nom")).to_have_accessible_description(
        "160 caractères au plus. Erreur : Saisissez le nom de l'organisation."
    )
    expect(mission_locale).to_have_attribute("aria-invalid", "true")
    expect(mission_locale).to_have_accessible_description(
        "Erreur : Une Mission locale est un organisme prescripteur."
    )
    assert_no_axe_violations(page)

    page.goto("/admin/utilisateurs")
    _expect_heading(page, "Comptes des professionnels")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Inviter un professionnel").click()
    _expect_heading(page, "Inviter un professionnel")
    assert_no_axe_violations(page)
    _submit(page, "Créer le compte et envoyer l'invitation")
    expect(page.get_by_label("Prénom et nom")).to_have_attribute("aria-invalid", "true")
    # About someone else's address, not "votre adresse".
    expect(page.get_by_label("Adresse e-mail de la personne")).to_have_accessible_description(
        "Erreur : Saisissez l'adresse e-mail de la personne."
    )
    assert_no_axe_violations(page)

    page.goto("/admin/communes/")
    _expect_heading(page, "Communes et bassins d'emploi")
    assert_no_axe_violations(page)

    page.goto("/admin/communes/45234")
    _expect_heading(page, "Bassin d'emploi d'Orléans")
    assert_no_axe_violations(page)

    page.goto("/admin/journal/")
    _expect_heading(page, "Journal d'accès aux données personnelles")
    expect(menu.get_by_role("link", name="Journal d'accès")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("table")).to_contain_text("beneficiary")
    assert_no_axe_violations(page)


def test_tariff_pages_pass_axe_including_the_form_with_errors(page, signed_in):
    signed_in("admin")
    page.goto("/admin/tarifs/")
    _expect_heading(page, "Tarifs de location")
    assert_no_axe_violations(page)
    page.goto("/admin/tarifs/nouveau")
    _expect_heading(page, "Nouveau tarif")
    assert_no_axe_violations(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [aria-invalid=true]").first).to_be_visible()
    assert_no_axe_violations(page)
