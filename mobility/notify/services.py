"""Queue messages in the outbox; deliver them once the transaction that made them commits."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.notify.backends import current_backend
from mobility.notify.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
_QUEUED = "outbox_queued"
_COMMITTED = "outbox_committed"


def queue_email(
    *,
    recipient: str,
    template: str,
    language: str | None = None,
    dedup_key: str | None = None,
    **context,
) -> OutboxMessage:
    """Render templates/notify/emails/<template>.txt in the recipient's language and queue it.

    The template's first line is the subject. Nothing leaves before the caller commits.
    """
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        rendered = render_template(f"notify/emails/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    message = OutboxMessage(
        recipient=recipient,
        template=template,
        subject=subject.strip()[:200],
        body_text=body.strip() + "\n",
        dedup_key=dedup_key,
    )
    db.session.add(message)
    db.session.flush()
    db.session.info[_QUEUED] = True
    return message


def deliver_pending(limit: int = 100) -> int:
    """Send committed pending messages; safe to run from several processes at once.

    It works in a session of its own, so it can only ever see committed messages, whatever
    the caller's session holds.
    """
    backend = current_backend()
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    sent = 0
    with Session(db.engine) as session, session.begin():
        for message in session.scalars(query).all():
            message.attempts += 1
            try:
                backend.send(message, sender)
            except Exception as exc:  # a backend failure must not lose the message
                log.warning("outbox message %s not sent: %s", message.id, type(exc).__name__)
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = OutboxStatus.FAILED
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = utcnow()
                sent += 1
    return sent


def deliver_if_committed() -> None:
    """Called at the end of a request: send what the request committed."""
    if db.session.info.pop(_COMMITTED, False):
        # The response is built: end any read the view made after its commit, so that
        # this request holds no lock while the outbox is worked through (SQLite).
        db.session.rollback()
        try:
            deliver_pending()
        except Exception:  # the scheduler retries; the user's action already succeeded
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
