"""Outcomes after the rental, and payments and deposits."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.booking.errors import BookingError
from mobility.booking.models import (
    KIND_ACCOUNTS,
    LEDGER_COLUMNS,
    Booking,
    LedgerAccount,
    BookingStatus,
    Outcome,
    OutcomeCheckpoint,
    OutcomeResult,
    Payment,
    PaymentKind,
    PaymentMethod,
)
from mobility.booking.settings import booking_settings
from mobility.core.db import refusing
from mobility.core.templating import money as format_money
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


def _ledger_totals(booking: Booking) -> dict[LedgerAccount, int]:
    """The booking's balance per account, summed by the database from the entries."""
    rows = db.session.execute(
        select(Payment.account, func.sum(Payment.amount_cents))
        .where(Payment.booking_id == booking.id)
        .group_by(Payment.account)
    ).all()
    totals = {account: 0 for account in LedgerAccount}
    totals.update({account: int(total or 0) for account, total in rows})
    return totals


def _check_ceiling(booking: Booking, kind: PaymentKind, amount_cents: int, totals: dict[LedgerAccount, int]) -> None:
    """Refuse an amount far above what the booking could owe, and a refund above what was paid."""
    factor = booking_settings().max_payment_factor
    if kind == PaymentKind.RENTAL:
        ceiling = booking.price_cents * factor
        if totals[LedgerAccount.RENT] + amount_cents > ceiling:
            raise BookingError(
                _(
                    "Ce montant est bien plus élevé que ce que la location peut coûter : les paiements de "
                    "location ne peuvent pas dépasser %(ceiling)s en tout pour cette location (prix : "
                    "%(price)s). Vérifiez le montant saisi.",
                    ceiling=format_money(ceiling),
                    price=format_money(booking.price_cents),
                ),
                field="amount",
            )
    elif kind == PaymentKind.DEPOSIT:
        ceiling = booking.deposit_cents * factor
        if totals[LedgerAccount.DEPOSIT] + amount_cents > ceiling:
            raise BookingError(
                _(
                    "Ce montant est bien plus élevé que la caution demandée (%(deposit)s) : la caution "
                    "reçue ne peut pas dépasser %(ceiling)s en tout. Vérifiez le montant saisi.",
                    deposit=format_money(booking.deposit_cents),
                    ceiling=format_money(ceiling),
                ),
                field="amount",
            )
    elif kind == PaymentKind.RENTAL_REFUND and amount_cents > totals[LedgerAccount.RENT]:
        raise BookingError(
            _(
                "On ne peut pas rembourser plus que ce qui a été payé pour la location (%(paid)s).",
                paid=format_money(totals[LedgerAccount.RENT]),
            ),
            field="amount",
        )
    elif kind == PaymentKind.DEPOSIT_REFUND and amount_cents > totals[LedgerAccount.DEPOSIT]:
        raise BookingError(_("On ne peut pas rendre plus que la caution reçue."), field="amount")


def _same_receipt() -> BookingError:
    return BookingError(_("Ce numéro de reçu est déjà utilisé."), field="receipt_number")


def record_payment(
    booking: Booking,
    kind: PaymentKind,
    amount_cents: int,
    method: PaymentMethod,
    paid_on: date,
    receipt_number: str,
    actor: User,
    *,
    receipt_field: str = "receipt_number",
) -> Payment:
    """A new entry of money received (rent, deposit) or given back (refunds), amount typed positive."""
    if kind not in KIND_ACCOUNTS:
        raise BookingError(_("Choisissez la nature du paiement."), field="kind")
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        raise BookingError(_("Saisissez le numéro du reçu remis à la personne."), field=receipt_field)
    if amount_cents <= 0:
        raise BookingError(_("Le montant doit être supérieur à zéro."), field="amount")
    _check_ceiling(booking, kind, amount_cents, _ledger_totals(booking))
    if db.session.scalar(select(Payment.id).where(Payment.receipt_number == receipt_number)):
        raise BookingError(_("Ce numéro de reçu est déjà utilisé."), field=receipt_field)
    account, sign = KIND_ACCOUNTS[kind]
    payment = Payment(
        booking_id=booking.id,
        kind=kind,
        account=account,
        amount_cents=sign * amount_cents,
        method=method,
        paid_on=paid_on,
        receipt_number=receipt_number,
        recorded_by_id=actor.id,
    )
    # The same receipt number saved a moment ago by someone else.
    with refusing({"uq_payment_receipt_number": lambda: BookingError(_("Ce numéro de reçu est déjà utilisé."), field=receipt_field)}):
        db.session.add(payment)
    db.session.expire(booking, list(LEDGER_COLUMNS))
    record(AuditAction.CREATE, "payment", payment.id, actor=actor)
    return payment


def reverse_payment(booking: Booking, entry_id: int, reason: str, actor: User, today: date | None = None) -> Payment:
    """Cancel one entry of the booking by an entry of the opposite amount, with the reason why."""
    reason = (reason or "").strip()
    entry = db.session.get(Payment, entry_id)
    if entry is None or entry.booking_id != booking.id:
        raise BookingError(_("Cette écriture n'existe pas pour cette location."), field="entry_id")
    if entry.kind == PaymentKind.REVERSAL:
        raise BookingError(
            _("Une annulation ne s'annule pas : enregistrez à nouveau le paiement s'il a bien eu lieu."),
            field="entry_id",
        )
    already = _("Cette écriture est déjà annulée.")
    if entry.reversed_by is not None:
        raise BookingError(already, field="entry_id")
    if not reason:
        raise BookingError(_("Dites pourquoi cette écriture est annulée : la raison reste dans le journal."), field="reason")
    if _ledger_totals(booking)[entry.account] - entry.amount_cents < 0:
        raise BookingError(
            _("Annulez d'abord le remboursement qui suit ce paiement : le solde ne peut pas devenir négatif."),
            field="entry_id",
        )
    reversal = Payment(
        booking_id=booking.id,
        kind=PaymentKind.REVERSAL,
        account=entry.account,
        amount_cents=-entry.amount_cents,
        reversed_amount_cents=entry.amount_cents,
        reverses_id=entry.id,
        method=entry.method,
        paid_on=today or local(utcnow()).date(),
        reason=reason,
        recorded_by_id=actor.id,
    )
    # Someone reversed the same entry a moment ago: the unique key on reverses_id says so.
    with refusing({"uq_payment_reverses_id": lambda: BookingError(already, field="entry_id")}):
        db.session.add(reversal)
    db.session.expire(booking, list(LEDGER_COLUMNS))
    db.session.expire(entry, ["reversed_by"])
    record(AuditAction.CREATE, "payment", reversal.id, actor=actor, fields=["reverses_id", "reason"])
    return reversal


def record_handover_deposit(
    booking: Booking, method: PaymentMethod | None, receipt_number: str | None, actor: User, day: date
) -> Payment | None:
    """The deposit ticked as received at the check-out, as its ledger entry (same transaction).

    Nothing to record when no deposit is asked or it is already held in full."""
    missing = booking.deposit_cents - _ledger_totals(booking)[LedgerAccount.DEPOSIT]
    if missing <= 0:
        return None
    if method is None:
        raise BookingError(_("Indiquez comment la caution a été versée."), field="deposit_method")
    return record_payment(
        booking,
        PaymentKind.DEPOSIT,
        missing,
        method,
        day,
        receipt_number or "",
        actor,
        receipt_field="deposit_receipt_number",
    )
