"""On a 375 px wide phone, pages fit the screen: no sideways scrolling of the whole page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}


def _expect_no_horizontal_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["viewport"], f"{page.url} scrolls sideways at 375 px: {widths}"


def test_public_pages_fit_a_phone_screen(page):
    page.set_viewport_size(PHONE)
    page.goto("/")
    _expect_no_horizontal_scroll(page)
    assert_no_axe_violations(page)

    page.goto("/connexion")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Le formulaire contient 2 erreurs")
    _expect_no_horizontal_scroll(page)
    assert_no_axe_violations(page)


def test_referent_pages_with_tables_and_forms_fit_a_phone_screen(page, signed_in, make_data):
    from mobility.auth.models import User
    from mobility.extensions import db
    from tests.factories import BeneficiaryFactory

    referent = signed_in("referent")
    make_data(lambda: BeneficiaryFactory(referent=db.session.get(User, referent["id"])).id)
    page.set_viewport_size(PHONE)
    for path in ("/beneficiaires", "/beneficiaires/nouveau"):
        page.goto(path)
        _expect_no_horizontal_scroll(page)
        assert_no_axe_violations(page)


def test_admin_tables_fit_a_phone_screen(page, signed_in):
    signed_in("admin")
    page.set_viewport_size(PHONE)
    for path in ("/admin/organisations", "/admin/utilisateurs", "/admin/journal/"):
        page.goto(path)
        _expect_no_horizontal_scroll(page)
        assert_no_axe_violations(page)
