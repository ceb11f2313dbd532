"""A rental interrupted by an incident: the vehicle replaced for the rest of the rental, or the
rental ended at the moment of the incident; the price recomputed either way (booking pricing).

The replacement is a swap of the booking's vehicle under the same guard as a confirmation's
(the exclusion constraint or the SQLite trigger): a vehicle taken meanwhile is refused with a
French message, never an error page. The rest of the rental is free: the person pays the days
up to the incident only.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from mobility.auth.models import User
from mobility.booking.errors import BookingError
from mobility.booking.lifecycle import Action, IllegalMove
from mobility.booking.models import VEHICLE_HELD_GUARDS, Booking, BookingStatus
from mobility.booking.pricing import quote
from mobility.booking.services.guards import take_write_lock
from mobility.booking.services.moves import could_be_offered_but_held, moved, swap_candidates
from mobility.core.db import ConstraintViolated, savepoint
from mobility.core.time import local
from mobility.extensions import db
from mobility.fleet.models import Vehicle


def _check_interruptible(booking: Booking, at: datetime) -> None:
    if booking.status != BookingStatus.IN_PROGRESS:
        raise IllegalMove(
            _("La location %(reference)s n'est pas en cours : elle ne peut pas être interrompue.",
              reference=booking.reference)
        )
    if not booking.starts_at < at < booking.ends_at:
        raise BookingError(
            _("L'incident doit dater d'après la remise du véhicule et d'avant la fin prévue de la location."),
            field="occurred_at",
        )


def _price_up_to(booking: Booking, at: datetime) -> None:
    """The price of the days used up to `at` (the day of the incident counts)."""
    if booking.tariff is not None:
        priced = quote(booking.tariff.as_rule(), booking.starts_on, local(at).date())
        booking.price_cents = priced.price_cents


def replacement_candidates(booking: Booking) -> list[Vehicle]:
    return swap_candidates(booking)


def replace_vehicle(booking: Booking, vehicle: Vehicle, at: datetime, actor: User, reason: str) -> Booking:
    """Give the person `vehicle` instead of the booking's, free from `at` to the planned end."""
    take_write_lock()
    _check_interruptible(booking, at)
    if vehicle.id not in {candidate.id for candidate in swap_candidates(booking)}:
        if could_be_offered_but_held(vehicle, booking):
            raise BookingError(
                _("Ce véhicule vient d'être pris sur cette période : choisissez-en un autre."),
                field="replacement_vehicle_id",
            )
        raise BookingError(
            _("Ce véhicule ne peut pas remplacer celui de la location : choisissez un des véhicules proposés."),
            field="replacement_vehicle_id",
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
            field="replacement_vehicle_id",
        ) from None
    _price_up_to(booking, at)
    detail = _("%(before)s remplacé par %(after)s, sans frais jusqu'à la fin de la location.",
               before=previous.label, after=vehicle.label)
    return moved(booking, Action.REPLACE_VEHICLE, actor, f"{reason} {detail}")


def end_early(booking: Booking, at: datetime, actor: User, reason: str) -> Booking:
    """End the rental at `at` (the vehicle cannot be driven further), the price recomputed."""
    take_write_lock()
    _check_interruptible(booking, at)
    booking.ends_at = at
    _price_up_to(booking, at)
    return moved(booking, Action.RETURN, actor, reason)
