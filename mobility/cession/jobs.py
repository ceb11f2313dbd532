"""Scheduled work of cessions (mobility/scheduler.py says when)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from mobility.auth.models import Role, User
from mobility.cession.services import late_paperwork
from mobility.core.time import local
from mobility.extensions import db
from mobility.fleet.jobs import vehicle_deadlines
from mobility.incidents.services import claims_due
from mobility.notify.contacts import Contact
from mobility.notify.models import ContactChoice
from mobility.notify.services import external_url, is_queued, queue_for


def deadlines_digest(now: datetime, wet: bool = True) -> dict:
    """One daily digest per person, never one message per vehicle: association staff get their
    vehicles' insurance and contrôle technique due within 30 days or past, the insurance claims
    to declare within two working days or late, and the paperwork late or to redo of their
    association's cessions; admins get every cession's late paperwork."""
    today = local(now).date()
    vehicles = vehicle_deadlines(today)
    people = db.session.scalars(
        select(User)
        .where(User.active.is_(True), or_(User.role == Role.FLEET, User.role == Role.ADMIN))
        .order_by(User.id)
    ).all()
    sent = 0
    for user in people:
        key = f"digest:deadlines:{user.id}:{today.isoformat()}"
        if is_queued(key):
            continue
        items = vehicles.get(user.organisation_id, []) if user.role == Role.FLEET else []
        paperwork = late_paperwork(user, today)
        claims = claims_due(user.organisation_id, today) if user.role == Role.FLEET else []
        if not items and not paperwork and not claims:
            continue
        queue_for(
            Contact(email=user.email, language=user.locale, choice=ContactChoice.EMAIL),
            template="deadlines_digest",
            dedup_key=key,
            items=items,
            paperwork=paperwork,
            claims=claims,
            claims_link=external_url("incidents.index"),
            count=len(items) + len(claims) + sum(len(entry.items) for entry in paperwork),
            link=external_url("fleet.vehicles") if items else external_url("cession.index"),
        )
        sent += 1
    return {"rows": sent}
