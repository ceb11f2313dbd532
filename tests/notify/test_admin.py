"""The admin page of failed messages: admins only, the error shown, a retry that sends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mobility.extensions import db
from mobility.notify.models import OutboxMessage, OutboxStatus
from mobility.notify.services import MAX_ATTEMPTS, queue_email
from tests.factories import UserFactory
from tests.helpers import page_text


def _failed_message(recipient="lost@example.org"):
    message = queue_email(recipient=recipient, template="password_reset", user=UserFactory(), link="http://x/",
                          minutes=60)
    message.status, message.attempts = OutboxStatus.FAILED, MAX_ATTEMPTS
    message.last_error = "SMTPRecipientsRefused: mailbox unavailable"
    db.session.commit()
    return message.id


@pytest.mark.parametrize("role", ["referent", "fleet", "beneficiary"])
def test_only_admins_see_the_failed_messages(client, auth, role):
    _failed_message()
    user = UserFactory(**{role: True} if role != "referent" else {})
    auth.login(user)
    assert client.get("/admin/messages/echecs").status_code == 404


def test_the_page_asks_for_a_login(client):
    assert client.get("/admin/messages/echecs").status_code == 302


def test_an_admin_sees_the_error_and_retries_the_message(client, auth, mailbox):
    message_id = _failed_message()
    auth.login(UserFactory(admin=True))
    page = page_text(client.get("/admin/messages/echecs"))
    assert "lost@example.org" in page and "SMTPRecipientsRefused: mailbox unavailable" in page
    response = client.post(f"/admin/messages/{message_id}/renvoyer")
    assert response.status_code == 302
    db.session.rollback()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status is OutboxStatus.SENT  # left after the retry's response
    assert mailbox.last_to("lost@example.org")
    assert "Aucun message en échec" in page_text(client.get("/admin/messages/echecs"))


def test_retrying_a_message_that_did_not_fail_is_a_404(client, auth):
    message = queue_email(recipient="fine@example.org", template="password_reset", user=UserFactory(),
                          link="http://x/", minutes=60)
    db.session.commit()
    auth.login(UserFactory(admin=True))
    assert client.post(f"/admin/messages/{message.id}/renvoyer").status_code == 404
    assert client.post("/admin/messages/999999/renvoyer").status_code == 404
    assert db.session.scalar(select(OutboxMessage.status)) is OutboxStatus.PENDING
