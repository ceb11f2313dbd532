"""The fleet staff's pages in a real browser, with axe: list, vehicle page, forms with errors."""

from __future__ import annotations


import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login
from mobility.core.time import today as today_in_france

pytestmark = pytest.mark.browser


def _fleet_with_a_vehicle() -> dict:
    from tests.factories import UserFactory
    from tests.fleet.factories import MaintenanceRecordFactory, OdometerReadingFactory, SiteFactory, VehicleFactory

    user = UserFactory(fleet=True, full_name="Gestion Test")
    site = SiteFactory(association=user.organisation, name="Garage solidaire")
    vehicle = VehicleFactory(site=site, plate="AB-123-CD", insurance_expires_on=today_in_france())
    OdometerReadingFactory(vehicle=vehicle, km=48_000, recorded_by=user)
    MaintenanceRecordFactory(vehicle=vehicle)
    return {"email": user.email, "vehicle_id": vehicle.id}


def test_the_vehicle_list_and_page_pass_axe_and_show_the_alert_in_words(page, make_data):
    data = make_data(_fleet_with_a_vehicle)
    login(page, data["email"])
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Véhicules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Véhicules")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="AB-123-CD").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("AB-123-CD")
    expect(page.get_by_role("main")).to_contain_text("L'assurance expire le")
    assert_no_axe_violations(page)


def test_the_vehicle_form_passes_axe_with_its_errors_shown(page, make_data):
    data = make_data(_fleet_with_a_vehicle)
    login(page, data["email"])
    page.goto("/flotte/vehicules/nouveau")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau véhicule")
    assert_no_axe_violations(page)

    page.locator("#plate").fill("pas une plaque")
    page.get_by_role("button", name="Enregistrer le véhicule").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#plate")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)


def test_a_backwards_odometer_reading_is_explained_next_to_the_field(page, make_data):
    data = make_data(_fleet_with_a_vehicle)
    login(page, data["email"])
    page.goto(f"/flotte/vehicules/{data['vehicle_id']}/kilometrage")
    assert_no_axe_violations(page)
    page.get_by_label("Kilométrage", exact=False).first.fill("1000")
    page.get_by_role("button").filter(has_text="Enregistrer").click()
    expect(page.locator(".error-message").first).to_be_visible()
    assert_no_axe_violations(page)


def test_the_site_list_and_site_form_with_errors_pass_axe(page, make_data):
    data = make_data(_fleet_with_a_vehicle)
    login(page, data["email"])
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Sites").click()
    assert_no_axe_violations(page)
    page.goto("/flotte/sites/nouveau")
    page.get_by_role("button", name="Enregistrer le site").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
