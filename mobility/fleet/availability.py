"""How many vehicles are free: the one place that decides, for every page and the API.

A vehicle is free on [starts_at, ends_at) when it is in service, at an active site, and no
period that holds it meets that interval. Periods are half-open: one ending at 10:00 and
another starting at 10:00 do not meet. Today the holding periods are the unavailability
periods and the bookings that hold a vehicle (see `busy_vehicle_ids`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, or_, select

from mobility.core.time import PARIS, day_span, local_midnight, utcnow
from mobility.extensions import db
from mobility.fleet.models import Site, Unavailability, Vehicle, VehicleCategory, VehicleStatus
from mobility.fleet.ports import plugged
from mobility.territory.models import EmploymentBasin

__all__ = ["local_midnight", "days_to_period", "busy_vehicle_ids", "count_free_vehicles"]


def days_to_period(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The half-open period covering whole days first_day..last_day (inclusive), in France."""
    return day_span(first_day, last_day)


def _check_period(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("naive datetime given to an availability query")
    if ends_at <= starts_at:
        raise ValueError("a period must end after it starts")


def local_day_of_last_moment(ends_at: datetime) -> date:
    """The French day of the last moment of a half-open period (a period ending at midnight
    ends on the day before)."""
    return (ends_at - timedelta(microseconds=1)).astimezone(PARIS).date()


def papers_valid_until(last_day: date) -> tuple:
    """Conditions: insurance and contrôle technique still valid on the period's last day."""
    return (
        or_(Vehicle.insurance_expires_on.is_(None), Vehicle.insurance_expires_on >= last_day),
        or_(Vehicle.technical_inspection_due_on.is_(None), Vehicle.technical_inspection_due_on >= last_day),
    )


def busy_vehicle_ids(starts_at: datetime, ends_at: datetime) -> Select:
    """Ids of the vehicles held during [starts_at, ends_at): an unavailability, or a period of
    a holding source plugged in by create_app (the bookings that hold a vehicle, and the
    rentals overdue, offered to nobody until the vehicle is back).

    Every table is searched from its end time (indexed), which only reaches the periods still
    running or to come: the past, which is most of the data, is never read.
    """
    unavailable = select(Unavailability.vehicle_id).where(
        Unavailability.ends_at > starts_at, Unavailability.starts_at < ends_at
    )
    now = utcnow()
    held = [select_ for source in plugged().holding_periods for select_ in source.held_vehicle_ids(starts_at, ends_at, now)]
    return unavailable.union_all(*held) if held else unavailable


def count_free_vehicles(
    basin_id: int, category: VehicleCategory, starts_at: datetime, ends_at: datetime
) -> int:
    """Vehicles of this category, in service at an active site of the basin, free all along."""
    _check_period(starts_at, ends_at)
    return db.session.scalar(
        select(func.count(Vehicle.id))
        .join(Site, Site.id == Vehicle.site_id)
        .where(
            Site.basin_id == basin_id,
            Site.active.is_(True),
            Vehicle.category == category,
            Vehicle.status == VehicleStatus.ACTIVE,
            Vehicle.id.not_in(busy_vehicle_ids(starts_at, ends_at)),
            *papers_valid_until(local_day_of_last_moment(ends_at)),
        )
    )


@dataclass(frozen=True)
class BasinAvailability:
    basin: EmploymentBasin
    free: int


def free_vehicles_by_basin(
    category: VehicleCategory,
    starts_at: datetime,
    ends_at: datetime,
    basins: list[EmploymentBasin] | None = None,
) -> list[BasinAvailability]:
    basins = basins if basins is not None else EmploymentBasin.all_ordered()
    return [
        BasinAvailability(basin, count_free_vehicles(basin.id, category, starts_at, ends_at))
        for basin in basins
    ]
