"""A person who uses only the keyboard: skip link first, and a login that works without a mouse."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page):
    page.goto("/")
    assert_no_axe_violations(page)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab stop is inside the content, not back in the header.
    page.keyboard.press("Tab")
    expect(page.get_by_role("main").get_by_role("link", name="Se connecter")).to_be_focused()


@pytest.mark.parametrize(
    ("role", "home_heading"),
    [("referent", "Espace référent"), ("beneficiary", "Bonjour Bénéficiaire")],
)
def test_logging_in_with_the_keyboard_only_lands_on_the_home_page(page, make_data, role, home_heading):
    from tests.factories import TEST_PASSWORD, UserFactory

    traits = {"beneficiary": True} if role == "beneficiary" else {}
    email = make_data(lambda: UserFactory(full_name="Bénéficiaire", **traits).email)
    page.goto("/connexion")
    assert_no_axe_violations(page)

    email_field = page.get_by_label("Adresse e-mail")
    for _ in range(10):  # past the skip link and the header links
        page.keyboard.press("Tab")
        if email_field.evaluate("element => element === document.activeElement"):
            break
    expect(email_field).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Rester connecté sur cet appareil")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Se connecter")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(home_heading)
    expect(page).to_have_url(re.compile(r"/accueil$"))
    assert_no_axe_violations(page)
