"""The planning board, the availability search and the token page in a real browser, with axe."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser


def _fleet_with_a_site() -> dict:
    from tests.factories import UserFactory
    from tests.fleet.factories import SiteFactory, UnavailabilityFactory, VehicleFactory

    user = UserFactory(fleet=True, full_name="Gestion Test")
    site = SiteFactory(association=user.organisation, name="Garage solidaire")
    car = VehicleFactory(site=site, plate="AB-123-CD")
    VehicleFactory(site=site, vsp=True, plate="AB-456-CD", in_maintenance=True)
    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    UnavailabilityFactory(vehicle=car, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2))
    return {"email": user.email, "site_id": site.id}


def test_the_planning_board_passes_axe_in_month_and_week_views(page, make_data):
    data = make_data(_fleet_with_a_site)
    login(page, data["email"])
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Planning").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Planning — Garage solidaire")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Indisponible : réparation")
    expect(table).to_contain_text("Hors service : en entretien")
    assert_no_axe_violations(page)

    page.set_viewport_size({"width": 375, "height": 740})
    page.get_by_role("link", name="Voir une semaine").click()
    expect(page.get_by_role("columnheader")).to_have_count(8)
    assert_no_axe_violations(page)


def test_the_availability_search_passes_axe_with_its_errors_shown(page, live_server):
    page.goto("/vehicules-disponibles")
    expect(page.get_by_role("heading", level=1)).to_have_text("Véhicules disponibles près de chez vous")
    page.get_by_label("Type de véhicule").select_option("vsp")
    page.get_by_label("Du").fill("2030-01-10")
    page.get_by_label("Au").fill("2030-01-05")
    page.get_by_role("button", name="Voir les véhicules libres").click()
    expect(page.get_by_label("Au")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("La date de fin doit être")
    assert_no_axe_violations(page)

    page.get_by_label("Au").fill("2030-01-12")
    page.get_by_role("button", name="Voir les véhicules libres").click()
    expect(page.get_by_role("table")).to_contain_text("Aucun véhicule libre")
    assert_no_axe_violations(page)


def test_the_token_page_passes_axe(page, signed_in, make_data):
    def token():
        from tests.api.factories import api_token
        from tests.factories import UserFactory

        api_token(UserFactory(fleet=True), "Export mensuel")

    make_data(token)
    signed_in("admin")
    page.get_by_role("link", name="Jetons d'API").click()
    expect(page.get_by_role("table")).to_contain_text("Export mensuel")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Révoquer Export mensuel").click()
    expect(page.get_by_role("status")).to_contain_text("est révoqué")


def test_the_basin_board_prints_one_landscape_page_per_site(page, make_data):
    def two_sites() -> dict:
        from tests.factories import UserFactory
        from tests.fleet.factories import SiteFactory, VehicleFactory

        user = UserFactory(fleet=True)
        for name in ("Garage nord", "Garage sud"):
            site = SiteFactory(association=user.organisation, name=name)
            for _ in range(3):
                VehicleFactory(site=site)
        return {"email": user.email, "basin_id": site.basin_id}

    data = make_data(two_sites)
    login(page, data["email"])
    page.goto(f"/flotte/planning/bassins/{data['basin_id']}")
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 2
    width, height = (float(n) for n in re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
    assert width > height  # landscape
    page.emulate_media(media="print")
    breaks = page.eval_on_selector_all(
        ".planning-site", "sections => sections.map(s => getComputedStyle(s).breakAfter)"
    )
    assert breaks == ["page", "auto"]
    # Each site's table fits the width of the landscape page: nothing is cut off on the right.
    overflow = page.eval_on_selector_all(
        ".planning-table", "tables => tables.map(t => t.scrollWidth - t.parentElement.clientWidth)"
    )
    assert all(extra <= 0 for extra in overflow), overflow
