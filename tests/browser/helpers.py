"""Helpers for the browser tests: logging in like a person, and checking a page with axe-core."""

from __future__ import annotations

import pytest
from axe_playwright_python.base import AXE_FILE_PATH

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
