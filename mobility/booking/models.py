"""Bookings and what hangs on them: the transition log, tariffs, payments, handovers,
extensions, outcomes and the waiting queue.

The database holds the invariants it can hold (see the booking migration):
- two bookings that hold the same vehicle never overlap on the time they really hold it,
  [held_from, held_until) (PostgreSQL: an exclusion constraint on (vehicle_id =,
  tstzrange(held_from, held_until) &&) restricted to holding statuses; SQLite: a trigger, under
  the write lock every request takes);
- no booking is written onto a vehicle still out on an overdue rental (a trigger on both,
  judged at the row's own write time, `updated_at`, which the application's clock sets);
- a holding booking never overlaps an unavailability of its vehicle, and an unavailability
  is never added over a holding booking (triggers on both tables, both databases);
- one holding booking per beneficiary (a partial unique index);
- one check-out and one return per booking, one outcome per checkpoint, one waiting entry
  per person at a time (unique and partial unique indexes).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, validates

from mobility.auth.models import User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.eligibility import Purpose
from mobility.core.types import UTCDateTime, str_enum
from mobility.core.statemachine import MoveLog
from mobility.core.time import local, utcnow
from mobility.extensions import db
from mobility.fleet.models import Site, Vehicle, VehicleCategory
from mobility.territory.models import EmploymentBasin

class _Labelled(enum.Enum):
    @property
    def label(self) -> str:
        return str(LABELS[self])


class BookingStatus(_Labelled):
    REQUESTED = "requested"
    APPROVED = "approved"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


# These statuses hold the vehicle for the period: nobody else can have it.
HOLDING_STATUSES = (
    BookingStatus.REQUESTED,
    BookingStatus.APPROVED,
    BookingStatus.CONFIRMED,
    BookingStatus.IN_PROGRESS,
)
def reference_of(booking_id: int) -> str:
    """A booking's reference as people quote it: L-000123."""
    return f"L-{booking_id:06d}"


HOLDING_SQL = "('requested', 'approved', 'confirmed', 'in_progress')"
# The database's guards a service turns into refusals, by name (see mobility.core.db): the
# vehicle already held (PostgreSQL's exclusion constraint, SQLite's trigger) or unavailable.
VEHICLE_HELD_GUARDS = frozenset(
    {"booking_no_overlap", "booking_overlap", "booking_over_unavailability", "booking_while_out_overdue"}
)
ONE_HOLDING_PER_BENEFICIARY = "uq_booking_one_holding_per_beneficiary"


class PaymentKind(_Labelled):
    RENTAL = "rental"
    DEPOSIT = "deposit"
    RENTAL_REFUND = "rental_refund"
    DEPOSIT_REFUND = "deposit_refund"
    # Cancels one earlier entry (same amount, opposite sign): a mistake is never edited away.
    REVERSAL = "reversal"


class LedgerAccount(_Labelled):
    """What an entry moves: the rent, or the deposit the association holds."""

    RENT = "rent"
    DEPOSIT = "deposit"


# The account each kind moves, and its sign (refunds are stored negative); a reversal moves
# the account of the entry it reverses, the other way.
KIND_ACCOUNTS = {
    PaymentKind.RENTAL: (LedgerAccount.RENT, 1),
    PaymentKind.RENTAL_REFUND: (LedgerAccount.RENT, -1),
    PaymentKind.DEPOSIT: (LedgerAccount.DEPOSIT, 1),
    PaymentKind.DEPOSIT_REFUND: (LedgerAccount.DEPOSIT, -1),
}
# Bookings that never happen: nothing is owed for them, what was paid goes back.
NOT_HAPPENING_STATUSES = (BookingStatus.REJECTED, BookingStatus.EXPIRED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW)


class PaymentMethod(_Labelled):
    CASH = "cash"
    CHEQUE = "cheque"
    CARD = "card"
    TRANSFER = "transfer"


class HandoverKind(_Labelled):
    CHECK_OUT = "check_out"
    RETURN = "return"


class ExtensionStatus(_Labelled):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class OutcomeCheckpoint(_Labelled):
    AT_END = "at_end"
    AFTER_3_MONTHS = "after_3_months"
    AFTER_6_MONTHS = "after_6_months"


class OutcomeResult(_Labelled):
    DURABLE_JOB = "durable_job"
    OTHER_JOB = "other_job"
    TRAINING = "training"
    MOBILITY_SOLUTION = "mobility_solution"
    NONE = "none"
    UNKNOWN = "unknown"


class WaitingStatus(_Labelled):
    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


LABELS = {
    BookingStatus.REQUESTED: _l("demandée"),
    BookingStatus.APPROVED: _l("validée par le référent"),
    BookingStatus.CONFIRMED: _l("confirmée"),
    BookingStatus.IN_PROGRESS: _l("en cours"),
    BookingStatus.RETURNED: _l("terminée"),
    BookingStatus.REJECTED: _l("refusée"),
    BookingStatus.EXPIRED: _l("expirée"),
    BookingStatus.CANCELLED: _l("annulée"),
    BookingStatus.NO_SHOW: _l("non présenté"),
    PaymentKind.RENTAL: _l("location"),
    PaymentKind.DEPOSIT: _l("caution versée"),
    PaymentKind.RENTAL_REFUND: _l("remboursement de location"),
    PaymentKind.DEPOSIT_REFUND: _l("caution rendue"),
    PaymentKind.REVERSAL: _l("annulation d'écriture"),
    LedgerAccount.RENT: _l("location"),
    LedgerAccount.DEPOSIT: _l("caution"),
    PaymentMethod.CASH: _l("espèces"),
    PaymentMethod.CHEQUE: _l("chèque"),
    PaymentMethod.CARD: _l("carte bancaire"),
    PaymentMethod.TRANSFER: _l("virement"),
    HandoverKind.CHECK_OUT: _l("remise du véhicule"),
    HandoverKind.RETURN: _l("retour du véhicule"),
    ExtensionStatus.PENDING: _l("en attente"),
    ExtensionStatus.APPROVED: _l("acceptée"),
    ExtensionStatus.REFUSED: _l("refusée"),
    OutcomeCheckpoint.AT_END: _l("à la fin de la location"),
    OutcomeCheckpoint.AFTER_3_MONTHS: _l("3 mois après"),
    OutcomeCheckpoint.AFTER_6_MONTHS: _l("6 mois après"),
    OutcomeResult.DURABLE_JOB: _l("emploi durable (CDI, CDD ou intérim de 6 mois ou plus, création d'entreprise)"),
    OutcomeResult.OTHER_JOB: _l("autre emploi"),
    OutcomeResult.TRAINING: _l("formation"),
    OutcomeResult.MOBILITY_SOLUTION: _l("solution de mobilité (permis, véhicule personnel…)"),
    OutcomeResult.NONE: _l("pas de suite pour l'instant"),
    OutcomeResult.UNKNOWN: _l("inconnue"),
    WaitingStatus.WAITING: _l("en attente"),
    WaitingStatus.OFFERED: _l("véhicule proposé"),
    WaitingStatus.ACCEPTED: _l("acceptée"),
    WaitingStatus.WITHDRAWN: _l("retirée"),
    WaitingStatus.EXPIRED: _l("expirée"),
}


class Tariff(db.Model):
    """A price list for one category from an effective date; the latest one in force applies.

    A booking copies its price and deposit when it is requested, so a later tariff never
    changes what someone was told.
    """

    __tablename__ = "tariff"
    __table_args__ = (
        UniqueConstraint("category", "effective_on", name="uq_tariff_category_effective_on"),
        CheckConstraint("daily_cents >= 0", name="daily_not_negative"),
        CheckConstraint("weekly_cap_cents >= 0", name="weekly_cap_not_negative"),
        CheckConstraint("monthly_cap_cents >= 0", name="monthly_cap_not_negative"),
        CheckConstraint("deposit_cents >= 0", name="deposit_not_negative"),
        # A week never costs less than a day, nor a month less than a week.
        CheckConstraint(
            "daily_cents <= weekly_cap_cents AND weekly_cap_cents <= monthly_cap_cents", name="caps_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[VehicleCategory] = mapped_column(str_enum(VehicleCategory, "tariff_category"))
    effective_on: Mapped[date] = mapped_column(Date)
    daily_cents: Mapped[int] = mapped_column(Integer)
    weekly_cap_cents: Mapped[int] = mapped_column(Integer)
    monthly_cap_cents: Mapped[int] = mapped_column(Integer)
    deposit_cents: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()

    def as_rule(self):
        from mobility.booking.pricing import Tariff as TariffRule

        return TariffRule(
            category=self.category,
            effective_on=self.effective_on,
            daily_cents=self.daily_cents,
            weekly_cap_cents=self.weekly_cap_cents,
            monthly_cap_cents=self.monthly_cap_cents,
            deposit_cents=self.deposit_cents,
        )


def _booked(column: str):
    """Insert default of a held_* column: the booked moment (rows written without the ORM)."""

    def default(context):
        return context.get_current_parameters()[column]

    return default


class Booking(db.Model):
    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("days >= 1", name="at_least_one_day"),
        CheckConstraint("price_cents >= 0 AND deposit_cents >= 0", name="amounts_not_negative"),
        CheckConstraint(
            "purpose <> 'other' OR length(trim(coalesce(purpose_detail, ''))) > 0",
            name="other_purpose_described",
        ),
        # One holding booking per person, whatever the race (DESIGN §4): a partial unique index.
        Index(
            "uq_booking_one_holding_per_beneficiary",
            "beneficiary_id",
            unique=True,
            sqlite_where=text(f"status IN {HOLDING_SQL}"),
            postgresql_where=text(f"status IN {HOLDING_SQL}"),
        ),
        Index("ix_booking_vehicle_id_starts_at", "vehicle_id", "starts_at"),
        # Availability reads holding periods from their end: only current and future rows.
        Index("ix_booking_ends_at", "ends_at"),
        # The overlap check of one vehicle (SQLite trigger, services.is_free) reads its
        # holding bookings only, never its whole history.
        CheckConstraint("held_until >= held_from", name="held_until_not_before_held_from"),
        # Leaving late never gives back the booked start; coming back (early or late) ends the hold.
        CheckConstraint("held_from <= starts_at", name="held_from_the_booked_start_or_earlier"),
        Index(
            "ix_booking_holding_vehicle_held_until",
            "vehicle_id",
            "held_until",
            sqlite_where=text(f"status IN {HOLDING_SQL}"),
            postgresql_where=text(f"status IN {HOLDING_SQL}"),
        ),
        # The lists, sorted and filtered on an index, a page at a time (migration d10000000001):
        # référents' and admins' (latest request first), a status's (the approval queue),
        # an association's (latest departure first), an association's in one status (its work
        # lists, their counts, the fleet home page).
        Index("ix_booking_created_at_id", "created_at", "id"),
        Index("ix_booking_status_created_at", "status", "created_at", "id"),
        Index("ix_booking_association_starts_at", "association_id", "starts_at", "id"),
        Index("ix_booking_association_status_starts_at", "association_id", "status", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    category: Mapped[VehicleCategory] = mapped_column(str_enum(VehicleCategory, "booking_category"))
    basin_id: Mapped[int] = mapped_column(ForeignKey("employment_basin.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"))
    # The association that hands the vehicle over: fleet staff see its bookings only.
    association_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What the vehicle is really held for: the booked period, from the handover when it left
    # earlier, until it came back when it came back later (see validators below and
    # services.handovers). The no-overlap guards read these, never starts_at/ends_at.
    held_from: Mapped[datetime] = mapped_column(UTCDateTime, default=_booked("starts_at"))
    held_until: Mapped[datetime] = mapped_column(UTCDateTime, default=_booked("ends_at"))
    days: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose, "booking_purpose"))
    purpose_detail: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus, "booking_status"))
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariff.id"))
    price_cents: Mapped[int] = mapped_column(Integer)
    deposit_cents: Mapped[int] = mapped_column(Integer)
    # A request not approved by then expires and frees the vehicle.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    beneficiary: Mapped[Beneficiary] = relationship()
    requested_by: Mapped[User | None] = relationship()
    basin: Mapped[EmploymentBasin] = relationship()
    vehicle: Mapped[Vehicle] = relationship()
    tariff: Mapped[Tariff | None] = relationship()
    transitions: Mapped[list[BookingTransition]] = relationship(
        back_populates="booking", order_by="(BookingTransition.occurred_at, BookingTransition.id)"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="booking", order_by="(Payment.paid_on, Payment.id)"
    )
    handovers: Mapped[list[Handover]] = relationship(back_populates="booking", order_by="Handover.id")
    extensions: Mapped[list[Extension]] = relationship(
        back_populates="booking", order_by="Extension.id"
    )
    outcomes: Mapped[list[Outcome]] = relationship(back_populates="booking", order_by="Outcome.id")

    @property
    def reference(self) -> str:
        return reference_of(self.id)

    @property
    def site(self) -> Site:
        return self.vehicle.site

    @property
    def holds_vehicle(self) -> bool:
        return self.status in HOLDING_STATUSES

    @property
    def local_start(self) -> datetime:
        return local(self.starts_at)

    @property
    def local_end(self) -> datetime:
        return local(self.ends_at)

    @property
    def starts_on(self) -> date:
        return self.local_start.date()

    @property
    def ends_on(self) -> date:
        return self.local_end.date()

    @property
    def pickup_time(self) -> time:
        return self.local_start.time()

    @property
    def return_time(self) -> time:
        return self.local_end.time()

    def handover(self, kind: HandoverKind) -> Handover | None:
        return next((h for h in self.handovers if h.kind == kind), None)

    @property
    def check_out(self) -> Handover | None:
        return self.handover(HandoverKind.CHECK_OUT)

    @property
    def return_handover(self) -> Handover | None:
        return self.handover(HandoverKind.RETURN)

    # paid_cents and deposit_held_cents: sums of the ledger in SQL (column properties below
    # the Payment class).

    @property
    def happens(self) -> bool:
        """False for a booking refused, expired, cancelled or not turned up for: nothing is owed."""
        return self.status not in NOT_HAPPENING_STATUSES

    @property
    def owed_cents(self) -> int:
        """What is still owed for the rental: nothing for a booking that does not happen."""
        return max(self.price_cents - self.paid_cents, 0) if self.happens else 0

    @property
    def rent_to_refund_cents(self) -> int:
        """Rent to give back: all of it for a booking that does not happen, else what was overpaid."""
        if not self.happens:
            return max(self.paid_cents, 0)
        return max(self.paid_cents - self.price_cents, 0)

    @property
    def balance_cents(self) -> int:
        """What is still owed for the rental (negative: to refund)."""
        return self.owed_cents - self.rent_to_refund_cents

    @property
    def pending_extension(self) -> Extension | None:
        return next((e for e in self.extensions if e.status == ExtensionStatus.PENDING), None)

    def is_overdue(self, now: datetime) -> bool:
        return self.status == BookingStatus.IN_PROGRESS and self.ends_at <= now

    @validates("starts_at")
    def _hold_from_booked_start(self, key: str, value: datetime) -> datetime:
        # Until the vehicle has left, it is held from the booked start.
        if self.status not in (BookingStatus.IN_PROGRESS, BookingStatus.RETURNED) or self.held_from is None:
            self.held_from = value
        return value

    @validates("ends_at")
    def _hold_until_booked_end(self, key: str, value: datetime) -> datetime:
        # Until the vehicle is back, it is held until the booked end (an extension moves both).
        if self.status != BookingStatus.RETURNED or self.held_until is None:
            self.held_until = value
        return value


class BookingTransition(MoveLog, db.Model):
    """Every change of status (and every extension), with who, when and why."""

    __tablename__ = "booking_transition"

    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[BookingStatus | None] = mapped_column(
        str_enum(BookingStatus, "transition_from_status")
    )
    to_status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus, "transition_to_status"))

    booking: Mapped[Booking] = relationship(back_populates="transitions")


def _account_of_kind(context) -> str | None:
    """The account an entry of this kind moves, when the row does not say (a reversal must)."""
    kind = context.get_current_parameters().get("kind")
    for member, (account, _sign) in KIND_ACCOUNTS.items():
        if kind in (member, member.value):
            return account.value
    return None


class Payment(db.Model):
    """One entry of a booking's ledger: money received or given back, or the reversal of an entry.

    Append-only: the database refuses UPDATE and DELETE (triggers in the ledger migration). The
    amount is signed (refunds negative), so a balance is a SUM per account. A reversal names the
    entry it cancels through a foreign key over (id, account, amount), so it moves the same
    account by exactly the opposite amount, and a unique key lets an entry be reversed once.
    """

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint(
            "(kind IN ('rental', 'deposit') AND amount_cents > 0)"
            " OR (kind IN ('rental_refund', 'deposit_refund') AND amount_cents < 0)"
            " OR (kind = 'reversal' AND amount_cents <> 0)",
            name="amount_sign_of_kind",
        ),
        CheckConstraint(
            "kind = 'reversal'"
            " OR (kind IN ('rental', 'rental_refund') AND account = 'rent')"
            " OR (kind IN ('deposit', 'deposit_refund') AND account = 'deposit')",
            name="account_of_kind",
        ),
        CheckConstraint(
            "(kind = 'reversal' AND reverses_id IS NOT NULL AND reversed_amount_cents = -amount_cents"
            " AND length(trim(coalesce(reason, ''))) > 0)"
            " OR (kind <> 'reversal' AND reverses_id IS NULL AND reversed_amount_cents IS NULL"
            " AND receipt_number IS NOT NULL)",
            name="reversal_names_entry_and_reason",
        ),
        UniqueConstraint("receipt_number", name="uq_payment_receipt_number"),
        UniqueConstraint("reverses_id", name="uq_payment_reverses_id"),
        UniqueConstraint("id", "account", "amount_cents", name="uq_payment_id_account_amount"),
        ForeignKeyConstraint(
            ["reverses_id", "account", "reversed_amount_cents"],
            ["payment.id", "payment.account", "payment.amount_cents"],
            name="fk_payment_reversal_same_account_amount",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(str_enum(PaymentKind, "payment_kind"))
    account: Mapped[LedgerAccount] = mapped_column(str_enum(LedgerAccount, "payment_account"), default=_account_of_kind)
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, "payment_method"))
    paid_on: Mapped[date] = mapped_column(Date)
    # Reversals carry no receipt: no money changed hands.
    receipt_number: Mapped[str | None] = mapped_column(String(40))
    reverses_id: Mapped[int | None] = mapped_column(Integer)
    reversed_amount_cents: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="payments")
    recorded_by: Mapped[User | None] = relationship()
    reverses: Mapped[Payment | None] = relationship(
        remote_side=[id],
        primaryjoin="Payment.reverses_id == Payment.id",
        foreign_keys=[reverses_id],
        back_populates="reversed_by",
    )
    reversed_by: Mapped[Payment | None] = relationship(
        primaryjoin="Payment.reverses_id == Payment.id",
        foreign_keys=[reverses_id],
        back_populates="reverses",
        uselist=False,
        viewonly=True,
    )


def _ledger_sum(account: LedgerAccount):
    return (
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .where(Payment.booking_id == Booking.id, Payment.account == account)
        .correlate_except(Payment)
        .scalar_subquery()
    )


# The balances come from the ledger in SQL, loaded when read (not with every list of bookings).
Booking.paid_cents = column_property(_ledger_sum(LedgerAccount.RENT), deferred=True)
Booking.deposit_held_cents = column_property(_ledger_sum(LedgerAccount.DEPOSIT), deferred=True)
LEDGER_COLUMNS = ("payments", "paid_cents", "deposit_held_cents")


FUEL_LEVELS = 8  # eighths of a tank (or of a charge), as on a fuel gauge


class Handover(db.Model):
    """The check-out or the return of a vehicle: what both parties saw and signed."""

    __tablename__ = "handover"
    __table_args__ = (
        UniqueConstraint("booking_id", "kind", name="uq_handover_booking_id_kind"),
        CheckConstraint("odometer_km >= 0 AND odometer_km < 2000000", name="odometer_plausible"),
        CheckConstraint(f"fuel_eighths BETWEEN 0 AND {FUEL_LEVELS}", name="fuel_level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"))
    kind: Mapped[HandoverKind] = mapped_column(str_enum(HandoverKind, "handover_kind"))
    odometer_km: Mapped[int] = mapped_column(Integer)
    fuel_eighths: Mapped[int] = mapped_column(Integer)
    # Condition checklist: each item was looked at and found in order.
    bodywork_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    tyres_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    lights_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    interior_ok: Mapped[bool] = mapped_column(Boolean, default=False)
    papers_in_vehicle: Mapped[bool] = mapped_column(Boolean, default=False)
    damage_notes: Mapped[str | None] = mapped_column(Text)
    # Check-out only.
    deposit_received: Mapped[bool] = mapped_column(Boolean, default=False)
    contract_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Return only.
    incident_report: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="handovers")
    recorded_by: Mapped[User | None] = relationship()


class Extension(db.Model):
    """A request to keep the vehicle longer; the référent decides."""

    __tablename__ = "booking_extension"
    __table_args__ = (
        CheckConstraint("new_ends_at > old_ends_at", name="extends_later"),
        CheckConstraint(
            "status <> 'refused' OR length(trim(coalesce(decision_reason, ''))) > 0",
            name="refusal_has_reason",
        ),
        Index(
            "uq_booking_extension_one_pending",
            "booking_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    old_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ExtensionStatus] = mapped_column(str_enum(ExtensionStatus, "extension_status"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    booking: Mapped[Booking] = relationship(back_populates="extensions")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def new_ends_on(self) -> date:
        return local(self.new_ends_at).date()


class Outcome(db.Model):
    """What happened after the rental (DESIGN §3), at the end and again at 3 or 6 months."""

    __tablename__ = "booking_outcome"
    __table_args__ = (UniqueConstraint("booking_id", "checkpoint", name="uq_booking_outcome_booking_id_checkpoint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"))
    checkpoint: Mapped[OutcomeCheckpoint] = mapped_column(str_enum(OutcomeCheckpoint, "outcome_checkpoint"))
    result: Mapped[OutcomeResult] = mapped_column(str_enum(OutcomeResult, "outcome_result"))
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="outcomes")
    recorded_by: Mapped[User | None] = relationship()


class WaitingEntry(db.Model):
    """A place in the queue of a basin and category, first come first served."""

    __tablename__ = "waiting_entry"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "status <> 'offered' OR (offered_vehicle_id IS NOT NULL AND offer_expires_at IS NOT NULL)",
            name="offer_names_vehicle",
        ),
        Index(
            "uq_waiting_entry_one_open_per_beneficiary",
            "beneficiary_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'offered')"),
            postgresql_where=text("status IN ('waiting', 'offered')"),
        ),
        Index("ix_waiting_entry_queue", "basin_id", "category", "status", "created_at"),
        # An offered vehicle is held for its offer: one open offer per vehicle at a time, so the
        # same vehicle is never offered to two people at once, whatever the race.
        Index(
            "uq_waiting_entry_one_open_offer_per_vehicle",
            "offered_vehicle_id",
            unique=True,
            sqlite_where=text("status = 'offered'"),
            postgresql_where=text("status = 'offered'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    basin_id: Mapped[int] = mapped_column(ForeignKey("employment_basin.id"))
    category: Mapped[VehicleCategory] = mapped_column(str_enum(VehicleCategory, "waiting_category"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    purpose: Mapped[Purpose] = mapped_column(str_enum(Purpose, "waiting_purpose"))
    purpose_detail: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[WaitingStatus] = mapped_column(str_enum(WaitingStatus, "waiting_status"))
    offered_vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id"))
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    beneficiary: Mapped[Beneficiary] = relationship()
    basin: Mapped[EmploymentBasin] = relationship()
    offered_vehicle: Mapped[Vehicle | None] = relationship()
    booking: Mapped[Booking | None] = relationship()

    @property
    def starts_on(self) -> date:
        return local(self.starts_at).date()

    @property
    def ends_on(self) -> date:
        return local(self.ends_at).date()
