"""The pages of daily use in Chromium: Back after sending a request or a refused form never
lands on "Confirm form resubmission"; on a 390 x 844 phone the header folds into a menu and the
request form's first question is on the first screen; axe at phone and desktop size on the
pages this work changed (home with a request, request form, cancel confirmation, file page,
odometer question)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mobility.core.time import today as today_in_france
from tests.browser.helpers import assert_no_axe_violations, beneficiary_and_a_car, fill_request, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _not_an_error_page(page) -> None:
    assert not page.url.startswith("chrome-error://"), page.url
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "ERR_CACHE_MISS" not in page.content()


def test_back_after_sending_a_request_shows_the_price_again_not_a_resubmission_error(page, make_data):
    data = make_data(beneficiary_and_a_car)
    login(page, data["email"])
    page.goto("/locations/demander")
    start = today_in_france() + timedelta(days=14)
    fill_request(page, start, start + timedelta(days=4))
    expect(page.get_by_role("heading", name="Votre location, avant d'envoyer la demande")).to_be_visible()
    assert "etape=prix" in page.url  # the price is a page of its own, answered to a GET
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("est envoyée")).to_be_visible()
    page.go_back()
    _not_an_error_page(page)
    assert "etape=prix" in page.url
    page.go_forward()
    _not_an_error_page(page)


def test_back_to_a_refused_form_reloads_it_instead_of_asking_to_resend(page, make_data):
    data = make_data(beneficiary_and_a_car)
    login(page, data["email"])
    page.goto("/locations/demander")
    page.get_by_role("button", name="Voir le prix").click()  # nothing filled in: 422
    expect(page.locator(".error-summary")).to_be_visible()
    page.goto("/locations/")
    page.go_back()
    _not_an_error_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Demander un véhicule")


def test_on_a_phone_the_menu_folds_and_the_first_question_is_on_the_first_screen(page, make_data):
    data = make_data(beneficiary_and_a_car)
    page.set_viewport_size(PHONE)
    login(page, data["email"])
    page.goto("/locations/demander")
    first_question = page.get_by_label("Voiture (permis B)")
    box = first_question.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    menu = page.locator("details.menu--phone")
    expect(menu.get_by_role("link", name="Mes locations")).to_be_hidden()
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name="Mes locations")).to_be_visible()
    assert_no_axe_violations(page)
    # Wider screens show the links as before, no disclosure.
    page.set_viewport_size(DESKTOP)
    expect(page.locator("details.menu--phone")).to_be_hidden()
    expect(page.locator(".menu--wide").get_by_role("link", name="Mes locations")).to_be_visible()


def _with_a_request(data_maker) -> dict:
    from datetime import UTC, datetime

    from mobility.beneficiaries.models import Beneficiary
    from mobility.booking.models import BookingStatus
    from mobility.extensions import db
    from mobility.fleet.models import Vehicle
    from tests.booking.factories import BookingFactory

    data = data_maker()

    person = db.session.get(Beneficiary, data["person_id"])
    vehicle = db.session.get(Vehicle, data["vehicle_ids"][0])
    start = datetime.combine(today_in_france() + timedelta(days=14), datetime.min.time(), UTC) + timedelta(hours=8)
    booking = BookingFactory(
        beneficiary=person,
        vehicle=vehicle,
        status=BookingStatus.APPROVED,
        starts_at=start,
        ends_at=start + timedelta(days=4, hours=8),
    )
    db.session.commit()
    return {**data, "booking_id": booking.id}


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_beneficiary_pages_with_a_request_pass_axe(page, make_data, size):
    data = make_data(lambda: _with_a_request(beneficiary_and_a_car))
    page.set_viewport_size(size)
    login(page, data["email"])
    expect(page.get_by_role("heading", name="Votre demande en cours")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto("/locations/demander")
    expect(page.get_by_text("une seule à la fois")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"/locations/{data['booking_id']}")
    page.get_by_role("link", name="Annuler cette location").click()
    expect(page.get_by_role("button", name="Oui, annuler la location")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Oui, annuler la location").click()
    expect(page.get_by_text("est annulée")).to_be_visible()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_referent_file_page_passes_axe(page, make_data, size):
    data = make_data(lambda: _with_a_request(beneficiary_and_a_car))
    page.set_viewport_size(size)
    login(page, data["referent_email"])
    page.goto(f"/beneficiaires/{data['person_id']}")
    expect(page.get_by_role("heading", name="Ce que la personne peut louer aujourd'hui")).to_be_visible()
    expect(page.get_by_role("heading", name="Locations de la personne")).to_be_visible()
    assert_no_axe_violations(page)


def _fleet_vehicle_with_a_reading() -> dict:
    from tests.factories import UserFactory
    from tests.fleet.factories import OdometerReadingFactory, SiteFactory, VehicleFactory

    site = SiteFactory(orleans=True)
    vehicle = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=vehicle, read_on=today_in_france() - timedelta(days=2), km=54800)
    user = UserFactory(fleet=True, organisation=site.association)
    return {"email": user.email, "vehicle_id": vehicle.id}


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_odometer_question_passes_axe(page, make_data, size):
    data = make_data(_fleet_vehicle_with_a_reading)
    page.set_viewport_size(size)
    login(page, data["email"])
    page.goto(f"/flotte/vehicules/{data['vehicle_id']}/kilometrage")
    page.get_by_label("Kilométrage au compteur").fill("999999")
    page.get_by_role("button", name="Enregistrer le relevé").click()
    expect(page.get_by_label("Ce kilométrage est juste : je le confirme")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Ce kilométrage est juste : je le confirme").check()
    page.get_by_role("button", name="Enregistrer le relevé").click()
    expect(page.get_by_text("Le relevé de 999999 km est enregistré.")).to_be_visible()
