"""Scheduled work of the outbox (mobility/scheduler.py says when)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from mobility.notify import services


def deliver_outbox(now: datetime, wet: bool = True) -> dict:
    """Every minute: send what is due (new messages, retries past their backoff)."""
    return {"rows": services.deliver_pending() if wet else 0}


def purge_outbox(now: datetime, wet: bool = True) -> dict:
    """Sent and failed messages go after OUTBOX_RETENTION_DAYS (they hold addresses)."""
    cutoff = now - timedelta(days=current_app.config["OUTBOX_RETENTION_DAYS"])
    return {"rows": services.purge_before(cutoff)}
