"""The plan's figures on incidents, by aggregation in the database: incidents per 1,000
rental-days and days off the road for repairs, per association (an organisation, never a
person: nothing here names or identifies anyone, like every figure of the plan).

Which day counts: an incident belongs to the French day it happened; rental-days are those of
the rentals (in progress or returned) starting in the period, as in `indicators.rentals`; days
off the road are the French days of the incidents' unavailabilities, clipped to the period.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from mobility.auth.models import Organisation
from mobility.booking.models import Booking, BookingStatus
from mobility.core.time import day_span
from mobility.extensions import db
from mobility.fleet.models import Unavailability
from mobility.incidents.models import Incident
from mobility.reporting.dimensions import Filters
from mobility.reporting.sql import greatest, least, paris_day

RENTAL_STATUSES = (BookingStatus.IN_PROGRESS, BookingStatus.RETURNED)


@dataclass(frozen=True)
class IncidentFigures:
    association: str
    rental_days: int
    incidents: int
    days_off_road: int

    @property
    def per_thousand_rental_days(self) -> float | None:
        if not self.rental_days:
            return None
        return round(1000 * self.incidents / self.rental_days, 1)


def incident_figures(filters: Filters) -> list[IncidentFigures]:
    """One row per association that rented, had an incident or a vehicle off the road in the
    period, then the total (association "")."""
    starts, ends = day_span(filters.date_from, filters.date_to)
    rental_days = (
        select(Booking.association_id.label("association_id"), func.sum(Booking.days).label("days"))
        .where(Booking.status.in_(RENTAL_STATUSES), Booking.starts_at >= starts, Booking.starts_at < ends)
        .group_by(Booking.association_id)
        .subquery("rental_days")
    )
    counted = (
        select(Incident.association_id.label("association_id"), func.count(Incident.id).label("incidents"))
        .where(Incident.occurred_at >= starts, Incident.occurred_at < ends)
        .group_by(Incident.association_id)
        .subquery("counted")
    )
    clipped = (
        least(paris_day(Unavailability.ends_at, minus_second=True), filters.last_day)
        - greatest(paris_day(Unavailability.starts_at), filters.first_day)
        + 1
    )
    off_road = (
        select(
            Incident.association_id.label("association_id"),
            func.sum(case((clipped > 0, clipped), else_=0)).label("days"),
        )
        .join(Unavailability, Unavailability.id == Incident.unavailability_id)
        .where(Unavailability.starts_at < ends, Unavailability.ends_at > starts)
        .group_by(Incident.association_id)
        .subquery("off_road")
    )
    statement = (
        select(
            Organisation.name,
            func.coalesce(rental_days.c.days, 0),
            func.coalesce(counted.c.incidents, 0),
            func.coalesce(off_road.c.days, 0),
        )
        .select_from(Organisation)
        .outerjoin(rental_days, rental_days.c.association_id == Organisation.id)
        .outerjoin(counted, counted.c.association_id == Organisation.id)
        .outerjoin(off_road, off_road.c.association_id == Organisation.id)
        .where(
            func.coalesce(rental_days.c.days, 0) + func.coalesce(counted.c.incidents, 0)
            + func.coalesce(off_road.c.days, 0) > 0
        )
        .order_by(Organisation.name)
    )
    if filters.association_id is not None:
        statement = statement.where(Organisation.id == filters.association_id)
    rows = [IncidentFigures(name, int(days), int(count), int(off)) for name, days, count, off in db.session.execute(statement)]
    if rows:
        rows.append(
            IncidentFigures(
                "",
                sum(row.rental_days for row in rows),
                sum(row.incidents for row in rows),
                sum(row.days_off_road for row in rows),
            )
        )
    return rows
