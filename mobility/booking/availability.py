"""The one definition of a free vehicle, for the booking pages, the API and the fleet.

A vehicle is free on [starts_at, ends_at) when it is in service at an active site, its
insurance and contrôle technique still hold on the last day, nothing holds it during the
period (an unavailability or a booking in a holding status) and it is not still out on an
overdue rental. `free_vehicles_query` says it in SQL; `Snapshot` says it in memory for many
periods at once (the nearest free dates), built from the same conditions; a test on generated
data checks that both always agree.

What holds a vehicle is the time it is really held, `held_during`: a holding booking from
`held_from` (its start, or the handover when it left earlier) to `held_until` (its end), and a
rental still out past its end holds it until it is back. The planning board draws the same
columns (booking.planning).

`BookingHoldings` is this floor's implementation of the fleet's `HoldingPeriods` port, plugged
in by create_app, so that the fleet's own free-vehicle count sees bookings too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, exists, or_, select

from mobility.booking.models import HOLDING_STATUSES, Booking, BookingStatus
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.fleet.availability import busy_vehicle_ids, local_day_of_last_moment, papers_valid_until
from mobility.fleet.models import Site, Unavailability, Vehicle, VehicleCategory, VehicleStatus
from mobility.fleet.opening_hours import Schedule, closed_message, open_at_condition, schedules_for


def held_during(starts_at: datetime, ends_at: datetime):
    """SQL condition: the booking holds its vehicle at some moment of [starts_at, ends_at)."""
    return (
        Booking.status.in_(HOLDING_STATUSES),
        Booking.held_until > starts_at,
        Booking.held_from < ends_at,
    )


def out_overdue(now: datetime):
    """SQL condition: a rental still out past its end (held until it is back, whatever the period)."""
    return (Booking.status == BookingStatus.IN_PROGRESS, Booking.held_until <= now)


def holding_bookings(vehicle_id: int, starts_at: datetime, ends_at: datetime, now: datetime | None = None,
                     ignoring: Booking | None = None) -> list[Booking]:
    """The bookings that hold the vehicle during the period (or are out past their end), in order."""
    now = now or utcnow()
    query = select(Booking).where(
        Booking.vehicle_id == vehicle_id,
        or_(and_(*held_during(starts_at, ends_at)), and_(*out_overdue(now), Booking.held_from < ends_at)),
    )
    if ignoring is not None:
        query = query.where(Booking.id != ignoring.id)
    return list(db.session.scalars(query.order_by(Booking.held_from, Booking.id)))


def unavailabilities_during(vehicle_id: int, starts_at: datetime, ends_at: datetime) -> list[Unavailability]:
    return list(
        db.session.scalars(
            select(Unavailability)
            .where(
                Unavailability.vehicle_id == vehicle_id,
                Unavailability.starts_at < ends_at,
                Unavailability.ends_at > starts_at,
            )
            .order_by(Unavailability.starts_at)
        )
    )


class BookingHoldings:
    """Bookings that hold a vehicle, and overdue rentals, as the fleet's holding periods."""

    def held_vehicle_ids(self, starts_at: datetime, ends_at: datetime, now: datetime) -> tuple[Select, ...]:
        booked = select(Booking.vehicle_id).where(*held_during(starts_at, ends_at))
        # A vehicle not yet back from an overdue rental is offered to nobody until it is returned.
        not_back = select(Booking.vehicle_id).where(*out_overdue(now))
        return booked, not_back

    def holding_references(self, vehicle_id: int, starts_at: datetime, ends_at: datetime) -> list[str]:
        return [booking.reference for booking in holding_bookings(vehicle_id, starts_at, ends_at)]


def vehicle_is_out_overdue(vehicle: Vehicle, now: datetime | None = None) -> bool:
    """Still out on a rental whose return time has passed: offered to nobody until it is back."""
    now = now or utcnow()
    return bool(
        db.session.scalar(
            select(
                exists().where(Booking.vehicle_id == vehicle.id, *out_overdue(now))
            )
        )
    )


def in_service_conditions(category: VehicleCategory) -> tuple:
    """The part of the definition that does not depend on the period."""
    return (
        Site.active.is_(True),
        Vehicle.category == category,
        Vehicle.status == VehicleStatus.ACTIVE,
    )


def free_vehicles_query(
    category: VehicleCategory,
    starts_at: datetime,
    ends_at: datetime,
    basin_id: int | None = None,
    near_commune: str | None = None,
):
    """Vehicles in service at an active site, free all along [starts_at, ends_at), nearest first.

    "Nearest" is a site in the person's own commune, then the rest of the basin by site name:
    the commune table holds no coordinates.
    """
    query = (
        select(Vehicle)
        .join(Site, Site.id == Vehicle.site_id)
        .where(
            *in_service_conditions(category),
            Vehicle.id.not_in(busy_vehicle_ids(starts_at, ends_at)),
            # Never hand over a car whose insurance or contrôle technique lapses during the rental.
            *papers_valid_until(local_day_of_last_moment(ends_at)),
            # The site is open at the pickup and at the return (fleet.opening_hours).
            open_at_condition(Site.id, starts_at),
            open_at_condition(Site.id, ends_at),
        )
    )
    if basin_id is not None:
        query = query.where(Site.basin_id == basin_id)
    order = []
    if near_commune:
        order.append(case((Site.commune_insee == near_commune, 0), else_=1))
    return query.order_by(*order, Site.name, Vehicle.id)


def free_vehicles(
    category: VehicleCategory,
    starts_at: datetime,
    ends_at: datetime,
    basin_id: int | None = None,
    near_commune: str | None = None,
    limit: int | None = None,
) -> list[Vehicle]:
    query = free_vehicles_query(category, starts_at, ends_at, basin_id, near_commune)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def is_free(
    vehicle: Vehicle,
    starts_at: datetime,
    ends_at: datetime,
    ignoring: Booking | None = None,
    now: datetime | None = None,
) -> bool:
    """No unavailability and no other holding booking meets the period, and the vehicle is not
    out past the end of a rental."""
    now = now or utcnow()
    booking_clash = select(Booking.id).where(
        Booking.vehicle_id == vehicle.id,
        or_(and_(*held_during(starts_at, ends_at)), and_(*out_overdue(now))),
    )
    if ignoring is not None:
        booking_clash = booking_clash.where(Booking.id != ignoring.id)
    unavailable = select(Unavailability.id).where(
        Unavailability.vehicle_id == vehicle.id,
        Unavailability.starts_at < ends_at,
        Unavailability.ends_at > starts_at,
    )
    return not db.session.scalar(select(or_(exists(booking_clash), exists(unavailable))))


# The same definition in memory ---------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    id: int
    insurance_expires_on: date | None
    technical_inspection_due_on: date | None
    site_id: int | None = None

    def papers_valid_until(self, last_day: date) -> bool:
        return (self.insurance_expires_on is None or self.insurance_expires_on >= last_day) and (
            self.technical_inspection_due_on is None or self.technical_inspection_due_on >= last_day
        )


@dataclass
class Snapshot:
    """The in-service vehicles of a category (and basin) with their holding periods inside a
    window, read once: `free_ids` then answers for any period inside the window in memory."""

    candidates: list[Candidate]
    held: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    not_back: set[int] = field(default_factory=set)
    schedules: dict[int, Schedule] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        category: VehicleCategory,
        window_start: datetime,
        window_end: datetime,
        basin_id: int | None = None,
        now: datetime | None = None,
    ) -> Snapshot:
        query = (
            select(Vehicle.id, Vehicle.insurance_expires_on, Vehicle.technical_inspection_due_on, Vehicle.site_id)
            .join(Site, Site.id == Vehicle.site_id)
            .where(*in_service_conditions(category))
        )
        if basin_id is not None:
            query = query.where(Site.basin_id == basin_id)
        candidates = [Candidate(*row) for row in db.session.execute(query)]
        if not candidates:
            return cls(candidates)
        ids = [candidate.id for candidate in candidates]
        held: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for vehicle_id, starts_at, ends_at in db.session.execute(
            select(Unavailability.vehicle_id, Unavailability.starts_at, Unavailability.ends_at)
            .where(
                Unavailability.vehicle_id.in_(ids),
                Unavailability.ends_at > window_start,
                Unavailability.starts_at < window_end,
            )
            .union_all(
                select(Booking.vehicle_id, Booking.held_from, Booking.held_until).where(
                    Booking.vehicle_id.in_(ids), *held_during(window_start, window_end)
                )
            )
        ):
            held[vehicle_id].append((starts_at, ends_at))
        now = now or utcnow()
        not_back = set(
            db.session.scalars(
                select(Booking.vehicle_id).where(Booking.vehicle_id.in_(ids), *out_overdue(now))
            )
        )
        schedules = schedules_for({candidate.site_id for candidate in candidates}, local_day_of_last_moment(window_start))
        return cls(candidates, dict(held), not_back, schedules)

    def is_free(self, candidate: Candidate, starts_at: datetime, ends_at: datetime) -> bool:
        return (
            candidate.id not in self.not_back
            and candidate.papers_valid_until(local_day_of_last_moment(ends_at))
            and self._site_open(candidate, starts_at)
            and self._site_open(candidate, ends_at)
            and all(not (start < ends_at and end > starts_at) for start, end in self.held.get(candidate.id, ()))
        )

    def _site_open(self, candidate: Candidate, moment: datetime) -> bool:
        schedule = self.schedules.get(candidate.site_id)
        return schedule is None or schedule.is_open_at(moment)

    def free_ids(self, starts_at: datetime, ends_at: datetime) -> set[int]:
        return {candidate.id for candidate in self.candidates if self.is_free(candidate, starts_at, ends_at)}

    def any_free(self, starts_at: datetime, ends_at: datetime) -> bool:
        return any(self.is_free(candidate, starts_at, ends_at) for candidate in self.candidates)


# Opening hours, said to the person ------------------------------------------------------------


def closed_refusal(
    category: VehicleCategory,
    starts_at: datetime,
    ends_at: datetime,
    basin_id: int | None = None,
    site: Site | None = None,
) -> tuple[str, str] | None:
    """(field, French message with the site's hours) when no site that could hand the vehicle
    over (that site, or the basin's active sites with vehicles of the category) is open at the
    pickup and at the return; None when one is, or when there is no such site at all (the
    search then says that nothing is free)."""
    if site is not None:
        sites = [site]
    else:
        query = (
            select(Site)
            .join(Vehicle, Vehicle.site_id == Site.id)
            .where(*in_service_conditions(category))
            .distinct()
            .order_by(Site.name)
        )
        if basin_id is not None:
            query = query.where(Site.basin_id == basin_id)
        sites = list(db.session.scalars(query))
    if not sites:
        return None
    schedules = schedules_for([s.id for s in sites], local_day_of_last_moment(starts_at))
    if any(schedules[s.id].is_open_at(starts_at) and schedules[s.id].is_open_at(ends_at) for s in sites):
        return None
    first = sites[0]
    schedule = schedules[first.id]
    if not schedule.is_open_at(starts_at):
        field_name, moment, what = "pickup_time", starts_at, _("la prise du véhicule")
    else:
        field_name, moment, what = "return_time", ends_at, _("le retour du véhicule")
    message = closed_message(first.name, schedule, moment, what)
    if len(sites) > 1:
        message += " " + _("Les autres sites du bassin sont fermés aussi à ce moment-là.")
    return field_name, message
