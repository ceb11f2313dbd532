"""Yearly objectives of a prescriber organisation, one per indicator (set by the plan team)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import Organisation, User
from mobility.booking.models import Booking
from mobility.core.time import utcnow
from mobility.core.types import UTCDateTime, str_enum
from mobility.extensions import db


class ObjectiveIndicator(enum.Enum):
    PEOPLE_REFERRED = "people_referred"
    PEOPLE_WITH_RENTAL = "people_with_rental"
    RENTALS = "rentals"
    RENTAL_DAYS = "rental_days"
    POSITIVE_OUTCOMES = "positive_outcomes"

    @property
    def label(self) -> str:
        return str(OBJECTIVE_LABELS[self])


OBJECTIVE_LABELS = {
    ObjectiveIndicator.PEOPLE_REFERRED: _l("Personnes orientées (au moins une demande)"),
    ObjectiveIndicator.PEOPLE_WITH_RENTAL: _l("Personnes accompagnées (au moins une location)"),
    ObjectiveIndicator.RENTALS: _l("Locations"),
    ObjectiveIndicator.RENTAL_DAYS: _l("Jours de location"),
    ObjectiveIndicator.POSITIVE_OUTCOMES: _l("Suites positives à la fin de la location"),
}


class Objective(db.Model):
    __tablename__ = "reporting_objective"
    __table_args__ = (
        UniqueConstraint("organisation_id", "year", "indicator", name="uq_reporting_objective_organisation_year_indicator"),
        CheckConstraint("target > 0", name="target_positive"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[ObjectiveIndicator] = mapped_column(str_enum(ObjectiveIndicator, "objective_indicator"))
    target: Mapped[int] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    updated_by: Mapped[User | None] = relationship()


# The reporting floor's own index on bookings: figures read a period of rental days
# (starts_at), and the bookings export streams in (starts_at, id) order without a sort.
# Request days (created_at) are read on the lists' booking(created_at, id).
Index("ix_booking_starts_at_id", Booking.starts_at, Booking.id)
