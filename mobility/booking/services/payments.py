"""Outcomes after the rental, and payments and deposits."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.booking.errors import BookingError
from mobility.booking.models import (
    Booking,
    BookingStatus,
    Outcome,
    OutcomeCheckpoint,
    OutcomeResult,
    Payment,
    PaymentKind,
    PaymentMethod,
)
from mobility.core.db import refusing
from mobility.core.time import local, utcnow
from mobility.extensions import db

# Outcomes and payments ---------------------------------------------------------------------


def due_checkpoints(booking: Booking, today: date) -> list[OutcomeCheckpoint]:
    """The checkpoints that can be recorded now and are not yet."""
    if booking.status != BookingStatus.RETURNED:
        return []
    done = {o.checkpoint for o in booking.outcomes}
    end = booking.ends_on
    due = [OutcomeCheckpoint.AT_END]
    if today >= end + timedelta(days=90):
        due.append(OutcomeCheckpoint.AFTER_3_MONTHS)
    if today >= end + timedelta(days=182):
        due.append(OutcomeCheckpoint.AFTER_6_MONTHS)
    return [c for c in due if c not in done]


def record_outcome(
    booking: Booking, checkpoint: OutcomeCheckpoint, result: OutcomeResult, actor: User, today: date | None = None
) -> Outcome:
    today = today or local(utcnow()).date()
    if checkpoint not in due_checkpoints(booking, today):
        raise BookingError(_("Cette suite ne peut pas être notée maintenant pour cette location."), field="checkpoint")
    outcome = Outcome(booking=booking, checkpoint=checkpoint, result=result, recorded_on=today, recorded_by_id=actor.id)
    db.session.add(outcome)
    db.session.flush()
    record(AuditAction.CREATE, "booking_outcome", outcome.id, actor=actor)
    return outcome


def record_payment(
    booking: Booking,
    kind: PaymentKind,
    amount_cents: int,
    method: PaymentMethod,
    paid_on: date,
    receipt_number: str,
    actor: User,
) -> Payment:
    receipt_number = receipt_number.strip()
    if amount_cents <= 0:
        raise BookingError(_("Le montant doit être supérieur à zéro."), field="amount")
    if kind == PaymentKind.DEPOSIT_REFUND and amount_cents > booking.deposit_held_cents:
        raise BookingError(_("On ne peut pas rendre plus que la caution reçue."), field="amount")
    if db.session.scalar(select(Payment.id).where(Payment.receipt_number == receipt_number)):
        raise BookingError(_("Ce numéro de reçu est déjà utilisé."), field="receipt_number")
    payment = Payment(
        booking_id=booking.id,
        kind=kind,
        amount_cents=amount_cents,
        method=method,
        paid_on=paid_on,
        receipt_number=receipt_number,
        recorded_by_id=actor.id,
    )
    # The same receipt number saved a moment ago by someone else.
    with refusing({"uq_payment_receipt_number": lambda: BookingError(_("Ce numéro de reçu est déjà utilisé."), field="receipt_number")}):
        db.session.add(payment)
    db.session.expire(booking, ["payments"])
    record(AuditAction.CREATE, "payment", payment.id, actor=actor)
    return payment
