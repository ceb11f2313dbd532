"""How many vehicles are free: the one place that decides, for every page and the API.

A vehicle is free on [starts_at, ends_at) when it is in service, at an active site, and no
period that holds it meets that interval. Periods are half-open: one ending at 10:00 and
another starting at 10:00 do not meet. Today the holding periods are the unavailability
periods and the bookings that hold a vehicle (see `busy_vehicle_ids`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select

from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.fleet.models import Site, Unavailability, Vehicle, VehicleCategory, VehicleStatus
from mobility.territory.models import EmploymentBasin

# Days are French days: a rental "from the 3rd to the 5th" runs from midnight to midnight here.
LOCAL_TZ = ZoneInfo("Europe/Paris")


def local_midnight(day: date) -> datetime:
    """The start of that day in France, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def days_to_period(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The half-open period covering whole days first_day..last_day (inclusive), in France."""
    return local_midnight(first_day), local_midnight(last_day + timedelta(days=1))


def _check_period(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("naive datetime given to an availability query")
    if ends_at <= starts_at:
        raise ValueError("a period must end after it starts")


def local_day_of_last_moment(ends_at: datetime) -> date:
    """The French day of the last moment of a half-open period (a period ending at midnight
    ends on the day before)."""
    return (ends_at - timedelta(microseconds=1)).astimezone(LOCAL_TZ).date()


def papers_valid_until(last_day: date) -> tuple:
    """Conditions: insurance and contrôle technique still valid on the period's last day."""
    return (
        or_(Vehicle.insurance_expires_on.is_(None), Vehicle.insurance_expires_on >= last_day),
        or_(Vehicle.technical_inspection_due_on.is_(None), Vehicle.technical_inspection_due_on >= last_day),
    )


def busy_vehicle_ids(starts_at: datetime, ends_at: datetime) -> Select:
    """Ids of the vehicles held during [starts_at, ends_at): an unavailability or a booking.

    Both tables are searched from their end time (indexed), which only reaches the periods
    still running or to come: the past, which is most of the data, is never read.
    """
    # Imported here: bookings build on the fleet, not the other way round.
    from mobility.booking.models import HOLDING_STATUSES, Booking, BookingStatus

    unavailable = select(Unavailability.vehicle_id).where(
        Unavailability.ends_at > starts_at, Unavailability.starts_at < ends_at
    )
    booked = select(Booking.vehicle_id).where(
        Booking.ends_at > starts_at,
        Booking.starts_at < ends_at,
        Booking.status.in_(HOLDING_STATUSES),
    )
    # A vehicle not yet back from an overdue rental is offered to nobody until it is returned.
    not_back = select(Booking.vehicle_id).where(
        Booking.status == BookingStatus.IN_PROGRESS, Booking.ends_at <= utcnow()
    )
    return unavailable.union_all(booked, not_back)


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
