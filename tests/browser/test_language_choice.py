"""The language chosen in the footer is the language of the page, for screen readers too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


def test_choosing_english_in_the_footer_makes_the_page_english(page):
    page.goto("/accessibilite")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    footer = page.get_by_role("contentinfo")
    footer.get_by_label("Langue").select_option(label="English")
    footer.get_by_role("button", name="Changer").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Back on the page the person was reading; the choice holds on the next page too.
    assert page.url.endswith("/accessibilite")
    assert_no_axe_violations(page)
    page.goto("/connexion")
    expect(page.locator("html")).to_have_attribute("lang", "en")
