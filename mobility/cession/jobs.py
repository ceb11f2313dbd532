"""Scheduled work of cessions (mobility/scheduler.py says when)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select

from mobility.auth.models import Role, User
from mobility.cession.services import late_paperwork
from mobility.core.time import local
from mobility.extensions import db
from mobility.fleet.jobs import vehicle_deadlines
from mobility.notify.contacts import Contact
from mobility.notify.digests import DigestContributor
from mobility.notify.models import ContactChoice
from mobility.notify.services import external_url, is_queued, queue_for


def deadlines_digest(now: datetime, wet: bool = True, contributors: Sequence[DigestContributor] = ()) -> dict:
    """One daily digest per person, never one message per vehicle: association staff get their
    vehicles' insurance and contrôle technique due within 30 days or past, and the paperwork
    late or to redo of their association's cessions; admins get every cession's late paperwork.
    `contributors` add their own sections (the fines to designate: see mobility/scheduler.py)."""
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
        sections = [section for contribute in contributors if (section := contribute(user, today)) is not None]
        if not items and not paperwork and not sections:
            continue
        queue_for(
            Contact(email=user.email, language=user.locale, choice=ContactChoice.EMAIL),
            template="deadlines_digest",
            dedup_key=key,
            items=items,
            paperwork=paperwork,
            sections=sections,
            count=len(items) + sum(len(entry.items) for entry in paperwork) + sum(s.count for s in sections),
            link=external_url("fleet.vehicles") if items else (
                external_url("cession.index") if paperwork else sections[0].link
            ),
        )
        sent += 1
    return {"rows": sent}
