"""Queue messages in the outbox; deliver them after the transaction that made them commits.

Web requests never send: a request that queued messages hands them to delivery once its
response has gone (response.call_on_close), and the scheduler's every-minute job delivers
whatever is still due (after a crash, a provider outage, or a commit made outside a request).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.notify.backends import backend_for
from mobility.notify.contacts import Contact
from mobility.notify.models import Channel, OutboxMessage, OutboxStatus
from mobility.notify.rendering import language_of, plain_context, render_email, render_sms

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; one more failure after the last: failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claimed message is invisible to other deliverers this long; if its process dies before
# marking it, it becomes due again (at least once, never lost).
CLAIM_LEASE = timedelta(minutes=10)
_QUEUED = "outbox_queued"
_COMMITTED = "outbox_committed"
# How many messages this session queued (the scheduler reports it per job run).
OUTBOX_ADDED = "outbox_added"


def queue_email(
    *,
    recipient: str,
    template: str,
    language: str | None = None,
    dedup_key: str | None = None,
    **context,
) -> OutboxMessage:
    """Render templates/notify/emails/<template>.txt in the recipient's language and queue it.

    Nothing leaves before the caller commits. A dedup key already queued gives back the
    message it queued: the same event never makes two messages.
    """
    language = language_of(language)
    email = render_email(template, language, context)
    return _add(
        OutboxMessage(
            channel=Channel.EMAIL.value,
            recipient=recipient,
            template=template,
            subject=email.subject,
            body_text=email.text,
            body_html=email.html,
            context=plain_context(context) or None,
            language=language,
            dedup_key=dedup_key,
        )
    )


def queue_sms(
    *, recipient: str, template: str, language: str | None = None, dedup_key: str | None = None, **context
) -> OutboxMessage:
    language = language_of(language)
    subject = render_email(template, language, context).subject
    return _add(
        OutboxMessage(
            channel=Channel.SMS.value,
            recipient=recipient,
            template=template,
            subject=subject,
            body_text=render_sms(template, language, context, subject),
            context=plain_context(context) or None,
            language=language,
            dedup_key=dedup_key,
        )
    )


def queue_for(contact: Contact, *, template: str, dedup_key: str, **context) -> list[OutboxMessage]:
    """Queue the message on each channel the person chose (see Contact.channels)."""
    messages = []
    for channel in contact.channels():
        if channel is Channel.EMAIL:
            messages.append(
                queue_email(recipient=contact.email, template=template, language=contact.language,
                            dedup_key=dedup_key, **context)
            )
        else:
            messages.append(
                queue_sms(recipient=contact.phone, template=template, language=contact.language,
                          dedup_key=f"{dedup_key}:sms", **context)
            )
    return messages


def _add(message: OutboxMessage) -> OutboxMessage:
    if message.dedup_key:
        existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == message.dedup_key))
        if existing is not None:
            return existing
        try:
            # Another process may queue the same event at the same moment: the unique key decides.
            with db.session.begin_nested():
                db.session.add(message)
                db.session.flush()
        except IntegrityError:
            return db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == message.dedup_key))
    else:
        db.session.add(message)
        db.session.flush()
    db.session.info[_QUEUED] = True
    db.session.info[OUTBOX_ADDED] = db.session.info.get(OUTBOX_ADDED, 0) + 1
    return message


def is_queued(dedup_key: str) -> bool:
    """Whether the event was already queued, on any channel (see queue_for)."""
    keys = (dedup_key, f"{dedup_key}:sms")
    return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key.in_(keys)).limit(1)) is not None


# Delivery ----------------------------------------------------------------------------------


def _claim(limit: int, now: datetime) -> list[int]:
    """Take up to `limit` due messages for this process, in a transaction of its own.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so parallel deliverers take different rows.
    SQLite: BEGIN IMMEDIATE (the write lock) serialises the claims.
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    else:
        # A read first, without the write lock: most minutes there is nothing to send, and
        # then delivery never waits on (or holds up) a writer.
        with Session(db.engine) as session:
            if session.scalar(query.with_only_columns(OutboxMessage.id).limit(1)) is None:
                return []
    with Session(db.engine) as session, session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        claimed = session.scalars(query).all()
        for message in claimed:
            message.attempts += 1
            message.next_attempt_at = now + CLAIM_LEASE
        return [message.id for message in claimed]


def _send_one(message_id: int) -> bool:
    with Session(db.engine) as session:
        message = session.get(OutboxMessage, message_id)
        session.expunge(message)
    try:
        result = backend_for(message.channel).send(message)
    except Exception as exc:  # a backend failure must not lose the message
        _mark_failed_attempt(message_id, exc)
        return False
    with Session(db.engine) as session, session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        stored = session.get(OutboxMessage, message_id)
        stored.status = OutboxStatus.SENT
        stored.sent_at = utcnow()
        stored.provider_message_id = result.provider_message_id
        stored.delivery_status = result.delivery_status
        stored.last_error = None
    return True


def _mark_failed_attempt(message_id: int, exc: Exception) -> None:
    with Session(db.engine) as session, session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        stored = session.get(OutboxMessage, message_id)
        stored.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if stored.attempts >= MAX_ATTEMPTS:
            stored.status = OutboxStatus.FAILED
            log.warning("outbox message %s failed for good after %s attempts", message_id, stored.attempts)
        else:
            stored.next_attempt_at = utcnow() + BACKOFF[stored.attempts - 1]
            log.info("outbox message %s not sent (attempt %s): %s", message_id, stored.attempts, type(exc).__name__)


def deliver_pending(limit: int = 100) -> int:
    """Send the committed messages that are due; safe to run from several processes at once.

    It works in sessions of its own, so it only ever sees committed messages, whatever the
    caller's session holds. Returns how many left.
    """
    sent = 0
    while True:
        claimed = _claim(limit, utcnow())
        for message_id in claimed:
            sent += _send_one(message_id)
        if len(claimed) < limit:
            return sent


def retry(message: OutboxMessage) -> None:
    """An admin's retry of a failed message: due now, with a fresh set of attempts."""
    if message.status is not OutboxStatus.FAILED:
        return
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.flush()
    db.session.info[_QUEUED] = True


def failed_messages(limit: int = 200) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def purge_before(cutoff: datetime) -> int:
    """Delete sent and failed messages created before cutoff (their own retention)."""
    result = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)), OutboxMessage.created_at < cutoff
        )
    )
    return result.rowcount or 0


# After the response ------------------------------------------------------------------------


def deliver_after_response(response):
    """after_request hook: what this request committed leaves once the response has gone.

    The request itself never talks to a mail server or an SMS provider, so its duration does
    not depend on whether it queued a message ("forgot password" for a known address or not).
    """
    if db.session.info.pop(_COMMITTED, False):
        app = current_app._get_current_object()
        response.call_on_close(lambda: _deliver_in_app(app))
    return response


def _deliver_in_app(app) -> None:
    with app.app_context():
        try:
            deliver_pending()
        except Exception:  # the scheduler's delivery job retries; the action already succeeded
            log.exception("outbox delivery after the response failed")


def deliver_if_committed() -> None:
    """Send what the current session committed (CLI commands, after their commit)."""
    if db.session.info.pop(_COMMITTED, False):
        db.session.rollback()
        try:
            deliver_pending()
        except Exception:
            log.exception("outbox delivery failed after commit")


@event.listens_for(Session, "after_commit")
def _mark_committed(session: Session) -> None:
    if session.info.pop(_QUEUED, False):
        session.info[_COMMITTED] = True


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_QUEUED, None)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a message, always on PUBLIC_BASE_URL.

    Never on the request's Host or X-Forwarded-Host: a forged header would otherwise put a
    genuine token behind someone else's address (an account takeover through a reset link).
    """
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme, script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)
