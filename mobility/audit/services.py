from __future__ import annotations

from collections.abc import Iterable

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from mobility.audit.models import AuditAction, AuditEvent
from mobility.core.time import utcnow
from mobility.extensions import db


def record(
    action: AuditAction,
    object_type: str,
    object_id: int,
    *,
    actor=None,
    fields: Iterable[str] = (),
) -> AuditEvent:
    """Add an audit row to the current transaction (it commits with the change it records)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(**_row(action, object_type, object_id, actor, fields))
    db.session.add(event)
    return event


def _row(action: AuditAction, object_type: str, object_id: int, actor, fields: Iterable[str] = ()) -> dict:
    return {
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "actor_id": actor.id if actor is not None else None,
        "fields": ",".join(sorted(fields))[:500] or None,
        "ip_address": request.remote_addr if has_request_context() else None,
        "route": request.endpoint if has_request_context() else "cli",
    }


def record_reads(object_type: str, object_ids: Iterable[int], *, actor) -> None:
    """One `read` row per object of a page, written in one statement (a list reads many files)."""
    rows = [{**_row(AuditAction.READ, object_type, object_id, actor), "occurred_at": utcnow()} for object_id in object_ids]
    if rows:
        db.session.execute(insert(AuditEvent), rows)
