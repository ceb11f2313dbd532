"""Handovers: the vehicle given and taken back, its odometer and fuel."""

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
)
from mobility.booking.services.moves import moved
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


def check_out(booking: Booking, details: HandoverDetails, actor: User, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    if not details.contract_signed:
        raise BookingError(
            _("Le contrat doit être imprimé et signé par les deux parties avant la remise du véhicule."),
            field="contract_signed",
        )
    _record_handover(booking, HandoverKind.CHECK_OUT, details, actor, local(now).date())
    return moved(booking, Action.CHECK_OUT, actor)


def return_vehicle(booking: Booking, details: HandoverDetails, actor: User, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    _record_handover(booking, HandoverKind.RETURN, details, actor, local(now).date())
    return moved(booking, Action.RETURN, actor)
