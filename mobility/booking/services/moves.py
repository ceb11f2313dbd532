"""Moves of a booking through its lifecycle (approve, reject, cancel, confirm, expire)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.booking import notifications
from mobility.booking.availability import free_vehicles
from mobility.booking.availability import Candidate, vehicle_is_out_overdue
from mobility.booking.errors import BookingError
from mobility.booking.lifecycle import Action, move
from mobility.booking.models import (
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
)
from mobility.booking.services.guards import take_write_lock
from mobility.booking.services.queue import offer_freed_vehicle
from mobility.booking.models import VEHICLE_HELD_GUARDS
from mobility.core.db import ConstraintViolated, savepoint
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.fleet.availability import local_day_of_last_moment
from mobility.fleet.models import (
    Site,
    Vehicle,
)
from mobility.territory.geography import distance_km

# Moves -------------------------------------------------------------------------------------


def moved(booking: Booking, action: Action, actor: User | None, reason: str | None = None) -> Booking:
    was = booking.status
    move(booking, action, actor, reason)
    db.session.flush()
    record(AuditAction.UPDATE, "booking", booking.id, actor=actor, fields=("status",))
    notifications.transition(booking, action, previous_status=was, reason=reason)
    if was in HOLDING_STATUSES and booking.status not in HOLDING_STATUSES:
        offer_freed_vehicle(booking.vehicle, booking.starts_at, booking.ends_at)
    return booking


def approve(booking: Booking, actor: User) -> Booking:
    return moved(booking, Action.APPROVE, actor)


def reject(booking: Booking, actor: User, reason: str) -> Booking:
    return moved(booking, Action.REJECT, actor, reason)


def cancel(booking: Booking, actor: User, reason: str | None = None) -> Booking:
    return moved(booking, Action.CANCEL, actor, reason)


def record_no_show(booking: Booking, actor: User, reason: str | None = None) -> Booking:
    return moved(booking, Action.NO_SHOW, actor, reason)


def swap_candidates(booking: Booking) -> list[Vehicle]:
    """Other vehicles of the same association and category, free for the whole period."""
    vehicles = free_vehicles(booking.category, booking.starts_at, booking.ends_at)
    return [v for v in vehicles if v.association_id == booking.association_id and v.id != booking.vehicle_id]


def could_be_offered_but_held(vehicle: Vehicle, booking: Booking) -> bool:
    """The vehicle meets every condition of a swap but one: a booking or an unavailability
    holds it during the period (what a vehicle taken since the page was shown looks like)."""
    return (
        vehicle.association_id == booking.association_id
        and vehicle.category == booking.category
        and vehicle.is_in_service
        and vehicle.site.active
        and Candidate(vehicle.id, vehicle.insurance_expires_on, vehicle.technical_inspection_due_on).papers_valid_until(
            local_day_of_last_moment(booking.ends_at)
        )
        and not vehicle_is_out_overdue(vehicle)
    )


def site_change(booking: Booking, vehicle: Vehicle) -> SiteChange | None:
    """What a swap to that vehicle changes for the person: another site (None: the same one)."""
    if vehicle.site_id == booking.vehicle.site_id:
        return None
    return SiteChange(
        previous=booking.vehicle.site,
        site=vehicle.site,
        distance_km=distance_km(booking.beneficiary.commune_insee, vehicle.site.commune_insee),
        commune_name=booking.beneficiary.commune.name,
    )


@dataclass(frozen=True)
class SiteChange:
    previous: Site
    site: Site
    distance_km: int | None
    commune_name: str

    def words(self) -> str:
        """« Le véhicule est à prendre à Site B, 3 rue…, Gien : à 34 km de Châlette-sur-Loing (à vol d'oiseau). »"""
        where = f"{self.site.name}, {self.site.address}, {self.site.commune.name}"
        if self.distance_km is None:
            return _("Le véhicule est à prendre et rendre à un autre site : %(where)s.", where=where)
        if self.distance_km == 0:
            return _(
                "Le véhicule est à prendre et rendre à un autre site : %(where)s, dans la commune de la personne (%(commune)s).",
                where=where,
                commune=self.commune_name,
            )
        return _(
            "Le véhicule est à prendre et rendre à un autre site : %(where)s, à %(km)s km de %(commune)s (à vol d'oiseau), au lieu de %(previous)s.",
            where=where,
            km=self.distance_km,
            commune=self.commune_name,
            previous=self.previous.name,
        )


def confirm(
    booking: Booking, actor: User, vehicle: Vehicle | None = None, site_change_confirmed: bool = False
) -> Booking:
    """Confirm with the vehicle picked at request time, or swap it for another free one. A swap
    to another site needs `site_change_confirmed` (the staff said they will tell the person,
    who is told by message too)."""
    take_write_lock()
    if vehicle is not None and vehicle.id != booking.vehicle_id:
        # Only what the page offered: the association's free vehicles of the category, by the one
        # definition of free (papers valid all along, not out on an overdue rental, site open).
        if vehicle.id not in {candidate.id for candidate in swap_candidates(booking)}:
            if could_be_offered_but_held(vehicle, booking):
                # Offered when the page was shown, taken since.
                raise BookingError(
                    _("Ce véhicule vient d'être pris sur cette période : choisissez-en un autre."),
                    field="vehicle_id",
                )
            raise BookingError(
                _(
                    "Ce véhicule ne peut pas être proposé pour cette location. Choisissez un des "
                    "véhicules proposés : libres sur toute la période, avec une assurance et un "
                    "contrôle technique valables jusqu'au retour."
                ),
                field="vehicle_id",
            )
        change = site_change(booking, vehicle)
        if change is not None and not site_change_confirmed:
            raise BookingError(
                change.words()
                + " "
                + _("Cochez « La personne est prévenue du changement de site » pour confirmer ; sinon, rien n'est changé."),
                field="site_change_confirmed",
            )
        previous = booking.vehicle
        try:
            with savepoint():
                booking.vehicle = vehicle
                booking.basin_id = vehicle.site.basin_id
        except ConstraintViolated as violated:
            if violated.name not in VEHICLE_HELD_GUARDS:
                raise violated.error from None
            db.session.refresh(booking)
            raise BookingError(
                _("Ce véhicule vient d'être pris sur cette période : choisissez-en un autre."),
                field="vehicle_id",
            ) from None
        reason = _("Véhicule changé : %(before)s remplacé par %(after)s.", before=previous.label, after=vehicle.label)
        if change is not None:
            reason += " " + change.words()
        moved(booking, Action.CONFIRM, actor, reason)
        if change is not None:
            notifications.site_changed(booking, change.previous, change.distance_km)
        return booking
    return moved(booking, Action.CONFIRM, actor)


def expire_stale_requests(now: datetime | None = None) -> int:
    """Requests not approved in time expire and free their vehicle. Idempotent."""
    take_write_lock()
    now = now or utcnow()
    stale = db.session.scalars(
        select(Booking).where(Booking.status == BookingStatus.REQUESTED, Booking.expires_at <= now)
    ).all()
    for booking in stale:
        moved(booking, Action.EXPIRE, None)
    return len(stale)


def overdue_query(association_id: int | None, now: datetime):
    """Rentals not back at their planned end, latest due first last (a page reads the first few)."""
    query = (
        select(Booking)
        .where(Booking.status == BookingStatus.IN_PROGRESS, Booking.ends_at <= now)
        .options(joinedload(Booking.vehicle), joinedload(Booking.beneficiary))
    )
    if association_id is not None:
        query = query.where(Booking.association_id == association_id)
    return query.order_by(Booking.ends_at, Booking.id)


def overdue_bookings(association_id: int | None, now: datetime | None = None) -> list[Booking]:
    return list(db.session.scalars(overdue_query(association_id, now or utcnow())))
