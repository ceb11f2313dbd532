"""Helpers for the browser tests: logging in like a person, and checking a page with axe-core."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from axe_playwright_python.base import AXE_FILE_PATH

from mobility.core.time import today as today_in_france
from tests.factories import TEST_PASSWORD

# The WCAG 2.1 A and AA rules of axe-core; best practices are not legal requirements.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
# Where the live server (tests/browser/conftest.py) serves axe-playwright-python's offline copy
# of axe-core; a test-only route, never registered by create_app().
AXE_SCRIPT_PATH = "/__tests__/axe.min.js"
AXE_SCRIPT_FILE = AXE_FILE_PATH


def login(page, email: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the real form, like a person would, and wait for the home page."""
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/accueil")


def _describe(violation: dict) -> str:
    lines = [f"- {violation['id']} ({violation.get('impact') or 'unknown impact'}): {violation['help']}"]
    for node in violation["nodes"]:
        target = " ".join(str(part) for part in node["target"])
        lines.append(f"    at {target}")
        summary = (node.get("failureSummary") or "").strip().replace("\n", "\n      ")
        if summary:
            lines.append(f"      {summary}")
    lines.append(f"    see {violation['helpUrl']}")
    return "\n".join(lines)


def assert_no_axe_violations(page) -> None:
    """Fail with a readable list when axe-core finds a WCAG 2.1 A/AA violation on the page."""
    # axe-core as the package ships it, loaded from the live server (see AXE_SCRIPT_PATH): a
    # same-origin script passes the CSP and, cached by the browser, loads twice as fast as
    # Axe.run()'s page.evaluate() of the whole source on every page.
    # A click that submits a form may still be loading the next page: wait until it has a
    # document to add the script to (under load, add_script_tag otherwise finds no <head>).
    page.wait_for_load_state("load")
    page.add_script_tag(url=AXE_SCRIPT_PATH)
    # Only the violations come back: the full result (passes included) is slow to serialise.
    violations = page.evaluate(
        "options => axe.run(document, options).then(results => results.violations)", AXE_OPTIONS
    )
    if violations:
        report = "\n".join(_describe(violation) for violation in violations)
        pytest.fail(
            f"axe-core found {len(violations)} WCAG 2.1 A/AA violation(s) on {page.url}:\n{report}",
            pytrace=False,
        )


# --- Data the booking pages' tests share (built in the test's app through make_data) -------


def demo_tariffs() -> None:
    from mobility.booking.models import Tariff
    from mobility.extensions import db
    from mobility.fleet.models import VehicleCategory

    in_force = today_in_france() - timedelta(days=365)
    for category, daily, deposit in ((VehicleCategory.CAR, 400, 15000), (VehicleCategory.VSP, 300, 10000)):
        db.session.add(
            Tariff(
                category=category,
                effective_on=in_force,
                daily_cents=daily,
                weekly_cap_cents=5 * daily,
                monthly_cap_cents=15 * daily,
                deposit_cents=deposit,
            )
        )
    db.session.commit()


def beneficiary_and_a_car(cars: int = 1) -> dict:
    """A person who may rent a car, with their own login, and an Orléans site with `cars` cars."""
    from mobility.extensions import db
    from tests.booking.factories import eligible_beneficiary
    from tests.factories import UserFactory
    from tests.fleet.factories import SiteFactory, VehicleFactory

    demo_tariffs()
    site = SiteFactory(orleans=True, name="Garage solidaire")
    vehicles = [VehicleFactory(site=site) for _ in range(cars)]
    person = eligible_beneficiary(commune_insee="45234")
    user = UserFactory(beneficiary=True, full_name="Bénéficiaire Test", organisation=person.organisation)
    person.user = user
    db.session.commit()
    return {
        "email": user.email,
        "person_id": person.id,
        "referent_email": person.referent.email,
        "vehicle_ids": [v.id for v in vehicles],
    }


def fill_request(page, starts_on: date, ends_on: date) -> None:
    page.get_by_label("Voiture (permis B)").check()
    page.get_by_label("Premier jour de la location").fill(starts_on.isoformat())
    page.get_by_label("Dernier jour de la location").fill(ends_on.isoformat())
    page.get_by_label("Emploi (trajets domicile-travail)").check()
    page.get_by_label("Employeur, formation ou démarche").fill("Entreprise de logistique")
    page.get_by_role("button", name="Voir le prix").click()
