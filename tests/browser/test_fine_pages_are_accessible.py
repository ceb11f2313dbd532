"""The fine pages in a real browser, with axe: the avis form with its errors shown, the fine's
page with who had the vehicle, and the printable designation page (one A4 page)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser


def _staff_and_a_fine() -> dict:
    from datetime import UTC, datetime, timedelta

    from mobility.core.time import utcnow
    from mobility.fines.models import FineStatus
    from tests.factories import UserFactory
    from tests.fines.factories import FineFactory, fleet_vehicle, rental

    now = utcnow().replace(minute=0, second=0, microsecond=0)
    staff = UserFactory(fleet=True, full_name="Gestion Test")
    vehicle = fleet_vehicle(staff, plate="FN-123-AM", created_at=datetime(2025, 1, 1, tzinfo=UTC))
    booking = rental(vehicle, now - timedelta(days=40), now - timedelta(days=30))
    fine = FineFactory(
        vehicle=vehicle, offence_at=now - timedelta(days=35), notice_sent_on=(now - timedelta(days=33)).date(),
        designation_due_on=(now - timedelta(days=33)).date() + timedelta(days=45),
        booking=booking, beneficiary=booking.beneficiary, status=FineStatus.DRIVER_IDENTIFIED,
    )
    return {"fleet": staff.email, "fine_id": fine.id, "notice": fine.notice_number}


def test_the_fine_form_passes_axe_with_its_errors_shown(page, make_data):
    data = make_data(_staff_and_a_fine)
    login(page, data["fleet"])
    expect(page.get_by_role("main")).to_contain_text("Amendes : conducteurs à désigner")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Amendes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amendes")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Enregistrer un avis de contravention").click()
    assert_no_axe_violations(page)
    page.locator("#notice_number").fill("12345")
    page.get_by_role("button", name="Enregistrer l'avis").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#notice_number-error")).to_contain_text("10 chiffres")
    expect(page.locator("#notice_number")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)


def test_the_fine_page_and_the_designation_page_pass_axe_and_print_on_one_page(page, make_data):
    data = make_data(_staff_and_a_fine)
    login(page, data["fleet"])
    page.goto(f"/amendes/{data['fine_id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amende AM-")
    expect(page.get_by_role("main")).to_contain_text("jours restants")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Préparer la désignation (page à imprimer)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(data["notice"])
    expect(page.get_by_role("main")).to_contain_text("ne contient pas")
    assert_no_axe_violations(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)
    assert len(pages) == 1, f"the designation page prints on {len(pages)} pages"
