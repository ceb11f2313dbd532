"""The admin page of failed messages passes axe-core, and its retry button works from the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations

pytestmark = pytest.mark.browser


def _failed_message():
    from mobility.extensions import db
    from mobility.notify.models import OutboxStatus
    from mobility.notify.services import MAX_ATTEMPTS, queue_email
    from tests.factories import UserFactory

    message = queue_email(recipient="lost@example.org", template="password_reset", user=UserFactory(),
                          link="http://x/", minutes=60)
    message.status, message.attempts, message.last_error = OutboxStatus.FAILED, MAX_ATTEMPTS, "TimeoutError: "
    db.session.commit()
    return message.id


def test_failed_messages_page_passes_axe_and_retries(page, signed_in, make_data):
    message_id = make_data(_failed_message)
    signed_in("admin")
    page.goto("/admin/messages/echecs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages non distribués")
    assert_no_axe_violations(page)
    button = page.get_by_role("button", name=f"Renvoyer le message n° {message_id}")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Le message n° {message_id} repart")).to_be_visible()
    assert_no_axe_violations(page)
