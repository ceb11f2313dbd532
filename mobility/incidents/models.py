"""Incidents during a rental (accident, breakdown, theft, vandalism), their photos, the
insurance claim that may follow, and each association's rules for claims.

An incident is about a person when it happened during their rental: only the vehicle's
association staff and the person's référent read it (see access.py).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import Organisation, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.models import Booking, Handover
from mobility.core.enums import LabelledEnum
from mobility.core.time import local, utcnow
from mobility.core.types import UTCDateTime, str_enum
from mobility.core.statemachine import MoveLog
from mobility.extensions import db
from mobility.fleet.models import StoredFile, Unavailability, Vehicle, stored_file_constraints


class IncidentKind(LabelledEnum):
    ACCIDENT = "accident"
    BREAKDOWN = "breakdown"
    THEFT = "theft"
    VANDALISM = "vandalism"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.ACCIDENT: _l("Accident"),
            cls.BREAKDOWN: _l("Panne"),
            cls.THEFT: _l("Vol"),
            cls.VANDALISM: _l("Vandalisme"),
            cls.OTHER: _l("Autre"),
        }


class IncidentStatus(LabelledEnum):
    REPORTED = "reported"
    OFF_ROAD = "off_road"
    REPAIRED = "repaired"
    CLOSED = "closed"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.REPORTED: _l("signalé"),
            cls.OFF_ROAD: _l("véhicule immobilisé"),
            cls.REPAIRED: _l("véhicule réparé"),
            cls.CLOSED: _l("clos"),
        }


class DeductibleBearer(LabelledEnum):
    ASSOCIATION = "association"
    BENEFICIARY = "beneficiary"
    OTHER_PARTY = "other_party"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.ASSOCIATION: _l("l'association"),
            cls.BENEFICIARY: _l("la personne (à lui demander, jamais prélevée d'office)"),
            cls.OTHER_PARTY: _l("l'autre partie ou son assureur"),
        }


class Incident(db.Model):
    __tablename__ = "incident"
    __table_args__ = (
        # Nothing is reported before it happened (the service says so in French first).
        CheckConstraint("occurred_at <= reported_at", name="not_reported_before_it_happened"),
        CheckConstraint("length(trim(description)) > 0", name="description_not_blank"),
        CheckConstraint("length(trim(place)) > 0", name="place_not_blank"),
        CheckConstraint("repaired_at IS NULL OR repaired_at >= occurred_at", name="repaired_after_it_happened"),
        Index("ix_incident_vehicle_id_occurred_at", "vehicle_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The rental during which it happened (None: the vehicle was at the site).
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    # Set when the incident was found at the vehicle's return (a new damage).
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("handover.id"))
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind, "incident_kind"))
    status: Mapped[IncidentStatus] = mapped_column(str_enum(IncidentStatus, "incident_status"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    other_party_involved: Mapped[bool] = mapped_column(Boolean, default=False)
    police_report_reference: Mapped[str | None] = mapped_column(String(60))
    stops_vehicle: Mapped[bool] = mapped_column(Boolean, default=False)
    # The fleet's unavailability that keeps the vehicle off the road until it is repaired.
    unavailability_id: Mapped[int | None] = mapped_column(ForeignKey("unavailability.id", ondelete="SET NULL"))
    repaired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vehicle: Mapped[Vehicle] = relationship()
    association: Mapped[Organisation] = relationship()
    booking: Mapped[Booking | None] = relationship()
    beneficiary: Mapped[Beneficiary | None] = relationship()
    handover: Mapped[Handover | None] = relationship()
    unavailability: Mapped[Unavailability | None] = relationship()
    reported_by: Mapped[User | None] = relationship()
    transitions: Mapped[list[IncidentTransition]] = relationship(
        back_populates="incident", order_by="(IncidentTransition.occurred_at, IncidentTransition.id)"
    )
    photos: Mapped[list[ConditionPhoto]] = relationship(
        back_populates="incident", order_by="ConditionPhoto.id", foreign_keys="ConditionPhoto.incident_id"
    )
    claim: Mapped[InsuranceClaim | None] = relationship(back_populates="incident", uselist=False)

    @property
    def reference(self) -> str:
        return f"S-{self.id:06d}"

    @property
    def occurred_on(self) -> date:
        return local(self.occurred_at).date()


class IncidentTransition(MoveLog, db.Model):
    """Every change of an incident's status, with who, when and why."""

    __tablename__ = "incident_transition"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[IncidentStatus | None] = mapped_column(str_enum(IncidentStatus, "incident_from_status"))
    to_status: Mapped[IncidentStatus] = mapped_column(str_enum(IncidentStatus, "incident_to_status"))

    incident: Mapped[Incident] = relationship(back_populates="transitions")


class ConditionPhoto(StoredFile, db.Model):
    """A photo of the vehicle, re-encoded without its metadata: of an incident, or of the
    vehicle's condition at a check-out or a return."""

    __tablename__ = "condition_photo"
    __table_args__ = (
        *stored_file_constraints(),
        CheckConstraint("incident_id IS NOT NULL OR handover_id IS NOT NULL", name="photo_of_something"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("handover.id", ondelete="CASCADE"), index=True)

    incident: Mapped[Incident | None] = relationship(back_populates="photos", foreign_keys=[incident_id])
    handover: Mapped[Handover | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class InsuranceClaim(db.Model):
    """The declaration of an incident to the association's insurer, and what followed."""

    __tablename__ = "insurance_claim"
    __table_args__ = (
        CheckConstraint("repair_cost_cents IS NULL OR repair_cost_cents >= 0", name="repair_cost_not_negative"),
        CheckConstraint("deductible_cents IS NULL OR deductible_cents >= 0", name="deductible_not_negative"),
        CheckConstraint("declared_on IS NULL OR expert_visit_on IS NULL OR expert_visit_on >= declared_on",
                        name="expert_after_declaration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), unique=True)
    insurer_reference: Mapped[str | None] = mapped_column(String(60))
    declared_on: Mapped[date | None] = mapped_column(Date)
    # The last day to declare it, counted in working days from the incident (the association's rule).
    deadline_on: Mapped[date] = mapped_column(Date, index=True)
    expert_visit_on: Mapped[date | None] = mapped_column(Date)
    repair_cost_cents: Mapped[int | None] = mapped_column(Integer)
    deductible_cents: Mapped[int | None] = mapped_column(Integer)
    deductible_borne_by: Mapped[DeductibleBearer] = mapped_column(str_enum(DeductibleBearer, "deductible_bearer"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="claim")

    @property
    def reference(self) -> str:
        return f"D-{self.id:06d}"


class IncidentPolicy(db.Model):
    """An association's rules for claims: its insurance contract's declaration delay, and who
    bears the deductible by default. Without a row: five working days, the association."""

    __tablename__ = "incident_policy"
    __table_args__ = (
        # Code des assurances L113-2: the contract may not give less than five working days.
        CheckConstraint("claim_working_days BETWEEN 5 AND 30", name="claim_working_days_range"),
    )

    association_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    claim_working_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    deductible_borne_by: Mapped[DeductibleBearer] = mapped_column(
        str_enum(DeductibleBearer, "policy_deductible_bearer"),
        default=DeductibleBearer.ASSOCIATION,
        server_default=DeductibleBearer.ASSOCIATION.value,
    )
