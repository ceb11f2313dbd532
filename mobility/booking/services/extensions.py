"""Extension requests and the référent's decision."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import gettext as _

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.booking import extension_lifecycle, notifications
from mobility.booking.eligibility_settings import eligibility_settings
from mobility.booking.errors import BookingError
from mobility.booking.extension_lifecycle import ExtensionAction
from mobility.booking.lifecycle import Action, IllegalMove, move
from mobility.booking.models import (
    VEHICLE_HELD_GUARDS,
    Booking,
    BookingStatus,
    Extension,
)
from mobility.booking.pricing import quote, rental_days
from mobility.booking.services.guards import take_write_lock
from mobility.core.db import ConstraintViolated, savepoint
from mobility.core.time import PARIS, utcnow
from mobility.fleet.opening_hours import closed_message, schedule_of
from mobility.extensions import db

# Extensions --------------------------------------------------------------------------------


def request_extension(booking: Booking, new_ends_on: date, actor: User, return_at: time | None = None) -> Extension:
    if booking.status != BookingStatus.IN_PROGRESS:
        raise IllegalMove(_("Une prolongation se demande pendant la location."))
    if booking.pending_extension is not None:
        raise BookingError(_("Une demande de prolongation attend déjà la réponse du référent."), field="new_ends_on")
    new_ends_at = datetime.combine(new_ends_on, return_at or booking.return_time, tzinfo=PARIS)
    if new_ends_at <= booking.ends_at:
        raise BookingError(_("La nouvelle date de retour doit être après la date prévue."), field="new_ends_on")
    schedule = schedule_of(booking.vehicle.site_id, new_ends_on)
    if not schedule.is_open_at(new_ends_at):
        raise BookingError(
            closed_message(booking.site.name, schedule, new_ends_at, _("le retour du véhicule")), field="new_ends_on"
        )
    settings = eligibility_settings()
    maximum = settings.max_days.get(booking.category)
    if maximum is not None and rental_days(booking.starts_on, new_ends_on) > 2 * maximum:
        raise BookingError(
            _("Une location ne peut pas dépasser %(days)s jours, prolongations comprises.", days=2 * maximum),
            field="new_ends_on",
        )
    extension = Extension(
        booking=booking,
        old_ends_at=booking.ends_at,
        new_ends_at=new_ends_at,
        requested_by_id=actor.id,
    )
    extension_lifecycle.move(extension, ExtensionAction.REQUEST, actor, creating=True)
    db.session.add(extension)
    db.session.flush()
    record(AuditAction.CREATE, "booking_extension", extension.id, actor=actor)
    notifications.extension_requested(extension)
    return extension


def decide_extension(extension: Extension, approve_it: bool, actor: User, reason: str | None = None) -> Extension:
    take_write_lock()
    booking = extension.booking
    reason = (reason or "").strip() or None
    action = ExtensionAction.APPROVE if approve_it else ExtensionAction.REFUSE
    extension_lifecycle.move(extension, action, actor, reason)
    extension.decided_by_id = actor.id
    extension.decided_at = utcnow()
    extension.decision_reason = reason
    if approve_it:
        try:
            with savepoint():
                booking.ends_at = extension.new_ends_at
        except ConstraintViolated as violated:
            if violated.name not in VEHICLE_HELD_GUARDS:
                raise violated.error from None
            db.session.refresh(booking)
            raise BookingError(
                _("Le véhicule est déjà réservé après la date prévue : la prolongation n'est pas possible. Refusez-la en l'expliquant, ou demandez à l'association un autre véhicule."),
            ) from None
        tariff = booking.tariff.as_rule() if booking.tariff is not None else None
        if tariff is not None:
            priced = quote(tariff, booking.starts_on, booking.ends_on)
            booking.days, booking.price_cents = priced.days, priced.price_cents
        move(booking, Action.EXTEND, actor, reason or _("Retour repoussé au %(day)s.", day=booking.ends_on.strftime("%d/%m/%Y")))
        db.session.flush()
        notifications.transition(booking, Action.EXTEND)
    else:
        db.session.flush()
        notifications.extension_refused(extension)
    record(AuditAction.UPDATE, "booking_extension", extension.id, actor=actor, fields=("status",))
    return extension
