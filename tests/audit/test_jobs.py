"""Access-log rows go after AUDIT_RETENTION_DAYS, only through the purge; the log stays append-only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError

from mobility.audit.jobs import purge_access_log
from mobility.audit.models import AuditAction, AuditEvent, AuditPurge
from mobility.extensions import db
from mobility.notify.jobs import purge_outbox
from mobility.notify.models import OutboxMessage, OutboxStatus
from mobility.notify.services import queue_email
from tests.factories import UserFactory

NOW = datetime(2026, 12, 1, 3, 10, tzinfo=timezone.utc)


def _event(days_ago: int) -> int:
    event = AuditEvent(action=AuditAction.READ, object_type="beneficiary", object_id=1,
                       occurred_at=NOW - timedelta(days=days_ago))
    db.session.add(event)
    db.session.commit()
    return event.id


def test_the_purge_removes_only_rows_past_retention_and_leaves_a_trace(app):
    old, kept = _event(400), _event(10)
    assert purge_access_log(NOW) == {"rows": 1}
    db.session.commit()
    assert db.session.scalars(select(AuditEvent.id)).all() == [kept]
    purge = db.session.scalar(select(AuditPurge))
    assert purge.rows_purged == 1 and purge.cutoff == NOW - timedelta(days=365)
    assert old != kept


def test_the_access_log_still_refuses_updates_and_deletes_of_recent_rows(app):
    _event(400)
    recent = _event(10)
    purge_access_log(NOW)
    db.session.commit()
    for statement in (
        update(AuditEvent).where(AuditEvent.id == recent).values(fields="x"),
        delete(AuditEvent).where(AuditEvent.id == recent),
        update(AuditPurge).values(rows_purged=0),
        delete(AuditPurge),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_without_a_recorded_purge_nothing_can_be_deleted(app):
    old = _event(400)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == old))
    db.session.rollback()


def test_sent_and_failed_messages_are_purged_after_their_retention_pending_ones_stay(app, time_machine):
    time_machine.move_to(NOW - timedelta(days=100), tick=False)
    user = UserFactory()
    statuses = [OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.PENDING]
    for status in statuses:
        message = queue_email(recipient=user.email, template="password_reset", user=user, link="http://x/",
                              minutes=60)
        message.status = status
        message.sent_at = NOW - timedelta(days=100) if status is OutboxStatus.SENT else None
    time_machine.move_to(NOW, tick=False)
    queue_email(recipient=user.email, template="password_reset", user=user, link="http://x/", minutes=60)
    db.session.commit()
    assert purge_outbox(NOW) == {"rows": 2}
    db.session.commit()
    assert sorted(s.value for s in db.session.scalars(select(OutboxMessage.status))) == ["pending", "pending"]
