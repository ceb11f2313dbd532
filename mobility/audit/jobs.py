"""Scheduled work of the access log: rows past AUDIT_RETENTION_DAYS are purged.

audit_event refuses UPDATE and DELETE by trigger. The purge writes its cutoff in audit_purge
first; the triggers then allow a DELETE of rows older than that recorded cutoff, and only
those (migration 20261201_2340). Nothing else can delete, and every purge leaves its trace.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from mobility.audit.models import AuditEvent, AuditPurge
from mobility.extensions import db


def purge_access_log(now: datetime, wet: bool = True) -> dict:
    cutoff = now - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"])
    old = AuditEvent.occurred_at < cutoff
    count = db.session.scalar(select(func.count()).select_from(AuditEvent).where(old))
    if not count:
        return {"rows": 0}
    # The purge row first (it is append-only too, so written once with its count): the
    # triggers read its cutoff to let exactly these deletes through.
    db.session.add(AuditPurge(cutoff=cutoff, purged_at=now, rows_purged=count))
    db.session.flush()
    result = db.session.execute(delete(AuditEvent).where(old))
    return {"rows": result.rowcount or 0}
