"""Scheduled work of the fleet (mobility/scheduler.py says when)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from mobility.auth.models import Role, User
from mobility.core.time import local
from mobility.extensions import db
from mobility.fleet.models import Vehicle, VehicleStatus
from mobility.fleet.rules import ALERT_WINDOW_DAYS
from mobility.notify.contacts import Contact
from mobility.notify.models import ContactChoice
from mobility.notify.services import external_url, is_queued, queue_for


def deadlines_digest(now: datetime, wet: bool = True) -> dict:
    """Insurance and contrôle technique due within 30 days or past: one daily digest per
    member of the association's staff, never one message per vehicle."""
    today = local(now).date()
    limit = today + timedelta(days=ALERT_WINDOW_DAYS)
    vehicles = db.session.scalars(
        select(Vehicle)
        .where(
            Vehicle.status != VehicleStatus.RETIRED,
            or_(Vehicle.insurance_expires_on <= limit, Vehicle.technical_inspection_due_on <= limit),
        )
        .order_by(Vehicle.association_id, Vehicle.plate)
    ).all()
    by_association: dict[int, list[tuple[Vehicle, object]]] = defaultdict(list)
    for vehicle in vehicles:
        for alert in vehicle.alerts(today):
            by_association[vehicle.association_id].append((vehicle, alert))
    if not by_association:
        return {"rows": 0}
    staff = db.session.scalars(
        select(User).where(
            User.organisation_id.in_(by_association), User.role == Role.FLEET, User.active.is_(True)
        )
    ).all()
    sent = 0
    for user in staff:
        key = f"digest:deadlines:{user.id}:{today.isoformat()}"
        if is_queued(key):
            continue
        items = by_association[user.organisation_id]
        queue_for(
            Contact(email=user.email, language=user.locale, choice=ContactChoice.EMAIL),
            template="deadlines_digest",
            dedup_key=key,
            items=items,
            count=len(items),
            link=external_url("fleet.vehicles"),
        )
        sent += 1
    return {"rows": sent}

