"""The contact-channel choice on "Mes données", in a real browser with axe-core: the page, the
refusal shown next to the field and in the summary, and the saved choice.

Only the choice is tested here: the rest of the page's content is another piece of work."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, login

pytestmark = pytest.mark.browser

LABEL = "Comment recevoir les messages du service"
REFUSAL = "Pour recevoir des SMS, il faut un numéro de portable"


def _person(phone):
    def build():
        from mobility.notify.models import ContactChoice
        from tests.factories import BeneficiaryFactory, UserFactory

        user = UserFactory(beneficiary=True)
        BeneficiaryFactory(user=user, phone=phone, contact_channel=ContactChoice.EMAIL)
        return user.email

    return build


def test_choosing_sms_without_a_mobile_shows_the_refusal_next_to_the_field_and_passes_axe(page, make_data):
    login(page, make_data(_person(phone=None)))
    page.goto("/mes-donnees")
    assert_no_axe_violations(page)
    choice = page.get_by_label(LABEL)
    choice.select_option(label="Par SMS")
    page.get_by_role("button", name="Enregistrer mon choix").click()
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="Le formulaire contient"))
    expect(summary).to_contain_text(REFUSAL)
    link = summary.get_by_role("link")
    expect(link).to_have_attribute("href", "#" + choice.get_attribute("id"))
    # The message belongs to the field for assistive technology, not only visually near it.
    described_by = choice.get_attribute("aria-describedby") or ""
    assert described_by, "the field in error names its message"
    described = " ".join(page.locator("#" + name).inner_text() for name in described_by.split())
    assert REFUSAL in described
    expect(choice).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)


def test_a_person_with_a_mobile_saves_sms_and_sees_it_confirmed(page, make_data):
    login(page, make_data(_person(phone="06 12 34 56 78")))
    page.goto("/mes-donnees")
    page.get_by_label(LABEL).select_option(label="Par SMS")
    page.get_by_role("button", name="Enregistrer mon choix").click()
    expect(page.get_by_text("Votre choix est enregistré.")).to_be_visible()
    expect(page.get_by_label(LABEL)).to_have_value("sms")
    assert_no_axe_violations(page)
