"""The booking pages in a real browser, with axe: the request form with its errors, the preview,
the booking page, the alternatives when nothing is free, the approval queue, and a phone screen."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, beneficiary_and_a_car, demo_tariffs, fill_request, login
from mobility.core.time import today as today_in_france

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
PICKUP, RETURN = time(9, 0), time(17, 0)


def test_the_request_form_with_errors_the_preview_and_the_booking_page_pass_axe(page, make_data):
    data = make_data(beneficiary_and_a_car)
    login(page, data["email"])
    page.get_by_role("main").get_by_role("link", name="Demander un véhicule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demander un véhicule")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Voir le prix").click()
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text("Le formulaire contient 4 erreurs")
    expect(page.get_by_label("Premier jour de la location")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("group", name="Type de véhicule")).to_have_attribute(
        "aria-describedby", "category-hint category-error"
    )
    assert_no_axe_violations(page)

    start = today_in_france() + timedelta(days=14)
    fill_request(page, start, start + timedelta(days=4))
    expect(page.get_by_role("heading", name="Votre location, avant d'envoyer la demande")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Garage solidaire")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Location L-")
    expect(page.get_by_role("main")).to_contain_text("Votre demande L-")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Récapitulatif à imprimer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Récapitulatif de la location")
    assert_no_axe_violations(page)


def test_the_rental_summary_prints_on_one_a4_page_without_the_site_menus(page, make_data):
    def build():
        from mobility.beneficiaries.models import Beneficiary
        from mobility.booking.models import BookingStatus
        from mobility.extensions import db
        from mobility.fleet.models import Vehicle
        from tests.booking.factories import BookingFactory

        data = beneficiary_and_a_car()
        booking = BookingFactory(
            beneficiary=db.session.get(Beneficiary, data["person_id"]),
            vehicle=db.session.get(Vehicle, data["vehicle_ids"][0]),
            status=BookingStatus.CONFIRMED,
        )
        return {**data, "booking_id": booking.id}

    data = make_data(build)
    login(page, data["email"])
    page.goto(f"/locations/{data['booking_id']}/recapitulatif")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Récapitulatif de la location")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)
    assert len(pages) == 1, f"the summary prints on {len(pages)} pages"


def test_the_alternatives_page_passes_axe_and_a_free_period_is_one_click_away(page, make_data):
    def build():
        from mobility.booking.models import BookingStatus
        from mobility.booking.services import period
        from mobility.extensions import db
        from mobility.fleet.models import Vehicle
        from tests.booking.factories import BookingFactory, eligible_beneficiary
        from tests.fleet.factories import VehicleFactory

        data = beneficiary_and_a_car()
        start = today_in_france() + timedelta(days=14)
        starts_at, ends_at = period(start, PICKUP, start + timedelta(days=4), RETURN)
        # The only Orléans car is taken on those dates; Montargis has one.
        BookingFactory(
            beneficiary=eligible_beneficiary(),
            vehicle=db.session.get(Vehicle, data["vehicle_ids"][0]),
            status=BookingStatus.CONFIRMED,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        VehicleFactory()
        return data

    data = make_data(build)
    login(page, data["email"])
    page.goto("/locations/demander")
    start = today_in_france() + timedelta(days=14)
    fill_request(page, start, start + timedelta(days=4))
    expect(page.get_by_role("main")).to_contain_text("Aucun véhicule de ce type n'est libre")
    expect(page.get_by_role("button", name="M'inscrire dans la file d'attente")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("region", name="Les dates libres les plus proches").get_by_role("button").first.click()
    expect(page.get_by_role("heading", name="Votre location, avant d'envoyer la demande")).to_be_visible()


def _requests_waiting() -> dict:
    """A référent with two requests to approve, one in progress with an extension asked."""
    from mobility.booking import services
    from mobility.booking.models import BookingStatus
    from mobility.extensions import db
    from tests.booking.factories import BookingFactory, eligible_beneficiary
    from tests.factories import UserFactory

    demo_tariffs()
    referent = UserFactory(full_name="Référent Test")
    today = today_in_france()
    bookings = []
    for offset in (14, 21):
        start = today + timedelta(days=offset)
        starts_at, ends_at = services.period(start, PICKUP, start + timedelta(days=2), RETURN)
        bookings.append(
            BookingFactory(
                beneficiary=eligible_beneficiary(referent=referent),
                status=BookingStatus.REQUESTED,
                starts_at=starts_at,
                ends_at=ends_at,
                expires_at=starts_at,
            )
        )
    starts_at, ends_at = services.period(today - timedelta(days=2), PICKUP, today + timedelta(days=3), RETURN)
    running = BookingFactory(
        beneficiary=eligible_beneficiary(referent=referent),
        status=BookingStatus.IN_PROGRESS,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    services.request_extension(running, today + timedelta(days=7), referent)
    db.session.commit()
    return {"email": referent.email, "booking_ids": [b.id for b in bookings], "running_id": running.id}


def test_the_approval_queue_passes_axe_with_and_without_an_error(page, make_data):
    data = make_data(_requests_waiting)
    login(page, data["email"])
    expect(page.get_by_role("main")).to_contain_text("2 demandes de location attendent votre validation")
    page.get_by_role("link", name="Voir les demandes à valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes à valider")
    assert_no_axe_violations(page)

    first = data["booking_ids"][0]
    page.get_by_role("button", name=f"Refuser la demande L-{first:06d}").click()
    expect(page.locator(f"#reject-{first}-reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary")).to_contain_text("Indiquez la raison")
    assert_no_axe_violations(page)

    page.get_by_role("button", name=f"Valider la demande L-{first:06d}").click()
    expect(page.get_by_role("main")).to_contain_text(f"La demande L-{first:06d} est validée")
    assert_no_axe_violations(page)


def test_the_referent_booking_page_with_its_forms_passes_axe(page, make_data):
    data = make_data(_requests_waiting)
    login(page, data["email"])
    page.goto(f"/locations/{data['running_id']}")
    expect(page.get_by_role("heading", name="Demande de prolongation en attente")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Refuser la prolongation").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".error-summary")).to_contain_text("Indiquez la raison du refus")
    assert_no_axe_violations(page)


def _expect_no_horizontal_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["viewport"], f"{page.url} scrolls sideways at 375 px: {widths}"


def test_requesting_on_a_phone_fits_the_screen_at_every_step(page, make_data):
    data = make_data(beneficiary_and_a_car)
    page.set_viewport_size(PHONE)
    login(page, data["email"])
    page.goto("/locations/demander")
    _expect_no_horizontal_scroll(page)
    assert_no_axe_violations(page)

    start = today_in_france() + timedelta(days=14)
    fill_request(page, start, start + timedelta(days=4))
    expect(page.get_by_role("button", name="Envoyer la demande")).to_be_visible()
    _expect_no_horizontal_scroll(page)

    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Location L-")
    _expect_no_horizontal_scroll(page)
    assert_no_axe_violations(page)

    page.goto("/locations/")
    _expect_no_horizontal_scroll(page)
    # One card per rental, nothing to scroll sideways inside the page either.
    expect(page.locator("main .booking-cards > li")).to_have_count(1)
    expect(page.locator("main .table-wrapper")).to_have_count(0)
    assert_no_axe_violations(page)
