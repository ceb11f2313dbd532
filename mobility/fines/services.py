"""Recording an avis de contravention, finding who had the vehicle, and moving the fine on.

Who sees a fine (the one place, for pages and the API): the fleet staff of the vehicle's
association, and the référents of the organisation that follows the person once the driver is
identified (the same people who see the person's file). Admins see figures only
(mobility.reporting.fines); anyone else: not found. Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.models import Booking, Handover
from mobility.core.db import refusing
from mobility.core.errors import Invalid, NotFound, Refused
from mobility.core.time import PARIS, at, local, local_midnight, utcnow
from mobility.extensions import db
from mobility.fines import lifecycle, notifications
from mobility.fines.driver import DriverAnswer, who_had
from mobility.fines.models import Fine, FineAction, FineStatus, OffenceKind, OPEN_STATUSES
from mobility.fines.rules import NOTICE_NUMBER_MESSAGE, designation_deadline, fines_settings, normalise_notice_number
from mobility.fleet.models import OdometerReading, Vehicle


@dataclass
class FineData:
    vehicle_id: int | None
    notice_number: str | None
    offence_on: date | None
    offence_time: time | None
    place: str | None
    kind: OffenceKind | None
    amount_cents: int | None
    notice_sent_on: date | None


# --- Who sees what ---------------------------------------------------------------------------


def visible_fines(user: User) -> Select:
    query = select(Fine)
    if user.role == Role.FLEET:
        return query.where(Fine.association_id == user.organisation_id)
    if user.role == Role.REFERENT:
        return query.join(Beneficiary, Beneficiary.id == Fine.beneficiary_id).where(
            Beneficiary.organisation_id == user.organisation_id
        )
    return query.where(False)


def get_visible_fine(fine_id: int, user: User) -> Fine | None:
    return db.session.scalar(visible_fines(user).where(Fine.id == fine_id))


def fines_of_vehicle(vehicle: Vehicle) -> list[Fine]:
    return list(
        db.session.scalars(
            select(Fine).where(Fine.vehicle_id == vehicle.id).order_by(Fine.offence_at.desc(), Fine.id.desc())
        )
    )


def due_fines(association_id: int, today: date) -> list[Fine]:
    """Fines of the association still to designate by today + FINES_DUE_SOON_DAYS, or late."""
    horizon = today + timedelta(days=fines_settings().due_soon_days)
    kinds = [kind for kind in OffenceKind if kind.requires_designation]
    return list(
        db.session.scalars(
            select(Fine)
            .where(
                Fine.association_id == association_id,
                Fine.status.in_(OPEN_STATUSES),
                Fine.kind.in_(kinds),
                Fine.designation_due_on <= horizon,
            )
            .options(joinedload(Fine.vehicle))
            .order_by(Fine.designation_due_on, Fine.id)
        )
    )


# --- Recording -------------------------------------------------------------------------------


def offence_instant(day: date, clock: time) -> datetime:
    """The avis' local date and time as an instant; an hour the spring change skips is refused.

    In the repeated autumn hour the first occurrence is taken (fold=0): the avis does not say
    which, and such a moment is within the margin of nothing in particular, so staff see it.
    """
    moment = at(day, clock)
    back = moment.astimezone(timezone.utc).astimezone(PARIS)
    if (back.date(), back.time().replace(tzinfo=None)) != (day, clock):
        raise Invalid(
            _("Cette heure n'existe pas ce jour-là (passage à l'heure d'été) : vérifiez l'heure sur l'avis."),
            field="offence_time",
        )
    return moment.astimezone(timezone.utc)


def _vehicle_of_association(vehicle_id: int | None, actor: User) -> Vehicle:
    vehicle = db.session.get(Vehicle, vehicle_id) if vehicle_id is not None else None
    if vehicle is None or vehicle.association_id != actor.organisation_id:
        raise Refused(_("Ce véhicule n'est pas dans la flotte de votre association."), field="vehicle_id")
    return vehicle


def in_fleet_since(vehicle: Vehicle) -> datetime:
    """When the vehicle entered the association's fleet: its earliest trace in the service (its
    record, its first odometer reading, its first handover), for vehicles recorded after the fact."""
    moments = [vehicle.created_at]
    first_reading = db.session.scalar(select(func.min(OdometerReading.read_on)).where(OdometerReading.vehicle_id == vehicle.id))
    if first_reading is not None:
        moments.append(local_midnight(first_reading).astimezone(timezone.utc))
    first_handover = db.session.scalar(
        select(func.min(Handover.recorded_at)).join(Booking, Booking.id == Handover.booking_id).where(
            Booking.vehicle_id == vehicle.id
        )
    )
    if first_handover is not None:
        moments.append(first_handover if first_handover.tzinfo else first_handover.replace(tzinfo=timezone.utc))
    return min(moments)


def _check(data: FineData, actor: User, now: datetime) -> tuple[Vehicle, str, datetime]:
    vehicle = _vehicle_of_association(data.vehicle_id, actor)
    number = normalise_notice_number(data.notice_number)
    if number is None:
        raise Invalid(str(NOTICE_NUMBER_MESSAGE), field="notice_number")
    if data.offence_on is None or data.offence_time is None:
        raise Invalid(_("Indiquez la date et l'heure de l'infraction."), field="offence_on")
    moment = offence_instant(data.offence_on, data.offence_time)
    if moment > now:
        raise Invalid(_("La date et l'heure de l'infraction ne peuvent pas être dans le futur."), field="offence_on")
    entered = in_fleet_since(vehicle)
    if moment < entered:
        raise Invalid(
            _(
                "Le véhicule n'était pas encore dans la flotte de l'association à cette date : il y est entré le %(day)s.",
                day=local(entered).strftime("%d/%m/%Y"),
            ),
            field="offence_on",
        )
    if not (data.place or "").strip():
        raise Invalid(_("Indiquez le lieu de l'infraction, tel qu'il est écrit sur l'avis."), field="place")
    if data.kind is None:
        raise Invalid(_("Choisissez la nature de l'infraction."), field="kind")
    if not data.amount_cents or data.amount_cents <= 0:
        raise Invalid(_("Indiquez le montant de l'amende forfaitaire, par exemple 135."), field="amount")
    if data.notice_sent_on is None:
        raise Invalid(_("Indiquez la date d'envoi de l'avis."), field="notice_sent_on")
    if data.notice_sent_on < local(moment).date():
        raise Invalid(_("L'avis ne peut pas avoir été envoyé avant l'infraction."), field="notice_sent_on")
    if data.notice_sent_on > local(now).date():
        raise Invalid(_("La date d'envoi de l'avis ne peut pas être dans le futur."), field="notice_sent_on")
    return vehicle, number, moment


def driver_at(fine: Fine) -> DriverAnswer:
    return who_had(fine.vehicle_id, fine.offence_at, fines_settings().handover_margin_minutes)


def record_fine(data: FineData, actor: User, now: datetime | None = None) -> Fine:
    """Check and record an avis; the handover records say at once who had the vehicle."""
    now = now or utcnow()
    vehicle, number, moment = _check(data, actor, now)
    existing = db.session.scalar(select(Fine).where(Fine.notice_number == number))
    if existing is not None:
        raise Invalid(_("Cet avis de contravention est déjà enregistré."), field="notice_number")
    answer = who_had(vehicle.id, moment, fines_settings().handover_margin_minutes)
    fine = Fine(
        vehicle=vehicle,
        association_id=vehicle.association_id,
        notice_number=number,
        offence_at=moment,
        place=data.place.strip(),
        kind=data.kind,
        amount_cents=data.amount_cents,
        notice_sent_on=data.notice_sent_on,
        designation_due_on=designation_deadline(data.notice_sent_on, fines_settings().designation_days),
        finding=answer.finding,
        created_by_id=actor.id,
    )
    # Two people recording the same avis at once: the unique number decides.
    with refusing({"uq_fine_notice_number": lambda: Invalid(
        _("Cet avis de contravention est déjà enregistré."), field="notice_number"
    )}):
        db.session.add(fine)
        lifecycle.move(fine, FineAction.RECORD, actor, creating=True)
    record(AuditAction.CREATE, "fine", fine.id, actor=actor)
    return fine


# --- Moves -----------------------------------------------------------------------------------


def candidate_bookings(fine: Fine) -> list[Booking]:
    """The rentals staff may name as the driver's: those the handover records point to."""
    answer = driver_at(fine)
    return answer.candidates


def identify_driver(fine: Fine, booking_id: int | None, actor: User) -> Fine:
    booking = next((b for b in candidate_bookings(fine) if b.id == booking_id), None)
    if booking is None:
        raise Invalid(
            _("Choisissez la location pendant laquelle le véhicule a été pris en infraction."), field="booking_id"
        )
    lifecycle.move(fine, FineAction.IDENTIFY, actor)
    fine.booking = booking
    fine.beneficiary = booking.beneficiary
    db.session.flush()
    record(AuditAction.UPDATE, "fine", fine.id, actor=actor, fields=("status", "beneficiary"))
    notifications.driver_identified(fine)
    return fine


def designate(fine: Fine, reference: str | None, designated_on: date | None, actor: User, today: date) -> Fine:
    if not fine.requires_designation:
        raise Refused(_("Cette infraction ne se désigne pas : l'association la paie ou la conteste."))
    reference = (reference or "").strip()
    if not reference:
        raise Invalid(_("Indiquez la référence de confirmation donnée par l'ANTAI."), field="reference")
    if designated_on is None:
        raise Invalid(_("Indiquez la date de la désignation."), field="designated_on")
    if designated_on > today:
        raise Invalid(_("La date de la désignation ne peut pas être dans le futur."), field="designated_on")
    if designated_on < fine.notice_sent_on:
        raise Invalid(_("La désignation ne peut pas précéder l'envoi de l'avis."), field="designated_on")
    lifecycle.move(fine, FineAction.DESIGNATE, actor)
    fine.designation_reference = reference
    fine.designated_on = designated_on
    db.session.flush()
    record(AuditAction.UPDATE, "fine", fine.id, actor=actor, fields=("status", "designation"))
    notifications.designated(fine)
    return fine


def simple_move(fine: Fine, action: FineAction, actor: User, reason: str | None) -> Fine:
    """Contest, pay or close (the moves without facts of their own)."""
    if action not in (FineAction.CONTEST, FineAction.PAY, FineAction.CLOSE):
        raise NotFound(_("Cette action n'existe pas."))
    lifecycle.move(fine, action, actor, reason)
    db.session.flush()
    record(AuditAction.UPDATE, "fine", fine.id, actor=actor, fields=("status",))
    return fine


# --- The designation page ----------------------------------------------------------------------


@dataclass(frozen=True)
class DesignationFact:
    label: str
    value: str | None  # None: the file does not hold it (to fill in by hand)


def designation_facts(beneficiary: Beneficiary) -> list[DesignationFact]:
    """What the designation form asks about the driver, with what the file holds of it.

    The file holds no birth place, no street address, no licence number and no issuing
    authority (data minimisation): those are left blank and listed as missing.
    """
    commune = beneficiary.commune
    licence = None
    if beneficiary.licence_b_issued_on is not None:
        licence = "B"
    elif beneficiary.has_am_licence:
        licence = "AM"
    return [
        DesignationFact(_("Nom"), beneficiary.last_name),
        DesignationFact(_("Prénom"), beneficiary.first_name),
        DesignationFact(_("Date de naissance"), beneficiary.birth_date.strftime("%d/%m/%Y") if beneficiary.birth_date else None),
        DesignationFact(_("Lieu de naissance"), None),
        DesignationFact(_("Adresse (numéro et voie)"), None),
        DesignationFact(_("Code postal et commune"), f"{commune.postal_codes.split()[0]} {commune.name}" if commune else None),
        DesignationFact(_("Numéro du permis de conduire"), None),
        DesignationFact(_("Catégorie du permis"), licence),
        DesignationFact(
            _("Date de délivrance du permis"),
            beneficiary.licence_b_issued_on.strftime("%d/%m/%Y") if beneficiary.licence_b_issued_on else None,
        ),
        DesignationFact(_("Lieu ou autorité de délivrance du permis"), None),
    ]


__all__ = [
    "FineData",
    "FineStatus",
    "candidate_bookings",
    "designate",
    "designation_facts",
    "driver_at",
    "due_fines",
    "get_visible_fine",
    "identify_driver",
    "record_fine",
    "simple_move",
    "visible_fines",
]


def fines_due_for_home(user: User, day: date) -> list[tuple[Fine, int]]:
    """The association's fines to designate within FINES_DUE_SOON_DAYS or late, with the days
    left (negative: late), for its home page."""
    return [(fine, fine.days_left(day)) for fine in due_fines(user.organisation_id, day)]
