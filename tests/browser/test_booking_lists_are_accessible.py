"""The paginated lists in a real browser at desktop size, with axe: the search and filters
forms (with a refused value shown), the pager links that keep the filters, the outcomes to
record, the approval queue and the beneficiary files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser


def _lists() -> dict:
    from mobility.booking.models import BookingStatus
    from mobility.extensions import db
    from tests.booking.factories import BookingFactory
    from tests.factories import BeneficiaryFactory, UserFactory
    from tests.fleet.factories import SiteFactory, VehicleFactory

    staff = UserFactory(fleet=True)
    site = SiteFactory(association=staff.organisation, name="Garage solidaire")
    SiteFactory(association=staff.organisation, name="Annexe")
    referent = UserFactory()
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=30)
    for number in range(30):
        BookingFactory(
            beneficiary=BeneficiaryFactory(referent=referent, last_name=f"Liste {number:02d}"),
            vehicle=VehicleFactory(site=site, plate=f"LI-{number:03d}-ST"),
            starts_at=start + timedelta(days=number),
            ends_at=start + timedelta(days=number + 2),
        )
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=3)
    for number in range(12):
        BookingFactory(
            beneficiary=BeneficiaryFactory(referent=referent, last_name=f"Rendu {number:02d}"),
            vehicle=VehicleFactory(site=site, plate=f"RE-{number:03d}-ND"),
            status=BookingStatus.RETURNED,
            starts_at=end - timedelta(days=number + 3),
            ends_at=end - timedelta(days=number),
        )
    BookingFactory(
        beneficiary=BeneficiaryFactory(referent=referent, last_name="Demande"),
        vehicle=VehicleFactory(site=site, plate="DE-001-MA"),
        status=BookingStatus.REQUESTED,
        expires_at=datetime.now(UTC) + timedelta(hours=40),
    )
    db.session.commit()
    return {"staff": staff.email, "referent": referent.email}


def test_the_fleet_list_filters_and_pages_pass_axe(page, make_data):
    data = make_data(_lists)
    login(page, data["staff"])
    page.goto("/flotte/locations/")
    assert_no_axe_violations(page)

    page.get_by_role("textbox", name="Rechercher").fill("LI-0")
    page.get_by_label("État").select_option(label="confirmée")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**statut=confirmed**")
    expect(page.get_by_role("table")).to_contain_text("LI-000-ST")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Page suivante").click()
    expect(page.get_by_text("Page 2", exact=True)).to_be_visible()
    assert "statut=confirmed" in page.url and "q=LI-0" in page.url
    assert_no_axe_violations(page)

    page.goto("/flotte/locations/?du=2026-13-45&statut=perdu")
    expect(page.get_by_role("alert")).to_contain_text("Choisissez un état dans la liste.")
    assert_no_axe_violations(page)


def test_the_referent_lists_pass_axe(page, make_data):
    data = make_data(_lists)
    login(page, data["referent"])
    page.goto("/locations/?q=liste 0")
    expect(page.get_by_role("table")).to_contain_text("Liste 0")
    assert_no_axe_violations(page)

    page.goto("/locations/a-valider")
    expect(page.get_by_role("link", name="Toutes les suites à noter")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Toutes les suites à noter").click()
    expect(page.get_by_role("table")).to_contain_text("Rendu")
    assert_no_axe_violations(page)

    page.goto("/beneficiaires")
    expect(page.get_by_role("link", name="Page suivante")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto("/accueil")
    expect(page.get_by_role("region", name="Suites à noter")).to_contain_text("Rendu")
    assert_no_axe_violations(page)
