"""Yearly objectives of a prescriber organisation, one per indicator (set by the plan team)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from mobility.auth.models import Organisation, User
from mobility.booking.eligibility import Purpose
from mobility.booking.models import Booking, OutcomeCheckpoint, OutcomeResult
from mobility.core.time import utcnow
from mobility.core.types import UTCDateTime, str_enum
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory


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
# The people with a rental in a period (a distinct count, never summarised) read this index
# alone: 54 -> 21 ms on SQLite, 23 -> 17 ms on PostgreSQL (index-only scan) for a year at
# 200,000 bookings, instead of a row lookup per rental.
Index("ix_booking_status_starts_at_beneficiary", Booking.status, Booking.starts_at, Booking.beneficiary_id)


# Monthly summaries -----------------------------------------------------------------------
#
# The figures of a month that has ended, kept by `mobility.reporting.summary`, so that a
# dashboard over a year reads a few hundred summary rows instead of every booking of the year.
# They are never trusted blindly: database triggers (migration d20000000001) note every change
# of a source row that touches a summarised month in reporting_stale_month, whoever makes it
# (the ORM, a bulk UPDATE, a job, plain SQL); such a month is read from the bookings again until
# it is summarised anew. Counts of distinct people cannot be added up and are always read live.


class SummaryMonth(db.Model):
    """A French calendar month whose summaries are written, and the instants it spans."""

    __tablename__ = "reporting_summary_month"
    __table_args__ = (CheckConstraint("month % 100 BETWEEN 1 AND 12", name="month_plausible"),)

    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # YYYYMM
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)  # Paris midnight of its 1st
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)  # Paris midnight of the next 1st
    # The summaries' definition it was written with: a month written by an older one is stale.
    version: Mapped[int] = mapped_column(Integer)
    # The earliest start of a booking (holding its vehicle) or an unavailability that runs past
    # the month's end (None: none does). Whatever meets the days after it started no earlier
    # than this or than the end itself, so the live part of a use rate reads the bookings from
    # there on, not the whole history; exact while the month is fresh, since a change to any
    # such row touches the month and marks it stale.
    crossing_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaleMonth(db.Model):
    """A summarised month whose sources changed since: written by triggers only."""

    __tablename__ = "reporting_stale_month"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(ForeignKey("reporting_summary_month.month", ondelete="CASCADE"), index=True)


class _SummaryCut:
    """The columns a summary row is cut by: every breakdown of the booking indicators."""

    month: Mapped[int] = mapped_column(ForeignKey("reporting_summary_month.month", ondelete="CASCADE"), index=True)
    basin_id: Mapped[int] = mapped_column(ForeignKey("employment_basin.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    prescriber_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    age_band: Mapped[str] = mapped_column(String(5))

    @declared_attr
    def category(cls) -> Mapped[VehicleCategory]:
        return mapped_column(str_enum(VehicleCategory, "category"))

    @declared_attr
    def purpose(cls) -> Mapped[Purpose]:
        return mapped_column(str_enum(Purpose, "purpose"))


class RequestMonth(_SummaryCut, db.Model):
    """Requests made in a month (by their French day), per combination of breakdowns."""

    __tablename__ = "reporting_request_month"
    id: Mapped[int] = mapped_column(primary_key=True)
    received: Mapped[int] = mapped_column(Integer)
    approved: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    expired: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[int] = mapped_column(Integer)


class RentalMonth(_SummaryCut, db.Model):
    """Rentals starting in a month: count, rental-days, price and rent paid."""

    __tablename__ = "reporting_rental_month"
    id: Mapped[int] = mapped_column(primary_key=True)
    rentals: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer)


class OutcomeMonth(_SummaryCut, db.Model):
    """Outcomes recorded for the rentals starting in a month, per checkpoint and result."""

    __tablename__ = "reporting_outcome_month"
    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint: Mapped[OutcomeCheckpoint] = mapped_column(str_enum(OutcomeCheckpoint, "checkpoint"))
    result: Mapped[OutcomeResult] = mapped_column(str_enum(OutcomeResult, "result"))
    count: Mapped[int] = mapped_column(Integer)


class VehicleMonth(db.Model):
    """A vehicle's booked and unavailable days in a month. Its association, site, category and
    status are read from the vehicle itself, so a vehicle moved or retired needs no rewrite."""

    __tablename__ = "reporting_vehicle_month"
    month: Mapped[int] = mapped_column(ForeignKey("reporting_summary_month.month", ondelete="CASCADE"), primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"), primary_key=True)
    booked_days: Mapped[int] = mapped_column(Integer)
    unavailable_days: Mapped[int] = mapped_column(Integer)
