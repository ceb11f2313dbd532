"""Scheduled work of the access log: rows past AUDIT_RETENTION_DAYS are purged.

audit_event refuses UPDATE and DELETE by trigger. The purge writes its cutoff in audit_purge
first; the triggers then allow a DELETE of rows older than that recorded cutoff, and only
those (migration 20261201_2340). Nothing else can delete, and every purge leaves its trace.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from mobility.audit.models import AuditEvent, AuditPurge
from mobility.extensions import db


def purge_access_log(now: datetime, wet: bool = True) -> dict:
    cutoff = now - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"])
    purge = AuditPurge(cutoff=cutoff, purged_at=now)
    db.session.add(purge)
    db.session.flush()
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.occurred_at < cutoff))
    purge.rows_purged = result.rowcount or 0
    return {"rows": purge.rows_purged}
