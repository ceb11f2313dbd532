"""Cessions: the conventions binding the Département and an association, the vehicles ceded
under them, their paperwork and the log of every move of a cession's state.

What the database holds by itself:
- a cession belongs to its convention's association (a composite foreign key onto
  convention (id, association_id));
- a VIN is one vehicle through its whole life: unique among cessions, unique in the fleet,
  and a fleet vehicle linked to a cession carries that cession's VIN (the vehicle's
  (cession_id, vin) references cession (id, vin), see mobility/fleet/models.py);
- values are never negative, dates in order, a priced convention names its decision.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import Organisation, User
from mobility.core.enums import LabelledEnum
from mobility.core.statemachine import MoveLog
from mobility.core.time import utcnow
from mobility.core.types import UTCDateTime, str_enum
from mobility.extensions import db
from mobility.fleet.models import Energy, StoredFile, Vehicle, VehicleCategory, stored_file_constraints


class ConventionKind(LabelledEnum):
    FREE = "free"
    PRICED = "priced"

    @classmethod
    def _labels(cls):
        return {cls.FREE: _l("Cession gratuite"), cls.PRICED: _l("Cession à titre onéreux (prix voté)")}


class CessionState(LabelledEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TRANSFERRED = "transferred"
    REGISTERED = "registered"
    IN_SERVICE = "in_service"
    SCRAPPED = "scrapped"
    RESOLD = "resold"

    @classmethod
    def _labels(cls):
        return {
            cls.PROPOSED: _l("proposée à l'association"),
            cls.ACCEPTED: _l("acceptée par l'association"),
            cls.DECLINED: _l("refusée par l'association"),
            cls.TRANSFERRED: _l("véhicule remis"),
            cls.REGISTERED: _l("immatriculé au nom de l'association"),
            cls.IN_SERVICE: _l("en service dans la flotte"),
            cls.SCRAPPED: _l("détruit (VHU)"),
            cls.RESOLD: _l("revendu"),
        }


class CessionAction(LabelledEnum):
    PROPOSE = "propose"
    ACCEPT = "accept"
    DECLINE = "decline"
    TRANSFER = "transfer"
    REGISTER = "register"
    PUT_IN_SERVICE = "put_in_service"
    SCRAP = "scrap"
    RESELL = "resell"

    @classmethod
    def _labels(cls):
        return {
            cls.PROPOSE: _l("Proposer le véhicule"),
            cls.ACCEPT: _l("Accepter la cession"),
            cls.DECLINE: _l("Refuser la cession"),
            cls.TRANSFER: _l("Enregistrer la remise du véhicule"),
            cls.REGISTER: _l("Enregistrer l'immatriculation au nom de l'association"),
            cls.PUT_IN_SERVICE: _l("Mettre en service dans la flotte"),
            cls.SCRAP: _l("Déclarer la destruction"),
            cls.RESELL: _l("Déclarer la revente"),
        }


class PaperworkKind(LabelledEnum):
    CERTIFICATE_OF_SALE = "certificate_of_sale"
    SIV_DECLARATION = "siv_declaration"
    CROSSED_OUT_CERTIFICATE = "crossed_out_certificate"
    NON_PLEDGE = "non_pledge"
    TECHNICAL_INSPECTION = "technical_inspection"
    REGISTRATION = "registration"

    @classmethod
    def _labels(cls):
        return {
            cls.CERTIFICATE_OF_SALE: _l("Certificat de cession (Cerfa 15776) signé des deux parties"),
            cls.SIV_DECLARATION: _l("Déclaration de cession au SIV par le Département"),
            cls.CROSSED_OUT_CERTIFICATE: _l("Carte grise barrée « cédé le » avec la date, signée"),
            cls.NON_PLEDGE: _l("Certificat de situation administrative (non-gage)"),
            cls.TECHNICAL_INSPECTION: _l("Procès-verbal de contrôle technique"),
            cls.REGISTRATION: _l("Immatriculation au nom de l'association"),
        }


class CessionDocument(StoredFile, db.Model):
    """A file kept under UPLOAD_DIR with a generated name (the fleet's rules: type from the
    first bytes, size limit); a convention or a paperwork item points at it."""

    __tablename__ = "cession_document"
    __table_args__ = stored_file_constraints()

    id: Mapped[int] = mapped_column(primary_key=True)


class Convention(db.Model):
    __tablename__ = "convention"
    __table_args__ = (
        CheckConstraint("length(trim(reference)) > 0", name="reference_not_blank"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("max_vehicles > 0 AND max_vehicles <= 10000", name="max_vehicles_range"),
        CheckConstraint(
            "kind = 'free' OR (price_decision_reference IS NOT NULL AND length(trim(price_decision_reference)) > 0)",
            name="priced_names_decision",
        ),
        # Target of cession's (convention_id, association_id).
        UniqueConstraint("id", "association_id", name="uq_convention_id_association_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    max_vehicles: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ConventionKind] = mapped_column(str_enum(ConventionKind, "convention_kind"))
    price_decision_reference: Mapped[str | None] = mapped_column(String(60))
    obligations: Mapped[str | None] = mapped_column(Text)
    signed_document_id: Mapped[int | None] = mapped_column(ForeignKey("cession_document.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    association: Mapped[Organisation] = relationship(lazy="joined")
    signed_document: Mapped[CessionDocument | None] = relationship()
    cessions: Mapped[list[Cession]] = relationship(
        back_populates="convention",
        order_by="Cession.ceded_on",
        primaryjoin="Convention.id == foreign(Cession.convention_id)",
        viewonly=True,
    )

    def __str__(self) -> str:
        return self.reference

    @property
    def label(self) -> str:
        return f"{self.reference} — {self.association.name}"

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def is_free(self) -> bool:
        return self.kind is ConventionKind.FREE


class Cession(db.Model):
    __tablename__ = "cession"
    __table_args__ = (
        ForeignKeyConstraint(
            ["convention_id", "association_id"],
            ["convention.id", "convention.association_id"],
            name="fk_cession_convention_id_convention",
        ),
        # Target of vehicle's (cession_id, vin): the fleet vehicle of a cession has its VIN.
        UniqueConstraint("id", "vin", name="uq_cession_id_vin"),
        CheckConstraint("length(vin) = 17 AND vin = upper(vin)", name="vin_format"),
        CheckConstraint("plate = upper(plate) AND length(plate) BETWEEN 6 AND 12", name="plate_normalised"),
        CheckConstraint("value_cents >= 0", name="value_not_negative"),
        CheckConstraint("odometer_km >= 0 AND odometer_km < 2000000", name="odometer_plausible"),
        CheckConstraint("ceded_on >= first_registered_on", name="ceded_after_first_registration"),
        CheckConstraint("first_registered_on > '1950-01-01'", name="first_registered_plausible"),
        CheckConstraint("length(trim(make)) > 0 AND length(trim(model)) > 0", name="make_model_not_blank"),
        CheckConstraint("length(trim(decision_reference)) > 0", name="decision_reference_not_blank"),
        CheckConstraint(
            "resale_agreement_reference IS NULL OR resale_agreed_on IS NOT NULL", name="resale_agreement_dated"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(Integer, index=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    decision_reference: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date] = mapped_column(Date)
    plate: Mapped[str] = mapped_column(String(12))
    vin: Mapped[str] = mapped_column(String(17), unique=True)
    make: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(60))
    first_registered_on: Mapped[date] = mapped_column(Date)
    category: Mapped[VehicleCategory] = mapped_column(str_enum(VehicleCategory, "cession_category"))
    energy: Mapped[Energy] = mapped_column(str_enum(Energy, "cession_energy"))
    odometer_km: Mapped[int] = mapped_column(Integer)
    value_cents: Mapped[int] = mapped_column(Integer)
    ceded_on: Mapped[date] = mapped_column(Date, index=True)
    # The hour written on the Cerfa 15776 (the new owner's liability starts then).
    ceded_at_time: Mapped[time | None] = mapped_column(Time)
    state: Mapped[CessionState] = mapped_column(str_enum(CessionState, "cession_state"), index=True)
    # The Département's agreement to a resale (needed for a vehicle ceded free).
    resale_agreement_reference: Mapped[str | None] = mapped_column(String(60))
    resale_agreed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    convention: Mapped[Convention] = relationship(
        back_populates="cessions",
        primaryjoin="foreign(Cession.convention_id) == Convention.id",
        lazy="joined",
    )
    association: Mapped[Organisation] = relationship(lazy="joined")
    paperwork: Mapped[list[PaperworkItem]] = relationship(
        back_populates="cession", order_by="PaperworkItem.id", cascade="all, delete-orphan"
    )
    transitions: Mapped[list[CessionTransition]] = relationship(
        back_populates="cession", order_by="CessionTransition.id", cascade="all, delete-orphan"
    )
    vehicle: Mapped[Vehicle | None] = relationship(
        primaryjoin="Cession.id == foreign(Vehicle.cession_id)", uselist=False, viewonly=True
    )

    def __str__(self) -> str:
        return f"{self.make} {self.model} ({self.plate})"

    @property
    def reference(self) -> str:
        return f"CES-{self.id:05d}"

    def paperwork_of(self, kind: PaperworkKind) -> PaperworkItem | None:
        return next((item for item in self.paperwork if item.kind is kind), None)


class PaperworkItem(db.Model):
    """One piece of paperwork done: its date, its document, and for the registration the new
    certificate's number. Deadlines are computed by mobility/cession/rules.py, not stored."""

    __tablename__ = "cession_paperwork"
    __table_args__ = (
        UniqueConstraint("cession_id", "kind", name="uq_cession_paperwork_cession_id_kind"),
        CheckConstraint(
            "kind <> 'registration' OR (certificate_number IS NOT NULL AND length(trim(certificate_number)) > 0)",
            name="registration_has_certificate_number",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cession_id: Mapped[int] = mapped_column(ForeignKey("cession.id", ondelete="CASCADE"))
    kind: Mapped[PaperworkKind] = mapped_column(str_enum(PaperworkKind, "paperwork_kind"))
    done_on: Mapped[date] = mapped_column(Date)
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("cession_document.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cession: Mapped[Cession] = relationship(back_populates="paperwork")
    document: Mapped[CessionDocument | None] = relationship(lazy="joined")
    recorded_by: Mapped[User | None] = relationship()


class CessionTransition(MoveLog, db.Model):
    """One row per move of a cession's state: who, when, why."""

    __tablename__ = "cession_transition"

    cession_id: Mapped[int] = mapped_column(ForeignKey("cession.id", ondelete="CASCADE"), index=True)
    action: Mapped[CessionAction] = mapped_column(str_enum(CessionAction, "cession_action"))
    from_state: Mapped[CessionState | None] = mapped_column(str_enum(CessionState, "cession_from_state"))
    to_state: Mapped[CessionState] = mapped_column(str_enum(CessionState, "cession_to_state"))

    cession: Mapped[Cession] = relationship(back_populates="transitions")
