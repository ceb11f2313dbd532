"""The register of ceded vehicles: one row per cession, with its paperwork and what the
vehicle did afterwards in the rental fleet; totals per convention; CSV and XLSX downloads.

Follow-up figures count the rentals of the cession's fleet vehicle that started on or after
the cession date and actually happened (in progress or returned):
- rentals: their number; rental-days: the sum of their billed days;
- km: return odometer minus check-out odometer, for rentals with both handovers;
- beneficiaries: distinct people among them (a number, never a name);
- positive outcomes: rentals with at least one outcome that is a job, a training or a
  mobility solution, at any checkpoint.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import extract, select
from sqlalchemy.orm import selectinload

from mobility.auth.models import User
from mobility.booking.models import Booking, BookingStatus, Handover, HandoverKind, Outcome, OutcomeResult
from mobility.cession import rules
from mobility.cession.models import Cession, CessionState, Convention, PaperworkKind
from mobility.cession.services import paperwork_status, visible_cessions
from mobility.core.time import local_midnight
from mobility.core.time import today as today_in_france
from mobility.extensions import db

RENTAL_STATUSES = (BookingStatus.IN_PROGRESS, BookingStatus.RETURNED)
POSITIVE_OUTCOMES = (
    OutcomeResult.DURABLE_JOB,
    OutcomeResult.OTHER_JOB,
    OutcomeResult.TRAINING,
    OutcomeResult.MOBILITY_SOLUTION,
)


@dataclass
class RegisterRow:
    cession: Cession
    paperwork: list[rules.ItemStatus]
    rentals: int = 0
    rental_days: int = 0
    km: int = 0
    positive_outcomes: int = 0
    beneficiary_ids: set[int] = field(default_factory=set)

    @property
    def beneficiaries(self) -> int:
        return len(self.beneficiary_ids)

    @property
    def late(self) -> list[rules.ItemStatus]:
        return rules.late_items(self.paperwork)

    @property
    def paperwork_needed(self) -> int:
        return sum(1 for item in self.paperwork if item.status is not rules.Status.NOT_NEEDED)

    @property
    def paperwork_done(self) -> int:
        return sum(1 for item in self.paperwork if item.status in (rules.Status.DONE, rules.Status.DONE_LATE))

    @property
    def current_status(self) -> str:
        vehicle = self.cession.vehicle
        if self.cession.state is CessionState.IN_SERVICE and vehicle is not None:
            return vehicle.status.label
        return self.cession.state.label


@dataclass
class ConventionTotals:
    convention: Convention
    vehicles: int = 0
    rentals: int = 0
    rental_days: int = 0
    km: int = 0
    positive_outcomes: int = 0
    beneficiary_ids: set[int] = field(default_factory=set)

    @property
    def beneficiaries(self) -> int:
        return len(self.beneficiary_ids)


@dataclass(frozen=True)
class RegisterFilters:
    convention_id: int | None = None
    association_id: int | None = None
    state: CessionState | None = None
    year: int | None = None


def register_rows(user: User, filters: RegisterFilters = RegisterFilters(), today: date | None = None) -> list[RegisterRow]:
    today = today or today_in_france()
    query = visible_cessions(user)
    if filters.convention_id is not None:
        query = query.where(Cession.convention_id == filters.convention_id)
    if filters.association_id is not None:
        query = query.where(Cession.association_id == filters.association_id)
    if filters.state is not None:
        query = query.where(Cession.state == filters.state)
    if filters.year is not None:
        query = query.where(extract("year", Cession.ceded_on) == filters.year)
    query = query.options(selectinload(Cession.vehicle)).order_by(None).order_by(Cession.ceded_on, Cession.id)
    cessions = list(db.session.scalars(query))
    rows = [RegisterRow(cession, paperwork_status(cession, today)) for cession in cessions]
    _add_follow_up(rows)
    return rows


def _add_follow_up(rows: list[RegisterRow]) -> None:
    by_vehicle = {row.cession.vehicle.id: row for row in rows if row.cession.vehicle is not None}
    if not by_vehicle:
        return
    bookings = db.session.execute(
        select(Booking.id, Booking.vehicle_id, Booking.beneficiary_id, Booking.days, Booking.starts_at).where(
            Booking.vehicle_id.in_(by_vehicle), Booking.status.in_(RENTAL_STATUSES)
        )
    ).all()
    counted = {}
    for booking_id, vehicle_id, beneficiary_id, days, starts_at in bookings:
        row = by_vehicle[vehicle_id]
        if starts_at < local_midnight(row.cession.ceded_on):
            continue  # before the Département ceded it: not part of its life under the convention
        counted[booking_id] = row
        row.rentals += 1
        row.rental_days += days
        row.beneficiary_ids.add(beneficiary_id)
    if not counted:
        return
    odometers: dict[int, dict[HandoverKind, int]] = defaultdict(dict)
    for booking_id, kind, km in db.session.execute(
        select(Handover.booking_id, Handover.kind, Handover.odometer_km).where(Handover.booking_id.in_(counted))
    ):
        odometers[booking_id][kind] = km
    for booking_id, readings in odometers.items():
        if HandoverKind.CHECK_OUT in readings and HandoverKind.RETURN in readings:
            counted[booking_id].km += max(readings[HandoverKind.RETURN] - readings[HandoverKind.CHECK_OUT], 0)
    positive = set(
        db.session.scalars(
            select(Outcome.booking_id).where(Outcome.booking_id.in_(counted), Outcome.result.in_(POSITIVE_OUTCOMES))
        )
    )
    for booking_id in positive:
        counted[booking_id].positive_outcomes += 1


def totals_per_convention(rows: list[RegisterRow]) -> list[ConventionTotals]:
    totals: dict[int, ConventionTotals] = {}
    for row in rows:
        total = totals.setdefault(row.cession.convention_id, ConventionTotals(row.cession.convention))
        if row.cession.state is not CessionState.DECLINED:
            total.vehicles += 1
        total.rentals += row.rentals
        total.rental_days += row.rental_days
        total.km += row.km
        total.positive_outcomes += row.positive_outcomes
        total.beneficiary_ids |= row.beneficiary_ids
    return sorted(totals.values(), key=lambda total: total.convention.reference)


# --- Downloads ----------------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _headers() -> list[str]:
    return [
        _("Cession"), _("Convention"), _("Association"), _("Immatriculation"), _("VIN"), _("Marque"), _("Modèle"),
        _("Catégorie"), _("Décision"), _("Date de la décision"), _("Date de cession"), _("Immatriculée le"),
        _("Valeur (€)"), _("État"), _("Pièces faites"),
        _("Pièces nécessaires"), _("Pièces en retard ou à refaire"), _("Locations"), _("Jours de location"),
        _("Km en location"), _("Bénéficiaires distincts"), _("Sorties positives"), _("Statut actuel"),
    ]


def _values(row: RegisterRow, dates_as_text: bool) -> list:
    cession = row.cession
    registration = cession.paperwork_of(PaperworkKind.REGISTRATION)

    def day(value):
        if value is None:
            return ""
        return value.strftime("%d/%m/%Y") if dates_as_text else value

    value = f"{cession.value_cents / 100:.2f}".replace(".", ",") if dates_as_text else cession.value_cents / 100
    return [
        cession.reference, cession.convention.reference, cession.association.name, cession.plate, cession.vin,
        cession.make, cession.model, cession.category.label, cession.decision_reference, day(cession.decided_on),
        day(cession.ceded_on), day(registration.done_on if registration else None), value,
        cession.state.label, row.paperwork_done, row.paperwork_needed,
        " ; ".join(f"{item.label} ({item.status_label})" for item in row.late),
        row.rentals, row.rental_days, row.km, row.beneficiaries, row.positive_outcomes, row.current_status,
    ]


def register_csv(rows: list[RegisterRow]) -> bytes:
    """French Excel: semicolons, a BOM so that accents open right, dates as dd/mm/yyyy."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers())
    for row in rows:
        writer.writerow([neutralise(value) for value in _values(row, dates_as_text=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def register_xlsx(rows: list[RegisterRow]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Registre des cessions"))
    sheet.append(_headers())
    for row in rows:
        sheet.append([neutralise(value) for value in _values(row, dates_as_text=False)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
