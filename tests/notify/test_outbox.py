from sqlalchemy import select

from mobility.extensions import db
from mobility.notify.models import OutboxMessage, OutboxStatus
from mobility.notify.services import deliver_pending, queue_email
from tests.factories import UserFactory


def _queue(user):
    return queue_email(recipient=user.email, template="password_reset", user=user, link="http://x/", minutes=60)


def test_a_message_leaves_only_after_its_transaction_commits(app, mailbox):
    user = UserFactory()
    _queue(user)
    deliver_pending()  # the message is flushed, not committed: nothing may leave
    db.session.rollback()
    assert mailbox.messages() == []
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_a_committed_message_is_sent_once_even_if_delivery_runs_twice(app, mailbox):
    user = UserFactory()
    _queue(user)
    db.session.commit()
    assert deliver_pending() == 1
    assert deliver_pending() == 0
    assert len(mailbox.messages()) == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.status is OutboxStatus.SENT and message.sent_at is not None


def test_a_failing_backend_keeps_the_message_for_a_later_try(app, mailbox):
    user = UserFactory()
    _queue(user)
    db.session.commit()
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = 1  # nothing listens there
    assert deliver_pending() == 0
    message = db.session.scalar(select(OutboxMessage))
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 1 and "Error" in message.last_error
    app.config["MAIL_SERVER"] = ""
    assert deliver_pending() == 1


def test_the_written_email_is_readable_text(app, mailbox):
    user = UserFactory(full_name="Compte Lisible")
    _queue(user)
    db.session.commit()
    deliver_pending()
    message = mailbox.last_to(user.email)
    assert "Bonjour Compte Lisible," in message.get_content()
