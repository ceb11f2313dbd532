"""Fleet staff's booking pages in a real browser, with axe: the list (desktop and phone), the
check-out form with its errors shown, the return form, and the booking page with the fleet panel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}


def _fleet_with_bookings() -> dict:
    from mobility.booking.models import BookingStatus, Handover, HandoverKind
    from mobility.extensions import db
    from tests.booking.factories import BookingFactory
    from tests.factories import UserFactory
    from tests.fleet.factories import OdometerReadingFactory, SiteFactory, VehicleFactory

    user = UserFactory(fleet=True, full_name="Gestion Test")
    site = SiteFactory(association=user.organisation, name="Garage solidaire")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    cars = [VehicleFactory(site=site, plate=f"AB-12{n}-CD") for n in range(4)]
    for car in cars:
        OdometerReadingFactory(vehicle=car, read_on=(now - 10 * day).date(), km=45_000)
    confirmed = BookingFactory(vehicle=cars[0], starts_at=now + day, ends_at=now + 4 * day)
    running = BookingFactory(
        vehicle=cars[1], status=BookingStatus.IN_PROGRESS, starts_at=now - 2 * day, ends_at=now + 2 * day
    )
    db.session.add(
        Handover(
            booking=running,
            kind=HandoverKind.CHECK_OUT,
            odometer_km=45_000,
            fuel_eighths=8,
            contract_signed=True,
        )
    )
    BookingFactory(
        vehicle=cars[2], status=BookingStatus.APPROVED, starts_at=now + 5 * day, ends_at=now + 8 * day
    )
    BookingFactory(
        vehicle=cars[3], status=BookingStatus.IN_PROGRESS, starts_at=now - 5 * day, ends_at=now - day
    )
    db.session.commit()
    return {"email": user.email, "confirmed": confirmed.id, "running": running.id}


def _expect_no_horizontal_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["viewport"], f"{page.url} scrolls sideways at 375 px: {widths}"


def test_the_fleet_home_and_the_bookings_list_pass_axe_on_a_desktop_and_a_phone(page, make_data):
    data = make_data(_fleet_with_bookings)
    login(page, data["email"])
    expect(page.get_by_role("region", name="Retours en retard")).to_contain_text("en retard")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Voir toutes les locations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Locations")
    expect(page.get_by_role("table")).to_contain_text("En retard : véhicule pas encore rendu")
    assert_no_axe_violations(page)

    page.set_viewport_size(PHONE)
    _expect_no_horizontal_scroll(page)
    assert_no_axe_violations(page)


def test_the_check_out_form_passes_axe_with_its_errors_shown(page, make_data):
    data = make_data(_fleet_with_bookings)
    login(page, data["email"])
    page.goto(f"/flotte/locations/{data['confirmed']}/remise")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Remise du véhicule")
    assert_no_axe_violations(page)

    page.get_by_label("Kilométrage au compteur").fill("1000")
    page.get_by_label("Niveau de carburant ou de charge").select_option(label="plein")
    page.get_by_role("group", name="État vérifié avec la personne").get_by_label("Pneus").check()
    page.get_by_role("button", name="Enregistrer la remise du véhicule").click()
    # The contract comes first: no handover without it.
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Contrat imprimé et signé par les deux parties")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_no_axe_violations(page)

    page.get_by_label("Contrat imprimé et signé par les deux parties").check()
    page.get_by_role("button", name="Enregistrer la remise du véhicule").click()
    expect(page.get_by_label("Kilométrage au compteur")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#odometer_km-error")).to_contain_text("le dernier relevé indique 45")
    assert_no_axe_violations(page)

    page.set_viewport_size(PHONE)
    _expect_no_horizontal_scroll(page)
    assert_no_axe_violations(page)


def test_the_return_form_passes_axe(page, make_data):
    data = make_data(_fleet_with_bookings)
    login(page, data["email"])
    page.goto(f"/flotte/locations/{data['running']}/retour")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Retour du véhicule")
    expect(page.get_by_text("Au départ : 45 000 km.", exact=False)).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Kilométrage au compteur").fill("45600")
    page.get_by_label("Niveau de carburant ou de charge").select_option(label="3/4 (6/8)")
    page.get_by_role("button", name="Enregistrer le retour du véhicule").click()
    expect(page.get_by_role("status")).to_contain_text("est terminée")


def test_the_booking_page_as_fleet_staff_passes_axe(page, make_data):
    data = make_data(_fleet_with_bookings)
    login(page, data["email"])
    page.goto(f"/locations/{data['confirmed']}")
    panel = page.get_by_role("region", name="Pour l'association")
    expect(panel.get_by_role("link", name="Remettre le véhicule")).to_be_visible()
    assert_no_axe_violations(page)

    panel.get_by_role("link", name="Paiements et caution").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paiements")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
