"""Incident and claim pages in a real browser, with axe: the staff's incident form and the claim
form with their errors shown, the incident page, and the person's report on a phone (390×844)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _rental_in_progress() -> dict:
    from mobility.booking.models import BookingStatus
    from mobility.extensions import db
    from mobility.incidents import services
    from mobility.incidents.models import IncidentKind
    from tests.booking.factories import BookingFactory
    from tests.factories import BeneficiaryFactory, UserFactory
    from tests.fleet.factories import SiteFactory, VehicleFactory

    staff = UserFactory(fleet=True, full_name="Gestion Test")
    staff.organisation.emergency_phone = "02 38 12 34 56"
    site = SiteFactory(association=staff.organisation, name="Garage solidaire")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    car, spare = VehicleFactory(site=site, plate="AB-120-CD"), VehicleFactory(site=site, plate="AB-121-CD")
    person = BeneficiaryFactory(licence_b=True)
    person_user = UserFactory(beneficiary=True, organisation=person.organisation, full_name="Personne Test")
    person.user = person_user
    booking = BookingFactory(vehicle=car, beneficiary=person, status=BookingStatus.IN_PROGRESS,
                             starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=3))
    incident = services.report_incident(
        car, booking,
        services.IncidentReport(IncidentKind.ACCIDENT, now - timedelta(days=1), "Orléans", "Choc arrière."),
        [], staff,
    )
    db.session.commit()
    return {"staff": staff.email, "person": person_user.email, "booking": booking.id, "incident": incident.id,
            "spare": spare.plate}


def test_the_incident_form_passes_axe_with_its_errors_shown(page, make_data):
    data = make_data(_rental_in_progress)
    login(page, data["staff"])
    page.get_by_role("link", name="Sinistres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incidents et sinistres")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Pendant la location").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nouvel incident")
    expect(page.get_by_label("Véhicule de remplacement", exact=True)).to_contain_text(data["spare"])
    assert_no_axe_violations(page)

    page.get_by_label("Le véhicule ne peut plus rouler").check()
    page.get_by_role("button", name="Enregistrer l'incident").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Lieu")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#until_on-error")).to_contain_text("jusqu'à quand")
    assert_no_axe_violations(page)


def test_the_incident_page_and_the_claim_form_pass_axe_with_errors_shown(page, make_data):
    data = make_data(_rental_in_progress)
    login(page, data["staff"])
    page.goto(f"/sinistres/{data['incident']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accident")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Déclarer le sinistre").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Déclaration de sinistre")
    assert_no_axe_violations(page)
    page.get_by_label("Déclaré à l'assureur le").fill("2020-01-01")
    page.get_by_label("Coût de la réparation en euros").fill("douze")
    page.get_by_role("button", name="Enregistrer la déclaration").click()
    expect(page.get_by_label("Coût de la réparation en euros")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)
    page.get_by_label("Coût de la réparation en euros").fill("450")
    page.get_by_role("button", name="Enregistrer la déclaration").click()
    expect(page.locator("#declared_on-error")).to_contain_text("ne peut pas précéder l'incident")
    assert_no_axe_violations(page)


def test_the_person_reports_an_incident_from_a_phone(page, make_data):
    data = make_data(_rental_in_progress)
    page.set_viewport_size(PHONE)
    login(page, data["person"])
    page.goto("/sinistres/signaler")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler un incident")
    expect(page.get_by_role("link", name="02 38 12 34 56")).to_be_visible()
    photos = page.get_by_label("Photos (facultatif)")
    expect(photos).to_have_attribute("capture", "environment")
    expect(photos).to_have_attribute("accept", "image/*")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Envoyer à l'association").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Ce qui s'est passé")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)

    now = datetime.now(UTC).astimezone()
    page.get_by_label("Ce qui s'est passé").select_option(label="Panne")
    page.get_by_label("Date").fill(now.date().isoformat())
    page.get_by_label("Heure (environ)").fill("00:01")
    page.get_by_label("Lieu").fill("RD 2020, Saran")
    page.get_by_label("Ce qui est arrivé").fill("Le moteur s'est arrêté.")
    page.get_by_label("Le véhicule ne peut plus rouler").check()
    page.get_by_role("button", name="Envoyer à l'association").click()
    expect(page.get_by_text("L'association a reçu votre signalement.")).to_be_visible()
    expect(page.get_by_role("link", name="02 38 12 34 56")).to_be_visible()
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["scroll"] <= widths["viewport"]
    assert_no_axe_violations(page)
