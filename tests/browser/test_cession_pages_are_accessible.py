"""The cession pages in a real browser, with axe: convention and cession forms with their
errors shown, the cession page, the printable file and the register."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser


def _people_and_a_cession() -> dict:
    from datetime import timedelta

    from mobility.core.time import today
    from tests.cession.factories import CessionFactory, ConventionFactory
    from tests.cession.register_fixture import build_register
    from tests.factories import UserFactory

    admin = UserFactory(admin=True, full_name="Admin Test")
    fleet = UserFactory(fleet=True, full_name="Gestion Test")
    convention = ConventionFactory(association=fleet.organisation, reference="CONV-NAV-01", starts_on=today() - timedelta(days=90))
    cession = CessionFactory(convention=convention, plate="GH-321-JK", ceded_on=today() - timedelta(days=20))
    build_register(association=fleet.organisation)
    return {"admin": admin.email, "fleet": fleet.email, "cession_id": cession.id}


def test_the_convention_form_passes_axe_with_its_errors_shown(page, make_data):
    data = make_data(_people_and_a_cession)
    login(page, data["admin"])
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Cessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Véhicules cédés par le Département")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Conventions", exact=True).click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Nouvelle convention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle convention")
    assert_no_axe_violations(page)
    page.locator("#max_vehicles").fill("0")
    page.get_by_role("button", name="Enregistrer la convention").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#max_vehicles")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)


def test_the_cession_form_passes_axe_with_a_bad_vin_explained(page, make_data):
    data = make_data(_people_and_a_cession)
    login(page, data["admin"])
    page.goto("/cessions/nouvelle")
    assert_no_axe_violations(page)
    page.locator("#vin").fill("VF1RJA0001234567O")
    page.locator("#plate").fill("pas une plaque")
    page.get_by_role("button", name="Proposer la cession").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#vin-error")).to_contain_text("sauf I, O et Q")
    expect(page.locator("#vin")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)


def test_the_cession_page_shows_late_paperwork_and_passes_axe(page, make_data):
    data = make_data(_people_and_a_cession)
    login(page, data["fleet"])
    expect(page.get_by_role("main")).to_contain_text("Cessions : pièces en retard")
    page.get_by_role("link", name="GH-321-JK", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GH-321-JK")
    expect(page.get_by_role("main")).to_contain_text("En retard de")
    assert_no_axe_violations(page)
    page.get_by_text("Enregistrer : Certificat de cession").click()
    page.get_by_role("button", name="Enregistrer la pièce — Certificat de cession (Cerfa 15776) signé des deux parties").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_printable_file_fits_one_a4_page_and_passes_axe(page, make_data):
    data = make_data(_people_and_a_cession)
    login(page, data["fleet"])
    page.goto(f"/cessions/{data['cession_id']}/fiche")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cerfa 15776")
    assert_no_axe_violations(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)
    assert len(pages) == 1, f"the cession file prints on {len(pages)} pages"


def test_the_register_passes_axe_with_its_totals(page, make_data):
    data = make_data(_people_and_a_cession)
    login(page, data["fleet"])
    page.goto("/cessions/registre")
    expect(page.get_by_role("heading", level=2, name="Totaux par convention")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("CONV-A")
    assert_no_axe_violations(page)
    page.get_by_label("État").select_option("in_service")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("table").last).not_to_contain_text("GH-321-JK")
    assert_no_axe_violations(page)
