"""The dashboards and the exports page in a real browser, with axe: charts with their tables."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mobility.auth.models import Role
from tests.browser.helpers import assert_no_axe_violations, login
from tests.factories import UserFactory
from tests.reporting.conftest import _build_plan

pytestmark = pytest.mark.browser
PERIOD = "du=2026-01-01&au=2026-06-30"


def _plan_and(role_builder):
    def build():
        plan = _build_plan()
        return {"email": role_builder(plan).email}

    return build


def test_the_admin_dashboard_passes_axe_and_each_chart_has_its_table(page, make_data):
    data = make_data(_plan_and(lambda plan: UserFactory(admin=True)))
    login(page, data["email"])
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tableau de bord")
    page.goto(f"/tableau-de-bord?{PERIOD}")
    expect(page.get_by_role("heading", name="Chiffres clés")).to_be_visible()
    with_charts = [section for section in page.locator(".report-section").all() if section.get_by_role("img").count()]
    assert len(with_charts) >= 5
    for section in with_charts:
        expect(section.get_by_role("img")).to_have_count(1)
        expect(section.get_by_role("table")).to_be_visible()
    expect(page.get_by_role("table", name="Données : Locations par mois et par bassin")).to_contain_text("janvier 2026")
    assert_no_axe_violations(page)


def test_a_bad_period_on_the_dashboard_passes_axe_with_its_errors(page, make_data):
    data = make_data(_plan_and(lambda plan: UserFactory(admin=True)))
    login(page, data["email"])
    page.goto("/tableau-de-bord")
    page.locator("#du").fill("2026-06-30")
    page.locator("#au").fill("2026-01-01")
    page.get_by_role("button", name="Afficher la période").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_association_dashboard_passes_axe(page, make_data):
    data = make_data(_plan_and(lambda plan: UserFactory(role=Role.FLEET, organisation=plan.a1)))
    login(page, data["email"])
    page.goto(f"/tableau-de-bord?{PERIOD}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Association Orléans (test)")
    assert_no_axe_violations(page)


def test_the_exports_page_and_the_objectives_page_pass_axe(page, make_data):
    data = make_data(_plan_and(lambda plan: UserFactory(admin=True)))
    login(page, data["email"])
    page.goto("/tableau-de-bord/exports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    assert_no_axe_violations(page)
    page.goto("/tableau-de-bord/objectifs")
    page.get_by_role("button", name="Enregistrer l'objectif").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
