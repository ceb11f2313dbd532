"""The booking floor's part of a person's data (beneficiaries.ports.PersonalDataSource):
bookings with their purpose, history, extensions and outcomes; payments; handovers with their
damage notes and incident reports; places in the waiting queue with their history.

A person reads their own data in full here, the purpose and outcomes included (privacy.py
restricts what *staff* see, not what the person is told about themselves).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.ports import DataSection
from mobility.booking.extension_lifecycle import ExtensionTransition
from mobility.booking.models import Booking, BookingTransition, Extension, Handover, Payment, WaitingEntry
from mobility.booking.queue_lifecycle import WaitingTransition
from mobility.extensions import db
from mobility.fleet.models import Vehicle

STAFF_RECORD = (
    "Names the staff member who recorded a row of the fleet, the cessions or the plan; a "
    "beneficiary account never writes those, and no such row is about a person."
)
LEFT_OUT = {
    "cession.created_by_id": STAFF_RECORD,
    "cession_document.uploaded_by_id": STAFF_RECORD,
    "cession_paperwork.recorded_by_id": STAFF_RECORD,
    "cession_transition.actor_id": STAFF_RECORD,
    "convention.created_by_id": STAFF_RECORD,
    "maintenance_record.created_by_id": STAFF_RECORD,
    "odometer_reading.recorded_by_id": STAFF_RECORD,
    "reporting_objective.updated_by_id": STAFF_RECORD,
    "tariff.created_by_id": STAFF_RECORD,
    "site_closure.created_by_id": STAFF_RECORD,
    "unavailability.created_by_id": STAFF_RECORD,
    "vehicle_document.uploaded_by_id": STAFF_RECORD,
}


def _who(user) -> str:
    return user.full_name if user is not None else _("le service")


def _at(moment) -> str:
    return moment.isoformat(timespec="minutes")


def _moves_by(model, key, ids) -> dict[int, list]:
    """Every log row of these objects in one statement, grouped by object, in order."""
    found: dict[int, list] = {}
    if ids:
        column = getattr(model, key)
        rows = db.session.scalars(
            select(model).where(column.in_(ids)).options(selectinload(model.actor)).order_by(model.occurred_at, model.id)
        )
        for row in rows:
            found.setdefault(getattr(row, key), []).append(row)
    return found


def _bookings_section(bookings: list[Booking]) -> DataSection:
    items = []
    extension_moves = _moves_by(
        ExtensionTransition, "extension_id", [extension.id for booking in bookings for extension in booking.extensions]
    )
    for booking in bookings:
        history = [
            _("%(when)s : %(status)s (%(who)s)%(reason)s", when=_at(t.occurred_at), status=t.to_status.label, who=_who(t.actor), reason=f" — {t.reason}" if t.reason else "")
            for t in booking.transitions
        ]
        extensions = []
        for extension in booking.extensions:
            extensions.append(
                _(
                    "retour repoussé au %(day)s demandé par %(who)s : %(status)s%(reason)s",
                    day=extension.new_ends_on.isoformat(),
                    who=_who(extension.requested_by),
                    status=extension.status.label,
                    reason=f" — {extension.decision_reason}" if extension.decision_reason else "",
                )
            )
            moves = extension_moves.get(extension.id, [])
            extensions += [
                _("  %(when)s : %(status)s (%(who)s)", when=_at(move.occurred_at), status=move.to_status.label, who=_who(move.actor))
                for move in moves
            ]
        items.append(
            {
                "reference": booking.reference,
                "status": booking.status.label,
                "category": booking.category.label,
                "starts_at": booking.local_start,
                "ends_at": booking.local_end,
                "days": booking.days,
                "purpose": booking.purpose.label,
                "purpose_detail": booking.purpose_detail,
                "site": booking.site.name,
                "requested_by": _who(booking.requested_by),
                "requested_at": booking.created_at,
                "price_cents": booking.price_cents,
                "deposit_cents": booking.deposit_cents,
                "history": history,
                "extensions": extensions,
                "outcomes": [
                    _("%(checkpoint)s : %(result)s (noté le %(day)s)", checkpoint=o.checkpoint.label, result=o.result.label, day=o.recorded_on.isoformat())
                    for o in booking.outcomes
                ],
            }
        )
    return DataSection(
        key="bookings",
        title=_("Vos locations"),
        labels={
            "reference": _("Référence"),
            "status": _("État"),
            "category": _("Type de véhicule"),
            "starts_at": _("Prise du véhicule"),
            "ends_at": _("Retour du véhicule"),
            "days": _("Jours"),
            "purpose": _("Motif"),
            "purpose_detail": _("Employeur ou formation"),
            "site": _("Site"),
            "requested_by": _("Demandée par"),
            "requested_at": _("Demandée le"),
            "price_cents": _("Prix"),
            "deposit_cents": _("Caution"),
            "history": _("Historique"),
            "extensions": _("Prolongations"),
            "outcomes": _("Suites (emploi, formation…)"),
        },
        items=items,
        empty=_("Aucune location."),
        covers=(
            "booking.beneficiary_id",
            "booking.requested_by_id",
            "booking_transition.actor_id",
            "booking_extension.requested_by_id",
            "booking_extension.decided_by_id",
            "extension_transition.actor_id",
            "booking_outcome.recorded_by_id",
        ),
    )


def _payments_section(bookings: list[Booking]) -> DataSection:
    ids = [booking.id for booking in bookings]
    rows = db.session.scalars(
        select(Payment).where(Payment.booking_id.in_(ids)).order_by(Payment.booking_id, Payment.created_at, Payment.id)
    ) if ids else []
    return DataSection(
        key="payments",
        title=_("Vos paiements et cautions"),
        labels={
            "booking": _("Location"),
            "paid_on": _("Date"),
            "kind": _("Nature"),
            "amount_cents": _("Montant"),
            "method": _("Moyen"),
            "receipt_number": _("Reçu"),
            "reason": _("Raison de l'annulation"),
        },
        items=[
            {
                "booking": payment.booking.reference,
                "paid_on": payment.paid_on,
                "kind": payment.kind.label,
                "amount_cents": payment.amount_cents,
                "method": payment.method.label,
                "receipt_number": payment.receipt_number,
                "reason": payment.reason,
            }
            for payment in rows
        ],
        empty=_("Aucun paiement."),
        covers=("payment.recorded_by_id",),
    )


def _handovers_section(bookings: list[Booking]) -> DataSection:
    ids = [booking.id for booking in bookings]
    rows = db.session.scalars(
        select(Handover).where(Handover.booking_id.in_(ids)).order_by(Handover.recorded_at, Handover.id)
    ) if ids else []
    return DataSection(
        key="handovers",
        title=_("Remises et retours du véhicule"),
        labels={
            "booking": _("Location"),
            "kind": _("Moment"),
            "recorded_at": _("Le"),
            "odometer_km": _("Compteur (km)"),
            "fuel_eighths": _("Carburant (huitièmes)"),
            "damage_notes": _("Dégâts constatés"),
            "incident_report": _("Incident"),
            "deposit_received": _("Caution reçue"),
            "contract_signed": _("Contrat signé"),
            "recorded_by": _("Noté par"),
        },
        items=[
            {
                "booking": handover.booking.reference,
                "kind": handover.kind.label,
                "recorded_at": handover.recorded_at,
                "odometer_km": handover.odometer_km,
                "fuel_eighths": handover.fuel_eighths,
                "damage_notes": handover.damage_notes,
                "incident_report": handover.incident_report,
                "deposit_received": handover.deposit_received,
                "contract_signed": handover.contract_signed,
                "recorded_by": _who(handover.recorded_by),
            }
            for handover in rows
        ],
        empty=_("Aucune remise de véhicule."),
        covers=("handover.recorded_by_id",),
    )


def _queue_section(person: Beneficiary) -> DataSection:
    entries = list(
        db.session.scalars(
            select(WaitingEntry).where(WaitingEntry.beneficiary_id == person.id).order_by(WaitingEntry.created_at)
        )
    )
    items = []
    entry_moves = _moves_by(WaitingTransition, "entry_id", [entry.id for entry in entries])
    for entry in entries:
        moves = entry_moves.get(entry.id, [])
        items.append(
            {
                "created_at": entry.created_at,
                "basin": entry.basin.name,
                "category": entry.category.label,
                "starts_on": entry.starts_on,
                "ends_on": entry.ends_on,
                "purpose": entry.purpose.label,
                "purpose_detail": entry.purpose_detail,
                "status": entry.status.label,
                "history": [
                    _("%(when)s : %(status)s (%(who)s)", when=_at(move.occurred_at), status=move.to_status.label, who=_who(move.actor))
                    for move in moves
                ],
            }
        )
    return DataSection(
        key="waiting_queue",
        title=_("Vos places dans la file d'attente"),
        labels={
            "created_at": _("Inscrite le"),
            "basin": _("Bassin"),
            "category": _("Type de véhicule"),
            "starts_on": _("Du"),
            "ends_on": _("Au"),
            "purpose": _("Motif"),
            "purpose_detail": _("Employeur ou formation"),
            "status": _("État"),
            "history": _("Historique"),
        },
        items=items,
        empty=_("Aucune inscription."),
        covers=("waiting_entry.beneficiary_id", "waiting_entry.created_by_id", "waiting_transition.actor_id"),
    )


class BookingPersonalData:
    """The booking floor's PersonalDataSource, plugged in by create_app."""

    def sections(self, beneficiary: Beneficiary) -> list[DataSection]:
        bookings = list(
            db.session.scalars(
                select(Booking)
                .where(Booking.beneficiary_id == beneficiary.id)
                .order_by(Booking.starts_at, Booking.id)
                # What the sections read, one statement per kind for all the bookings together.
                .options(
                    joinedload(Booking.vehicle).joinedload(Vehicle.site),
                    joinedload(Booking.requested_by),
                    selectinload(Booking.transitions).selectinload(BookingTransition.actor),
                    selectinload(Booking.extensions).selectinload(Extension.requested_by),
                    selectinload(Booking.outcomes),
                )
            )
        )
        return [
            _bookings_section(bookings),
            _payments_section(bookings),
            _handovers_section(bookings),
            _queue_section(beneficiary),
        ]

    def left_out(self) -> dict[str, str]:
        return dict(LEFT_OUT)

