"""Traffic fines (avis de contravention) received by an association for one of its vehicles.

A fine names no one by itself: the person is the beneficiary file it points to once staff have
identified the driver, read live from that file (so the fine follows the file's retention and
becomes pseudonymous when the file is anonymised). The database holds what it can: one avis
number once, an amount above zero, a designation with its reference and date, a person for
the states that need one, and a deadline after the sending date.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import Organisation, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.models import Booking
from mobility.core.enums import LabelledEnum
from mobility.core.time import local, utcnow
from mobility.core.types import UTCDateTime, str_enum
from mobility.core.statemachine import MoveLog
from mobility.extensions import db
from mobility.fleet.models import Vehicle


class OffenceKind(LabelledEnum):
    """What the avis says was done; `requires_designation` says whether the holder of the
    registration certificate must designate the driver (L121-6 lists the offences found by
    automated or unintercepted checks; parking is the holder's own debt, L121-2)."""

    SPEED = "speed"
    RED_LIGHT = "red_light"
    STOP_SIGN = "stop_sign"
    PHONE = "phone"
    SEAT_BELT = "seat_belt"
    BUS_LANE = "bus_lane"
    SAFETY_DISTANCE = "safety_distance"
    OVERTAKING = "overtaking"
    NO_INSURANCE = "no_insurance"
    PARKING = "parking"
    OTHER_DESIGNATION = "other_designation"
    OTHER_NO_DESIGNATION = "other_no_designation"

    @classmethod
    def _labels(cls):
        return {
            cls.SPEED: _l("excès de vitesse"),
            cls.RED_LIGHT: _l("feu rouge non respecté"),
            cls.STOP_SIGN: _l("stop non respecté"),
            cls.PHONE: _l("téléphone tenu en main"),
            cls.SEAT_BELT: _l("ceinture non attachée"),
            cls.BUS_LANE: _l("circulation sur une voie réservée"),
            cls.SAFETY_DISTANCE: _l("distance de sécurité non respectée"),
            cls.OVERTAKING: _l("dépassement dangereux"),
            cls.NO_INSURANCE: _l("défaut d'assurance"),
            cls.PARKING: _l("stationnement"),
            cls.OTHER_DESIGNATION: _l("autre infraction à désigner"),
            cls.OTHER_NO_DESIGNATION: _l("autre infraction sans désignation"),
        }

    @property
    def requires_designation(self) -> bool:
        return self not in (OffenceKind.PARKING, OffenceKind.OTHER_NO_DESIGNATION)


class FineStatus(LabelledEnum):
    RECEIVED = "received"
    DRIVER_IDENTIFIED = "driver_identified"
    DESIGNATED = "designated"
    CONTESTED = "contested"
    PAID_BY_ASSOCIATION = "paid_by_association"
    CLOSED = "closed"

    @classmethod
    def _labels(cls):
        return {
            cls.RECEIVED: _l("avis reçu"),
            cls.DRIVER_IDENTIFIED: _l("conducteur identifié"),
            cls.DESIGNATED: _l("conducteur désigné"),
            cls.CONTESTED: _l("contesté"),
            cls.PAID_BY_ASSOCIATION: _l("payé par l'association"),
            cls.CLOSED: _l("clos"),
        }


# States in which the designation is still to be made (the deadline runs).
OPEN_STATUSES = (FineStatus.RECEIVED, FineStatus.DRIVER_IDENTIFIED)
OPEN_SQL = "('received', 'driver_identified')"


class FineAction(LabelledEnum):
    RECORD = "record"
    IDENTIFY = "identify"
    DESIGNATE = "designate"
    CONTEST = "contest"
    PAY = "pay"
    CLOSE = "close"

    @classmethod
    def _labels(cls):
        return {
            cls.RECORD: _l("Avis enregistré"),
            cls.IDENTIFY: _l("Conducteur identifié"),
            cls.DESIGNATE: _l("Conducteur désigné à l'ANTAI"),
            cls.CONTEST: _l("Avis contesté"),
            cls.PAY: _l("Amende payée par l'association"),
            cls.CLOSE: _l("Dossier clos"),
        }


class DriverFinding(LabelledEnum):
    """What the handover records said about the offence moment when the avis was recorded."""

    DRIVER = "driver"
    AT_SITE = "at_site"
    NEEDS_REVIEW = "needs_review"

    @classmethod
    def _labels(cls):
        return {
            cls.DRIVER: _l("le véhicule était en location"),
            cls.AT_SITE: _l("le véhicule était au site (aucune location en cours)"),
            cls.NEEDS_REVIEW: _l("l'infraction est proche d'une remise ou d'un retour : à vérifier"),
        }


class Fine(db.Model):
    __tablename__ = "fine"
    __table_args__ = (
        CheckConstraint("amount_cents > 0 AND amount_cents < 100000000", name="amount_plausible"),
        CheckConstraint("length(notice_number) = 10", name="notice_number_length"),
        CheckConstraint("designation_due_on > notice_sent_on", name="due_after_sending"),
        CheckConstraint(
            "status <> 'designated' OR (designation_reference IS NOT NULL AND designated_on IS NOT NULL)",
            name="designation_has_reference",
        ),
        CheckConstraint(
            "status NOT IN ('driver_identified', 'designated') OR beneficiary_id IS NOT NULL",
            name="designation_names_person",
        ),
        CheckConstraint("length(trim(place)) > 0", name="place_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"), index=True)
    # The vehicle's association when the avis came: its staff hold the fine.
    association_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    notice_number: Mapped[str] = mapped_column(String(10), unique=True)
    offence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OffenceKind] = mapped_column(str_enum(OffenceKind, "offence_kind"))
    amount_cents: Mapped[int] = mapped_column(Integer)
    notice_sent_on: Mapped[date] = mapped_column(Date)
    # notice_sent_on + FINES_DESIGNATION_DAYS, fixed when recorded (the figures count on it).
    designation_due_on: Mapped[date] = mapped_column(Date, index=True)
    finding: Mapped[DriverFinding] = mapped_column(str_enum(DriverFinding, "fine_finding"))
    status: Mapped[FineStatus] = mapped_column(str_enum(FineStatus, "fine_status"), index=True)
    # The rental during which the offence happened, and its person, once staff confirm it.
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    designation_reference: Mapped[str | None] = mapped_column(String(60))
    designated_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    vehicle: Mapped[Vehicle] = relationship()
    association: Mapped[Organisation] = relationship()
    booking: Mapped[Booking | None] = relationship()
    beneficiary: Mapped[Beneficiary | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    transitions: Mapped[list[FineTransition]] = relationship(
        back_populates="fine", order_by="(FineTransition.occurred_at, FineTransition.id)"
    )

    @property
    def reference(self) -> str:
        return f"AM-{self.id:05d}"

    @property
    def local_offence_at(self) -> datetime:
        return local(self.offence_at)

    @property
    def requires_designation(self) -> bool:
        return self.kind.requires_designation

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_left(self, today: date) -> int:
        """Days until the designation deadline (0: today is the last day; negative: late)."""
        return (self.designation_due_on - today).days

    def designation_pending(self) -> bool:
        return self.is_open and self.requires_designation

    def is_late(self, today: date) -> bool:
        return self.designation_pending() and self.days_left(today) < 0


class FineTransition(MoveLog, db.Model):
    """Every move of a fine, with who, when and why (as booking_transition)."""

    __tablename__ = "fine_transition"

    fine_id: Mapped[int] = mapped_column(ForeignKey("fine.id"), index=True)
    action: Mapped[FineAction] = mapped_column(str_enum(FineAction, "fine_action"))
    from_status: Mapped[FineStatus | None] = mapped_column(str_enum(FineStatus, "fine_from_status"))
    to_status: Mapped[FineStatus] = mapped_column(str_enum(FineStatus, "fine_to_status"))

    fine: Mapped[Fine] = relationship(back_populates="transitions")
