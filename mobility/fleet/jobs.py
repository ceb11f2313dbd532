"""Scheduled work of the fleet (mobility/scheduler.py says when)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import or_, select

from mobility.extensions import db
from mobility.fleet.models import Vehicle, VehicleStatus
from mobility.fleet.rules import ALERT_WINDOW_DAYS


def vehicle_deadlines(today: date) -> dict[int, list[tuple[Vehicle, object]]]:
    """Insurance and contrôle technique due within 30 days or past, by association (the
    deadlines digest, cession/jobs.py, adds the cessions' paperwork and sends it)."""
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
    return by_association
