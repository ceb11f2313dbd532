"""Handovers: the vehicle given and taken back, its odometer and fuel.

They also keep the booking's held period true to what happens at the counter: a vehicle
handed over before the booked start is held from the handover (refused, naming the booking,
when another booking or an unavailability holds it then), and a vehicle comes back at its
return, early or late (until then a rental past its end holds it: see booking.availability).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from mobility.auth.models import User
from mobility.booking.errors import BookingError
from mobility.booking.lifecycle import Action
from mobility.booking.models import (
    FUEL_LEVELS,
    Booking,
    Handover,
    HandoverKind,
    PaymentMethod,
)
from mobility.booking.availability import holding_bookings, unavailabilities_during
from mobility.booking.models import VEHICLE_HELD_GUARDS
from mobility.booking.services.guards import take_write_lock
from mobility.booking.services.moves import moved
from mobility.core.db import ConstraintViolated, savepoint
from mobility.core.templating import weekday_datetime
from mobility.booking.services.payments import record_handover_deposit
from mobility.fleet.services import record_odometer
from mobility.core.time import local, utcnow
from mobility.extensions import db
from mobility.fleet.models import (
    OdometerSource,
)


@dataclass
class HandoverDetails:
    odometer_km: int
    fuel_eighths: int
    bodywork_ok: bool = False
    tyres_ok: bool = False
    lights_ok: bool = False
    interior_ok: bool = False
    papers_in_vehicle: bool = False
    damage_notes: str | None = None
    deposit_received: bool = False
    contract_signed: bool = False
    incident_report: str | None = None
    # The deposit ticked as received: its ledger entry is written in the same step.
    deposit_method: PaymentMethod | None = None
    deposit_receipt_number: str | None = None
    # Ticked after the fleet asked whether a reading far above the plausible distance is right.
    odometer_confirmed: bool = False


def _record_handover(booking: Booking, kind: HandoverKind, details: HandoverDetails, actor: User, day: date) -> Handover:
    if not 0 <= details.fuel_eighths <= FUEL_LEVELS:
        raise BookingError(_("Indiquez le niveau entre vide et plein."), field="fuel_eighths")
    # The fleet owns the odometer rule (never backwards, never dated before the latest reading).
    record_odometer(
        booking.vehicle,
        day,
        details.odometer_km,
        OdometerSource.HANDOVER if kind == HandoverKind.CHECK_OUT else OdometerSource.RETURN,
        actor,
        km_field="odometer_km",
        day_field=None,
        implausible_confirmed=details.odometer_confirmed,
    )
    handover = Handover(
        booking=booking,
        kind=kind,
        odometer_km=details.odometer_km,
        fuel_eighths=details.fuel_eighths,
        bodywork_ok=details.bodywork_ok,
        tyres_ok=details.tyres_ok,
        lights_ok=details.lights_ok,
        interior_ok=details.interior_ok,
        papers_in_vehicle=details.papers_in_vehicle,
        damage_notes=(details.damage_notes or "").strip() or None,
        deposit_received=details.deposit_received if kind == HandoverKind.CHECK_OUT else False,
        contract_signed=details.contract_signed if kind == HandoverKind.CHECK_OUT else False,
        incident_report=(details.incident_report or "").strip() or None if kind == HandoverKind.RETURN else None,
        recorded_by_id=actor.id,
    )
    db.session.add(handover)
    return handover


def _early_handover_refusal(booking: Booking, now: datetime) -> str | None:
    """Why the vehicle cannot leave now, before the booked start (None: it can)."""
    for other in holding_bookings(booking.vehicle_id, now, booking.held_from, now=now, ignoring=booking):
        if other.is_overdue(now):
            return _(
                "Le véhicule n'est pas encore rendu de la location %(reference)s (retour prévu le %(day)s) : il ne peut pas être remis avant le début prévu.",
                reference=other.reference,
                day=weekday_datetime(other.ends_at),
            )
        return _(
            "Le véhicule est réservé du %(start)s au %(end)s par la location %(reference)s : il ne peut pas être remis avant le début prévu (%(booked)s).",
            reference=other.reference,
            start=weekday_datetime(other.held_from),
            end=weekday_datetime(other.held_until),
            booked=weekday_datetime(booking.starts_at),
        )
    for unavailable in unavailabilities_during(booking.vehicle_id, now, booking.held_from):
        return _(
            "Le véhicule est indisponible du %(start)s au %(end)s : il ne peut pas être remis avant le début prévu (%(booked)s).",
            start=weekday_datetime(unavailable.starts_at),
            end=weekday_datetime(unavailable.ends_at),
            booked=weekday_datetime(booking.starts_at),
        )
    return None


def check_out(booking: Booking, details: HandoverDetails, actor: User, now: datetime | None = None) -> Booking:
    take_write_lock()
    now = now or utcnow()
    if not details.contract_signed:
        raise BookingError(
            _("Le contrat doit être imprimé et signé par les deux parties avant la remise du véhicule."),
            field="contract_signed",
        )
    if now < booking.held_from:
        refusal = _early_handover_refusal(booking, now)
        if refusal is not None:
            raise BookingError(refusal)
    _record_handover(booking, HandoverKind.CHECK_OUT, details, actor, local(now).date())
    if now < booking.held_from:
        # Held from the handover: the same guards as for a booking refuse a lost race.
        try:
            with savepoint():
                booking.held_from = now
        except ConstraintViolated as violated:
            if violated.name not in VEHICLE_HELD_GUARDS:
                raise violated.error from None
            raise BookingError(
                _early_handover_refusal(booking, now)
                or _("Le véhicule vient d'être réservé sur cette période : il ne peut pas être remis avant le début prévu.")
            ) from None
    if details.deposit_received:
        record_handover_deposit(booking, details.deposit_method, details.deposit_receipt_number, actor, local(now).date())
    return moved(booking, Action.CHECK_OUT, actor)


def return_vehicle(booking: Booking, details: HandoverDetails, actor: User, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    _record_handover(booking, HandoverKind.RETURN, details, actor, local(now).date())
    moved(booking, Action.RETURN, actor)
    # Held until it is back: a late return kept it past the booked end, an early one freed it.
    # Set once the booking no longer holds the vehicle, so that no guard weighs it.
    booking.held_until = max(now, booking.held_from)
    db.session.flush()
    return booking
