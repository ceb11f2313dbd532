from __future__ import annotations

from collections.abc import Iterable

from flask import has_request_context, request
from flask_login import current_user

from mobility.audit.models import AuditAction, AuditEvent
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
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor.id if actor is not None else None,
        fields=",".join(sorted(fields))[:500] or None,
        ip_address=request.remote_addr if has_request_context() else None,
        route=request.endpoint if has_request_context() else "cli",
    )
    db.session.add(event)
    return event
