"""The site hours page and the swap confirmation in a real browser, with axe, errors shown."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _fleet_with_two_sites() -> dict:
    from mobility.booking.models import BookingStatus
    from mobility.extensions import db
    from mobility.fleet.opening_hours import SiteOpeningHours
    from tests.booking.factories import BookingFactory, eligible_beneficiary
    from tests.factories import UserFactory
    from tests.fleet.factories import SiteFactory, VehicleFactory

    user = UserFactory(fleet=True, full_name="Gestion Test")
    montargis = SiteFactory(association=user.organisation, name="Garage de Montargis", commune_insee="45208")
    gien = SiteFactory(association=user.organisation, name="Antenne de Gien", commune_insee="45155")
    for weekday in range(5):
        db.session.add(
            SiteOpeningHours(
                site_id=gien.id, weekday=weekday, morning_opens=time(0), morning_closes=time(12),
                afternoon_opens=time(12), afternoon_closes=time(23, 59),
            )
        )
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    # The next Monday to Wednesday at 9:00 UTC: open days at the Gien site.
    monday = now + timedelta(days=(7 - now.weekday()) % 7 or 7)
    person = eligible_beneficiary(monday.date(), commune_insee="45068")
    booking = BookingFactory(
        vehicle=VehicleFactory(site=montargis, plate="MO-111-NT"),
        beneficiary=person,
        status=BookingStatus.APPROVED,
        starts_at=monday.replace(hour=9),
        ends_at=monday.replace(hour=9) + timedelta(days=2),
    )
    other = VehicleFactory(site=gien, plate="GI-333-EN")
    db.session.commit()
    return {"email": user.email, "booking": booking.id, "other": other.id, "site": montargis.id}


def test_the_site_hours_form_passes_axe_with_its_errors_shown(page, make_data):
    data = make_data(_fleet_with_two_sites)
    login(page, data["email"])
    page.goto(f"/flotte/sites/{data['site']}/horaires")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Horaires du site")
    assert_no_axe_violations(page)
    page.get_by_label("Lundi, matin, ouverture").fill("12:00")
    page.get_by_label("Lundi, matin, fermeture").fill("08:30")
    page.get_by_label("Premier jour de fermeture").fill("2026-12-28")
    page.get_by_role("button", name="Enregistrer les horaires").click()
    expect(page.get_by_role("alert")).to_contain_text("L'heure de fermeture doit être après l'heure d'ouverture.")
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE)
    assert_no_axe_violations(page)


def test_the_swap_confirmation_passes_axe_with_its_error_shown(page, make_data):
    data = make_data(_fleet_with_two_sites)
    login(page, data["email"])
    page.goto(f"/flotte/locations/{data['booking']}/confirmer")
    expect(page.get_by_label("Véhicule remis")).to_contain_text("autre site : Antenne de Gien")
    assert_no_axe_violations(page)
    page.get_by_label("Véhicule remis").select_option(str(data["other"]))
    page.get_by_role("button", name="Confirmer la location").click()
    expect(page.get_by_role("alert")).to_contain_text("à 34 km de Châlette-sur-Loing")
    assert_no_axe_violations(page)
    page.get_by_label("La personne est prévenue du changement de site").check()
    page.get_by_role("button", name="Confirmer la location").click()
    expect(page.get_by_text("est confirmée avec le véhicule")).to_be_visible()
