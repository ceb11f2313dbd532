"""The outbox: a message leaves after its commit, once, with retries and backoff, never lost."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from mobility.extensions import db
from mobility.notify import backends
from mobility.notify.models import OutboxMessage, OutboxStatus
from mobility.notify.services import MAX_ATTEMPTS, deliver_pending, queue_email, retry
from tests.factories import UserFactory
from tests.helpers import body_of

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def _queue(user, dedup_key=None):
    return queue_email(
        recipient=user.email, template="password_reset", user=user, link="http://x/", minutes=60, dedup_key=dedup_key
    )


def _message():
    return db.session.scalar(select(OutboxMessage))


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
    message = _message()
    assert message.status is OutboxStatus.SENT and message.sent_at is not None
    assert message.provider_message_id  # the Message-ID the mail carries


def test_the_same_event_queued_twice_makes_one_message(app, mailbox):
    user = UserFactory()
    first = _queue(user, dedup_key="event:1")
    second = _queue(user, dedup_key="event:1")
    db.session.commit()
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def _break_mail(app):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = 1  # nothing listens there


def test_a_failed_send_is_retried_after_1_5_30_minutes_2_and_12_hours_then_marked_failed(app, mailbox, time_machine):
    time_machine.move_to(T0, tick=False)
    _queue(UserFactory())
    db.session.commit()
    _break_mail(app)
    now = T0
    waits = []
    for _attempt in range(MAX_ATTEMPTS):
        assert deliver_pending() == 0
        db.session.rollback()
        message = _message()
        if message.status is OutboxStatus.FAILED:
            break
        waits.append(message.next_attempt_at - now)
        # Not yet due a second before its next attempt.
        time_machine.move_to(message.next_attempt_at - timedelta(seconds=1), tick=False)
        assert deliver_pending() == 0
        db.session.rollback()
        assert _message().attempts == len(waits)
        now = message.next_attempt_at
        time_machine.move_to(now, tick=False)
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                     timedelta(hours=12)]
    message = _message()
    assert message.status is OutboxStatus.FAILED
    assert message.attempts == 6 and "Error" in message.last_error
    assert mailbox.messages() == []


def test_an_admin_retry_sends_a_failed_message(app, mailbox, time_machine):
    time_machine.move_to(T0, tick=False)
    user = UserFactory()
    message = _queue(user)
    message.status, message.attempts = OutboxStatus.FAILED, MAX_ATTEMPTS
    db.session.commit()
    assert deliver_pending() == 0
    retry(_message())
    db.session.commit()
    assert deliver_pending() == 1
    assert mailbox.last_to(user.email)


class _ProcessDied(BaseException):
    """What a kill between the send and the mark looks like to the code that was running."""


def test_a_crash_between_send_and_mark_sends_the_message_again_and_never_queues_it_twice(
    app, mailbox, time_machine, monkeypatch
):
    time_machine.move_to(T0, tick=False)
    user = UserFactory()
    _queue(user, dedup_key="event:crash")
    db.session.commit()
    real_send = backends.FileEmailBackend.send

    def send_then_die(self, message):
        real_send(self, message)
        raise _ProcessDied

    monkeypatch.setattr(backends.FileEmailBackend, "send", send_then_die)
    with pytest.raises(_ProcessDied):
        deliver_pending()
    monkeypatch.setattr(backends.FileEmailBackend, "send", real_send)
    db.session.rollback()
    assert _message().status is OutboxStatus.PENDING  # not marked: it will leave again
    # The event happens again (a job run twice): still one message.
    _queue(user, dedup_key="event:crash")
    db.session.commit()
    assert deliver_pending() == 0  # claimed by the dead process until its lease ends
    time_machine.move_to(T0 + timedelta(minutes=11), tick=False)
    assert deliver_pending() == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    message = _message()
    # At least once: sent before the crash, and again after the lease; marked this time.
    assert message.status is OutboxStatus.SENT and message.attempts == 2
    assert mailbox.last_to(user.email)


def test_the_email_has_a_text_and_an_html_part_saying_who_sends_it(app, mailbox):
    user = UserFactory(full_name="Compte Lisible")
    _queue(user)
    db.session.commit()
    deliver_pending()
    message = mailbox.last_to(user.email)
    text = body_of(message)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Bonjour Compte Lisible," in text
    assert "Mobilité Emploi Loiret" in text and "Pour toute question" in text
    assert 'href="http://x/"' in html and "Bonjour Compte Lisible," in html


def test_templates_render_in_the_recipients_language(app, mailbox):
    user = UserFactory()
    queue_email(recipient=user.email, template="password_reset", language="en", user=user, link="http://x/",
                minutes=60)
    db.session.commit()
    deliver_pending()
    text = body_of(mailbox.last_to(user.email))
    assert "Hello" in text or "Dear" in text
    assert "Bonjour" not in text
