"""Incidents and insurance claims: record, take the vehicle off the road, repair, close, declare.

Services take plain values and the acting user, flush and never commit; refusals are
DomainErrors with a French message and a field. A vehicle taken off the road gets a fleet
unavailability in the same transaction, through the fleet's own service, so the guarantee
against double booking is the one every unavailability has (the database refuses one over a
holding booking). The person's rental is dealt with first, in the same transaction: a
replacement vehicle free for the rest of it, or an early end (booking.services.replacement).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Organisation, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.models import Booking, BookingStatus, Handover
from mobility.booking.services.guards import take_write_lock
from mobility.booking.services.replacement import end_early, replace_vehicle
from mobility.core.errors import Invalid, NotFound, Refused
from mobility.core.time import PARIS, local, utcnow
from mobility.extensions import db
from mobility.fleet.availability import days_to_period
from mobility.fleet.models import UnavailabilityKind, Vehicle
from mobility.fleet.services import FleetError, add_unavailability
from mobility.incidents import lifecycle
from mobility.incidents.lifecycle import IncidentAction
from mobility.incidents.models import (
    DeductibleBearer,
    Incident,
    IncidentKind,
    IncidentPolicy,
    IncidentStatus,
    InsuranceClaim,
)
from mobility.incidents.photos import CleanPhoto, store_photos
from mobility.incidents.rules import (
    CLAIM_REMINDER_WORKING_DAYS,
    DEFAULT_CLAIM_WORKING_DAYS,
    claim_deadline,
    incident_settings,
    working_days_between,
)

# Kinds that an insurer usually needs to hear of (a breakdown is the garage's business).
INSURABLE_KINDS = (IncidentKind.ACCIDENT, IncidentKind.THEFT, IncidentKind.VANDALISM)


class Continuation(enum.Enum):
    """What becomes of the person's rental when the vehicle stops."""

    REPLACE = "replace"
    END = "end"


@dataclass
class IncidentReport:
    kind: IncidentKind
    occurred_at: datetime
    place: str
    description: str
    other_party_involved: bool = False
    police_report_reference: str | None = None
    stops_vehicle: bool = False


@dataclass
class OffRoad:
    """Staff's decision when the vehicle stops: until when (an estimate), and the rental's fate."""

    until_on: date
    continuation: Continuation | None = None
    replacement: Vehicle | None = None


def _fr_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _fr_moment(moment: datetime) -> str:
    return local(moment).strftime("%d/%m/%Y %H:%M")


def returned_at(booking: Booking) -> datetime | None:
    """When the vehicle came back: the return handover, else the booking's end once returned."""
    handover: Handover | None = booking.return_handover
    if handover is not None:
        return handover.recorded_at
    return booking.ends_at if booking.status == BookingStatus.RETURNED else None


def check_moment(occurred_at: datetime, booking: Booking | None, now: datetime) -> None:
    if occurred_at > now + timedelta(minutes=1):
        raise Invalid(_("Le moment de l'incident ne peut pas être dans le futur."), field="occurred_at")
    if booking is None:
        return
    if occurred_at < booking.starts_at:
        raise Invalid(
            _("L'incident ne peut pas dater d'avant le début de la location (%(moment)s).",
              moment=_fr_moment(booking.starts_at)),
            field="occurred_at",
        )
    back = returned_at(booking)
    if back is not None and occurred_at > back:
        raise Invalid(
            _("La location est terminée : le véhicule est revenu le %(moment)s, l'incident ne peut pas dater d'après.",
              moment=_fr_moment(back)),
            field="occurred_at",
        )


def current_rental_of(user: User, now: datetime | None = None) -> Booking | None:
    """A beneficiary's rental in progress (the only one they may report an incident for)."""
    return db.session.scalar(
        select(Booking)
        .join(Beneficiary, Beneficiary.id == Booking.beneficiary_id)
        .where(Beneficiary.user_id == user.id, Booking.status == BookingStatus.IN_PROGRESS)
        .order_by(Booking.starts_at.desc())
        .limit(1)
    )


def report_incident(
    vehicle: Vehicle,
    booking: Booking | None,
    report: IncidentReport,
    photos: list[CleanPhoto],
    actor: User,
    *,
    off_road: OffRoad | None = None,
    handover: Handover | None = None,
    now: datetime | None = None,
) -> Incident:
    """Record an incident (with its photos); with `off_road`, take the vehicle off the road now."""
    take_write_lock()
    now = now or utcnow()
    if booking is not None and booking.vehicle_id != vehicle.id:
        raise NotFound(_("Cette location ne concerne pas ce véhicule."))
    check_moment(report.occurred_at, booking, now)
    incident = Incident(
        vehicle_id=vehicle.id,
        association_id=vehicle.association_id,
        booking_id=booking.id if booking is not None else None,
        beneficiary_id=booking.beneficiary_id if booking is not None else None,
        handover_id=handover.id if handover is not None else None,
        kind=report.kind,
        occurred_at=report.occurred_at,
        place=report.place.strip(),
        description=report.description.strip(),
        other_party_involved=report.other_party_involved,
        police_report_reference=(report.police_report_reference or "").strip() or None,
        stops_vehicle=report.stops_vehicle or off_road is not None,
        reported_by_id=actor.id,
        reported_at=now,
    )
    action = IncidentAction.REPORT_OFF_ROAD if off_road is not None else IncidentAction.REPORT
    lifecycle.move(incident, action, actor, creating=True)
    db.session.add(incident)
    db.session.flush()
    store_photos(photos, actor, incident_id=incident.id)
    if off_road is not None:
        _take_off_road(incident, off_road, actor, now)
    record(AuditAction.CREATE, "incident", incident.id, actor=actor)
    return incident


def take_off_road(incident: Incident, off_road: OffRoad, actor: User, now: datetime | None = None) -> Incident:
    take_write_lock()
    lifecycle.move(incident, IncidentAction.TAKE_OFF_ROAD, actor)
    _take_off_road(incident, off_road, actor, now or utcnow())
    record(AuditAction.UPDATE, "incident", incident.id, actor=actor, fields=("status",))
    return incident


def _take_off_road(incident: Incident, off_road: OffRoad, actor: User, now: datetime) -> None:
    incident.stops_vehicle = True
    booking = incident.booking
    if booking is not None and booking.status == BookingStatus.IN_PROGRESS and booking.vehicle_id == incident.vehicle_id:
        reason = _("Incident %(reference)s du %(moment)s.", reference=incident.reference,
                   moment=_fr_moment(incident.occurred_at))
        if off_road.continuation is Continuation.REPLACE:
            if off_road.replacement is None:
                raise Invalid(_("Choisissez le véhicule de remplacement."), field="replacement_vehicle_id")
            replace_vehicle(booking, off_road.replacement, incident.occurred_at, actor, reason)
        elif off_road.continuation is Continuation.END:
            end_early(booking, incident.occurred_at, actor, reason)
        else:
            raise Invalid(
                _("La location est en cours : proposez un véhicule de remplacement ou arrêtez la location."),
                field="continuation",
            )
    starts_at = incident.occurred_at
    ends_at = days_to_period(local(starts_at).date(), off_road.until_on)[1]
    if ends_at <= max(starts_at, now):
        raise Invalid(_("La date de retour prévue doit être aujourd'hui ou plus tard."), field="until_on")
    try:
        incident.unavailability = add_unavailability(
            incident.vehicle,
            starts_at,
            ends_at,
            UnavailabilityKind.INCIDENT,
            _("Incident %(reference)s : %(kind)s", reference=incident.reference, kind=incident.kind.label),
            actor,
        )
    except FleetError as refusal:
        raise Refused(refusal.message, field="until_on") from None
    db.session.flush()


def mark_repaired(incident: Incident, actor: User, now: datetime | None = None) -> Incident:
    """The vehicle is back: its unavailability ends now (never later than planned)."""
    now = now or utcnow()
    lifecycle.move(incident, IncidentAction.MARK_REPAIRED, actor)
    incident.repaired_at = max(now, incident.occurred_at)
    unavailability = incident.unavailability
    if unavailability is not None and unavailability.starts_at < now < unavailability.ends_at:
        unavailability.ends_at = now
    db.session.flush()
    record(AuditAction.UPDATE, "incident", incident.id, actor=actor, fields=("status", "repaired_at"))
    return incident


def close(incident: Incident, actor: User, reason: str | None = None) -> Incident:
    lifecycle.move(incident, IncidentAction.CLOSE, actor, reason)
    db.session.flush()
    record(AuditAction.UPDATE, "incident", incident.id, actor=actor, fields=("status",))
    return incident


# --- The association's rules and claims ---------------------------------------------------------


def policy_of(association_id: int) -> IncidentPolicy:
    """The association's rules, or the defaults (not added to the session)."""
    policy = db.session.get(IncidentPolicy, association_id)
    return policy or IncidentPolicy(
        association_id=association_id,
        claim_working_days=DEFAULT_CLAIM_WORKING_DAYS,
        deductible_borne_by=DeductibleBearer.ASSOCIATION,
    )


def update_policy(
    association: Organisation, *, emergency_phone: str | None, claim_working_days: int,
    deductible_borne_by: DeductibleBearer, actor: User,
) -> IncidentPolicy:
    if not 5 <= claim_working_days <= 30:
        raise Invalid(
            _("Le délai de déclaration va de 5 jours ouvrés (le minimum légal) à 30."), field="claim_working_days"
        )
    policy = db.session.get(IncidentPolicy, association.id)
    if policy is None:
        policy = IncidentPolicy(association_id=association.id)
        db.session.add(policy)
    policy.claim_working_days = claim_working_days
    policy.deductible_borne_by = deductible_borne_by
    association.emergency_phone = emergency_phone
    db.session.flush()
    record(AuditAction.UPDATE, "incident_policy", association.id, actor=actor,
           fields=("emergency_phone", "claim_working_days", "deductible_borne_by"))
    return policy


def deadline_for(incident: Incident) -> date:
    return claim_deadline(incident.occurred_on, policy_of(incident.association_id).claim_working_days)


@dataclass
class ClaimDetails:
    insurer_reference: str | None
    declared_on: date | None
    expert_visit_on: date | None
    repair_cost_cents: int | None
    deductible_cents: int | None
    deductible_borne_by: DeductibleBearer | None
    notes: str | None = None


def record_claim(incident: Incident, details: ClaimDetails, actor: User, today: date) -> InsuranceClaim:
    """Open or update the incident's claim. The deductible is never charged to anybody here: a
    payment exists only when staff record one on the rental's payments page."""
    if details.declared_on is not None:
        if details.declared_on < incident.occurred_on:
            raise Invalid(
                _("La déclaration ne peut pas précéder l'incident (le %(day)s).", day=_fr_date(incident.occurred_on)),
                field="declared_on",
            )
        if details.declared_on > today:
            raise Invalid(_("La date de déclaration ne peut pas être dans le futur."), field="declared_on")
    if details.expert_visit_on is not None:
        if details.declared_on is None:
            raise Invalid(_("Indiquez d'abord la date de déclaration à l'assureur."), field="declared_on")
        if details.expert_visit_on < details.declared_on:
            raise Invalid(_("La visite de l'expert ne peut pas précéder la déclaration."), field="expert_visit_on")
    rules = policy_of(incident.association_id)
    claim = incident.claim
    creating = claim is None
    if claim is None:
        claim = InsuranceClaim(
            incident=incident,
            deadline_on=claim_deadline(incident.occurred_on, rules.claim_working_days),
            created_by_id=actor.id,
        )
        db.session.add(claim)
    claim.insurer_reference = (details.insurer_reference or "").strip() or None
    claim.declared_on = details.declared_on
    claim.expert_visit_on = details.expert_visit_on
    claim.repair_cost_cents = details.repair_cost_cents
    claim.deductible_cents = details.deductible_cents
    claim.deductible_borne_by = details.deductible_borne_by or rules.deductible_borne_by
    claim.notes = (details.notes or "").strip() or None
    db.session.flush()
    record(AuditAction.CREATE if creating else AuditAction.UPDATE, "insurance_claim", claim.id, actor=actor)
    return claim


@dataclass(frozen=True)
class ClaimDue:
    incident: Incident
    deadline_on: date
    working_days_left: int

    @property
    def late(self) -> bool:
        return self.working_days_left < 0


def claims_due(association_id: int, today: date) -> list[ClaimDue]:
    """Claims not declared yet whose deadline is within CLAIM_REMINDER_WORKING_DAYS working days,
    or past: incidents an insurer must hear of, and every incident whose claim was opened."""
    since = datetime.combine(today - timedelta(days=90), time.min, tzinfo=PARIS)
    incidents = db.session.scalars(
        select(Incident)
        .outerjoin(InsuranceClaim, InsuranceClaim.incident_id == Incident.id)
        .where(
            Incident.association_id == association_id,
            Incident.status != IncidentStatus.CLOSED,
            Incident.occurred_at >= since,
            InsuranceClaim.declared_on.is_(None),
            (Incident.kind.in_(INSURABLE_KINDS)) | (InsuranceClaim.id.is_not(None)),
        )
        .order_by(Incident.occurred_at)
    )
    due = []
    for incident in incidents:
        deadline = incident.claim.deadline_on if incident.claim is not None else deadline_for(incident)
        left = working_days_between(today, deadline)
        if left <= CLAIM_REMINDER_WORKING_DAYS:
            due.append(ClaimDue(incident, deadline, left))
    return due


def incidents_of_vehicle(vehicle: Vehicle) -> list[Incident]:
    return list(
        db.session.scalars(
            select(Incident).where(Incident.vehicle_id == vehicle.id).order_by(Incident.occurred_at.desc())
        )
    )


def repeated_incidents(vehicle: Vehicle, now: datetime | None = None) -> int | None:
    """The number of incidents within the setting's months when it reaches its threshold."""
    settings = incident_settings()
    now = now or utcnow()
    since = now - timedelta(days=round(settings.repeat_months * 365.25 / 12))
    count = db.session.scalar(
        select(func.count(Incident.id)).where(Incident.vehicle_id == vehicle.id, Incident.occurred_at >= since)
    )
    return count if count >= settings.repeat_threshold else None
