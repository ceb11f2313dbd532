"""Booking services: the one place the web forms, the API and the commands go through.

Services take plain values and the acting user, flush and never commit. Refusals are
exceptions carrying a French message: NotEligible (every eligibility reason at once),
VehicleTaken / NothingFree (with the free alternatives), BookingError (a form field),
IllegalMove / ReasonRequired (the state machine).

No double booking is the database's job (see models and the booking migration); here a lost
race is turned into VehicleTaken, never into an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking import notifications
from mobility.booking.eligibility import (
    NotEligible,
    Purpose,
    check_active_bookings,
    check_eligibility,
    settings_from_config,
)
from mobility.booking.availability import Snapshot, free_vehicles, free_vehicles_query, is_free  # noqa: F401
from mobility.booking import extension_lifecycle, queue_lifecycle
from mobility.booking.errors import BookingError
from mobility.booking.extension_lifecycle import ExtensionAction
from mobility.booking.queue_lifecycle import QueueAction
from mobility.booking.lifecycle import Action, IllegalMove, ReasonRequired, move  # noqa: F401 (re-exported)
from mobility.booking.models import (
    FUEL_LEVELS,
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
    Extension,
    Handover,
    HandoverKind,
    Outcome,
    OutcomeCheckpoint,
    OutcomeResult,
    Payment,
    PaymentKind,
    PaymentMethod,
    Tariff,
    WaitingEntry,
    WaitingStatus,
)
from mobility.booking.pricing import NoTariffInForce, quote, rental_days, tariff_in_force
from mobility.core.time import PARIS, local, utcnow
from mobility.extensions import db
from mobility.fleet.models import (
    OdometerReading,
    OdometerSource,
    Site,
    Vehicle,
    VehicleCategory,
)
from mobility.territory.models import EmploymentBasin

# How many free vehicles a request tries, nearest first, before saying all were just taken.
MAX_ATTEMPTS = 5
# How far the "nearest free dates" look, before and after the dates asked.
ALTERNATIVE_DATES_WINDOW_DAYS = 30
ALTERNATIVE_DATES_SHOWN = 3


@dataclass(frozen=True)
class FreeDates:
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class FreeElsewhere:
    basin: EmploymentBasin
    free: int


@dataclass
class Alternatives:
    """What to offer when the vehicle or the dates asked are not free."""

    vehicles: list[Vehicle] = field(default_factory=list)
    dates: list[FreeDates] = field(default_factory=list)
    basins: list[FreeElsewhere] = field(default_factory=list)

    def as_dict(self, show_identifiers: bool) -> dict:
        return {
            "vehicles": [vehicle_summary(v, show_identifiers) for v in self.vehicles],
            "dates": [{"start": d.starts_on.isoformat(), "end": d.ends_on.isoformat()} for d in self.dates],
            "basins": [{"basin": b.basin.code, "name": b.basin.name, "free": b.free} for b in self.basins],
        }


class VehicleTaken(BookingError):
    """The vehicle (or every free one) was taken between the search and the booking."""

    def __init__(self, alternatives: Alternatives, message: str | None = None):
        super().__init__(
            message
            or _(
                "Le véhicule vient d'être réservé par quelqu'un d'autre sur cette période. "
                "Voici ce qui reste libre."
            )
        )
        self.alternatives = alternatives


class NothingFree(VehicleTaken):
    def __init__(self, alternatives: Alternatives):
        super().__init__(
            alternatives,
            _("Aucun véhicule de ce type n'est libre sur ces dates dans ce bassin. Voici ce qui reste possible."),
        )


def vehicle_summary(vehicle: Vehicle, show_identifiers: bool) -> dict:
    """A vehicle as shown to a caller: plate and VIN only for those who keep the fleet."""
    summary = {
        "id": vehicle.id,
        "category": vehicle.category.value,
        "make": vehicle.make,
        "model": vehicle.model,
        "gearbox": vehicle.gearbox.value,
        "energy": vehicle.energy.value,
        "seats": vehicle.seats,
        "site": {"id": vehicle.site.id, "name": vehicle.site.name, "commune": vehicle.site.commune_insee},
        "basin": vehicle.site.basin.code,
    }
    if show_identifiers:
        summary["plate"] = vehicle.plate
    return summary


# Settings ----------------------------------------------------------------------------------


def request_expiry_hours() -> int:
    return int(current_app.config.get("BOOKING_REQUEST_EXPIRY_HOURS", 72))


def offer_hours() -> int:
    return int(current_app.config.get("WAITING_OFFER_HOURS", 48))


def default_pickup_time() -> time:
    return time.fromisoformat(current_app.config.get("BOOKING_DEFAULT_PICKUP_TIME", "09:00"))


def default_return_time() -> time:
    return time.fromisoformat(current_app.config.get("BOOKING_DEFAULT_RETURN_TIME", "17:00"))


# Periods -----------------------------------------------------------------------------------


def period(starts_on: date, pickup: time, ends_on: date, return_at: time) -> tuple[datetime, datetime]:
    """The half-open UTC period from pickup to return, both given as French local times."""
    starts_at = datetime.combine(starts_on, pickup, tzinfo=PARIS)
    ends_at = datetime.combine(ends_on, return_at, tzinfo=PARIS)
    return starts_at.astimezone(PARIS), ends_at.astimezone(PARIS)


@dataclass
class RequestDetails:
    """What a request asks for, from the form or the API."""

    category: VehicleCategory
    basin_id: int | None
    starts_on: date
    ends_on: date
    purpose: Purpose
    purpose_detail: str | None = None
    pickup_time: time | None = None
    return_time: time | None = None
    vehicle_id: int | None = None

    def times(self) -> tuple[time, time]:
        return self.pickup_time or default_pickup_time(), self.return_time or default_return_time()

    def period(self) -> tuple[datetime, datetime]:
        pickup, return_at = self.times()
        return period(self.starts_on, pickup, self.ends_on, return_at)

    def shifted(self, days: int) -> RequestDetails:
        delta = timedelta(days=days)
        return RequestDetails(
            category=self.category,
            basin_id=self.basin_id,
            starts_on=self.starts_on + delta,
            ends_on=self.ends_on + delta,
            purpose=self.purpose,
            purpose_detail=self.purpose_detail,
            pickup_time=self.pickup_time,
            return_time=self.return_time,
        )


# Reading -----------------------------------------------------------------------------------


def holding_bookings_of(beneficiary: Beneficiary) -> int:
    return db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.beneficiary_id == beneficiary.id, Booking.status.in_(HOLDING_STATUSES)
        )
    )


def tariffs_of(category: VehicleCategory) -> list[Tariff]:
    return list(
        db.session.scalars(select(Tariff).where(Tariff.category == category).order_by(Tariff.effective_on))
    )


def tariff_for(category: VehicleCategory, on_day: date) -> Tariff:
    """The tariff row in force on that day; BookingError when there is none."""
    rows = tariffs_of(category)
    try:
        rule = tariff_in_force([row.as_rule() for row in rows], on_day, category)
    except NoTariffInForce:
        raise BookingError(
            _("Aucun tarif n'est encore fixé pour ce type de véhicule : la demande ne peut pas être faite."),
            field="category",
        ) from None
    return next(row for row in rows if row.effective_on == rule.effective_on)


def alternatives_for(details: RequestDetails, near_commune: str | None = None) -> Alternatives:
    """Other free vehicles on the same dates, the nearest free dates, and the other basins."""
    starts_at, ends_at = details.period()
    found = Alternatives()
    found.vehicles = free_vehicles(details.category, starts_at, ends_at, details.basin_id, near_commune, limit=5)
    if not found.vehicles and details.basin_id is not None:
        found.dates = nearest_free_dates(details)
    for basin in EmploymentBasin.all_ordered():
        if basin.id == details.basin_id:
            continue
        count = db.session.scalar(
            select(func.count()).select_from(free_vehicles_query(details.category, starts_at, ends_at, basin.id).subquery())
        )
        if count:
            found.basins.append(FreeElsewhere(basin, count))
    return found


def nearest_free_dates(details: RequestDetails) -> list[FreeDates]:
    """The nearest periods of the same length, within the window, when a vehicle of the basin
    is free all along, soonest first.

    The window's holding periods are read once and the shifted periods tried in memory: two
    queries, where asking free_vehicles() for each shift took up to sixty.
    """
    today = local(utcnow()).date()
    window_start = details.shifted(-ALTERNATIVE_DATES_WINDOW_DAYS).period()[0]
    window_end = details.shifted(ALTERNATIVE_DATES_WINDOW_DAYS).period()[1]
    snapshot = Snapshot.load(details.category, window_start, window_end, details.basin_id)
    if not snapshot.candidates:
        return []

    found = []
    for offset in _offsets(ALTERNATIVE_DATES_WINDOW_DAYS):
        moved = details.shifted(offset)
        if moved.starts_on <= today:
            continue
        if snapshot.any_free(*moved.period()):
            found.append(FreeDates(moved.starts_on, moved.ends_on))
            if len(found) == ALTERNATIVE_DATES_SHOWN:
                break
    return sorted(found, key=lambda d: d.starts_on)


def _offsets(window: int):
    """1, -1, 2, -2, ...: the nearest dates first, later ones before earlier ones at equal distance."""
    for distance in range(1, window + 1):
        yield distance
        yield -distance


# Preview and request -----------------------------------------------------------------------


@dataclass
class Preview:
    """What the person sees before sending: price, deposit, the site, or why not."""

    refusals: list
    days: int | None = None
    price_cents: int | None = None
    deposit_cents: int | None = None
    vehicle: Vehicle | None = None
    alternatives: Alternatives | None = None

    @property
    def site(self) -> Site | None:
        return self.vehicle.site if self.vehicle is not None else None


def _eligibility_refusals(beneficiary: Beneficiary, details: RequestDetails, today: date) -> list:
    settings = settings_from_config(current_app.config)
    return check_eligibility(
        beneficiary,
        details.category,
        details.starts_on,
        details.ends_on,
        details.purpose,
        details.purpose_detail,
        holding_bookings_of(beneficiary),
        today,
        settings,
    )


def _check_times(details: RequestDetails) -> None:
    starts_at, ends_at = details.period()
    if ends_at <= starts_at:
        raise BookingError(_("L'heure de retour doit être après l'heure de prise en charge."), field="return_time")


def preview(beneficiary: Beneficiary, details: RequestDetails, now: datetime | None = None) -> Preview:
    now = now or utcnow()
    today = local(now).date()
    refusals = _eligibility_refusals(beneficiary, details, today)
    if refusals:
        return Preview(refusals=refusals)
    _check_times(details)
    tariff = tariff_for(details.category, today)
    priced = quote(tariff.as_rule(), details.starts_on, details.ends_on)
    starts_at, ends_at = details.period()
    vehicles = free_vehicles(
        details.category, starts_at, ends_at, details.basin_id, beneficiary.commune_insee, limit=1
    )
    result = Preview(
        refusals=[],
        days=priced.days,
        price_cents=priced.price_cents,
        deposit_cents=priced.deposit_cents,
        vehicle=vehicles[0] if vehicles else None,
    )
    if result.vehicle is None:
        result.alternatives = alternatives_for(details, beneficiary.commune_insee)
    return result


def _constraint_hit(error: IntegrityError) -> str:
    """Which booking invariant the database refused: overlap, unavailable, one_holding or other."""
    text = str(error.orig).lower()
    if "booking_no_overlap" in text or "booking_overlap" in text or "23p01" in text:
        return "overlap"
    if "booking_over_unavailability" in text:
        return "unavailable"
    if "uq_booking_one_holding_per_beneficiary" in text or "booking.beneficiary_id" in text:
        return "one_holding"
    return "other"


def _take_write_lock() -> None:
    """On SQLite, start the transaction with the write lock (BEGIN IMMEDIATE) if none is open.

    Requests already do (see create_app); this covers commands, jobs, tests and threads.
    Checking then writing under one lock is what keeps two SQLite writers from both passing
    the check. A caller outside a request must call the service before reading anything in the
    same transaction (or end that transaction first): a transaction already open for reading
    cannot be upgraded safely, and would get "database is locked" under contention.
    """
    if db.engine.dialect.name == "sqlite" and not db.session().in_transaction():
        db.session.connection(execution_options={"sqlite_immediate": True})


def request_booking(
    beneficiary: Beneficiary, details: RequestDetails, actor: User, now: datetime | None = None
) -> Booking:
    """Make a request (a beneficiary) or a prescription (a référent: approved at once).

    The vehicle is picked now, nearest site first, so it is held from the first moment.
    """
    _take_write_lock()
    now = now or utcnow()
    today = local(now).date()
    refusals = _eligibility_refusals(beneficiary, details, today)
    if refusals:
        raise NotEligible(refusals)
    _check_times(details)
    tariff = tariff_for(details.category, today)
    priced = quote(tariff.as_rule(), details.starts_on, details.ends_on)
    starts_at, ends_at = details.period()
    action = Action.SUBMIT if actor.role == Role.BENEFICIARY else Action.PRESCRIBE

    if details.vehicle_id is not None:
        vehicle = db.session.get(Vehicle, details.vehicle_id)
        if vehicle is None or vehicle.category != details.category or not vehicle.is_in_service:
            raise BookingError(_("Ce véhicule n'existe pas ou ne peut pas être loué."), field="vehicle_id")
        details.basin_id = vehicle.site.basin_id
        candidates = [vehicle]
    else:
        candidates = free_vehicles(
            details.category, starts_at, ends_at, details.basin_id, beneficiary.commune_insee, limit=MAX_ATTEMPTS
        )
        if not candidates:
            raise NothingFree(alternatives_for(details, beneficiary.commune_insee))

    for vehicle in candidates:
        booking = Booking(
            beneficiary=beneficiary,
            requested_by_id=actor.id,
            category=details.category,
            basin_id=vehicle.site.basin_id,
            vehicle=vehicle,
            association_id=vehicle.association_id,
            starts_at=starts_at,
            ends_at=ends_at,
            days=priced.days,
            purpose=details.purpose,
            purpose_detail=(details.purpose_detail or "").strip() or None,
            tariff_id=tariff.id,
            price_cents=priced.price_cents,
            deposit_cents=priced.deposit_cents,
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(booking)
                move(booking, action, actor, creating=True)
                if booking.status == BookingStatus.REQUESTED:
                    booking.expires_at = min(now + timedelta(hours=request_expiry_hours()), starts_at)
                db.session.flush()
        except IntegrityError as error:
            hit = _constraint_hit(error)
            if hit == "one_holding":
                settings = settings_from_config(current_app.config)
                raise NotEligible([check_active_bookings(settings.max_active_bookings, settings)]) from None
            if hit in ("overlap", "unavailable"):
                continue
            raise
        record(AuditAction.CREATE, "booking", booking.id, actor=actor)
        notifications.transition(booking, action)
        return booking
    raise VehicleTaken(alternatives_for(details, beneficiary.commune_insee))


# Moves -------------------------------------------------------------------------------------


def _moved(booking: Booking, action: Action, actor: User | None, reason: str | None = None) -> Booking:
    was = booking.status
    move(booking, action, actor, reason)
    db.session.flush()
    record(AuditAction.UPDATE, "booking", booking.id, actor=actor, fields=("status",))
    notifications.transition(booking, action, previous_status=was, reason=reason)
    if was in HOLDING_STATUSES and booking.status not in HOLDING_STATUSES:
        offer_freed_vehicle(booking.vehicle, booking.starts_at, booking.ends_at)
    return booking


def approve(booking: Booking, actor: User) -> Booking:
    return _moved(booking, Action.APPROVE, actor)


def reject(booking: Booking, actor: User, reason: str) -> Booking:
    return _moved(booking, Action.REJECT, actor, reason)


def cancel(booking: Booking, actor: User, reason: str | None = None) -> Booking:
    return _moved(booking, Action.CANCEL, actor, reason)


def record_no_show(booking: Booking, actor: User, reason: str | None = None) -> Booking:
    return _moved(booking, Action.NO_SHOW, actor, reason)


def swap_candidates(booking: Booking) -> list[Vehicle]:
    """Other vehicles of the same association and category, free for the whole period."""
    vehicles = free_vehicles(booking.category, booking.starts_at, booking.ends_at)
    return [v for v in vehicles if v.association_id == booking.association_id and v.id != booking.vehicle_id]


def confirm(booking: Booking, actor: User, vehicle: Vehicle | None = None) -> Booking:
    """Confirm with the vehicle picked at request time, or swap it for another free one."""
    _take_write_lock()
    if vehicle is not None and vehicle.id != booking.vehicle_id:
        if (
            vehicle.association_id != booking.association_id
            or vehicle.category != booking.category
            or not vehicle.is_in_service
        ):
            raise BookingError(_("Ce véhicule ne peut pas être proposé pour cette location."), field="vehicle_id")
        previous = booking.vehicle
        try:
            with db.session.begin_nested():
                booking.vehicle = vehicle
                booking.basin_id = vehicle.site.basin_id
                db.session.flush()
        except IntegrityError as error:
            if _constraint_hit(error) in ("overlap", "unavailable"):
                db.session.refresh(booking)
                raise BookingError(
                    _("Ce véhicule vient d'être pris sur cette période : choisissez-en un autre."),
                    field="vehicle_id",
                ) from None
            raise
        reason = _("Véhicule changé : %(before)s remplacé par %(after)s.", before=previous.label, after=vehicle.label)
        return _moved(booking, Action.CONFIRM, actor, reason)
    return _moved(booking, Action.CONFIRM, actor)


@dataclass
class HandoverDetails:
    odometer_km: int
    fuel_eighths: int
    bodywork_ok: bool = False
    tyres_ok: bool = False
    lights_ok: bool = False
    interior_ok: bool = False
    papers_in_vehicle: bool = False
    damage_notes: str | None = None
    deposit_received: bool = False
    contract_signed: bool = False
    incident_report: str | None = None


def _record_handover(booking: Booking, kind: HandoverKind, details: HandoverDetails, actor: User, day: date) -> Handover:
    if not 0 <= details.fuel_eighths <= FUEL_LEVELS:
        raise BookingError(_("Indiquez le niveau entre vide et plein."), field="fuel_eighths")
    last_km = booking.vehicle.current_odometer_km
    if kind == HandoverKind.RETURN and booking.check_out is not None:
        last_km = max(last_km or 0, booking.check_out.odometer_km)
    if last_km is not None and details.odometer_km < last_km:
        raise BookingError(
            _(
                "Le compteur ne peut pas descendre : la dernière valeur relevée est %(km)s km.",
                km=f"{last_km:,}".replace(",", "\u202f"),
            ),
            field="odometer_km",
        )
    handover = Handover(
        booking=booking,
        kind=kind,
        odometer_km=details.odometer_km,
        fuel_eighths=details.fuel_eighths,
        bodywork_ok=details.bodywork_ok,
        tyres_ok=details.tyres_ok,
        lights_ok=details.lights_ok,
        interior_ok=details.interior_ok,
        papers_in_vehicle=details.papers_in_vehicle,
        damage_notes=(details.damage_notes or "").strip() or None,
        deposit_received=details.deposit_received if kind == HandoverKind.CHECK_OUT else False,
        contract_signed=details.contract_signed if kind == HandoverKind.CHECK_OUT else False,
        incident_report=(details.incident_report or "").strip() or None if kind == HandoverKind.RETURN else None,
        recorded_by_id=actor.id,
    )
    db.session.add(handover)
    db.session.add(
        OdometerReading(
            vehicle=booking.vehicle,
            read_on=day,
            km=details.odometer_km,
            source=OdometerSource.HANDOVER if kind == HandoverKind.CHECK_OUT else OdometerSource.RETURN,
            recorded_by_id=actor.id,
        )
    )
    return handover


def check_out(booking: Booking, details: HandoverDetails, actor: User, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    if not details.contract_signed:
        raise BookingError(
            _("Le contrat doit être imprimé et signé par les deux parties avant la remise du véhicule."),
            field="contract_signed",
        )
    _record_handover(booking, HandoverKind.CHECK_OUT, details, actor, local(now).date())
    return _moved(booking, Action.CHECK_OUT, actor)


def return_vehicle(booking: Booking, details: HandoverDetails, actor: User, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    _record_handover(booking, HandoverKind.RETURN, details, actor, local(now).date())
    return _moved(booking, Action.RETURN, actor)


def expire_stale_requests(now: datetime | None = None) -> int:
    """Requests not approved in time expire and free their vehicle. Idempotent."""
    _take_write_lock()
    now = now or utcnow()
    stale = db.session.scalars(
        select(Booking).where(Booking.status == BookingStatus.REQUESTED, Booking.expires_at <= now)
    ).all()
    for booking in stale:
        _moved(booking, Action.EXPIRE, None)
    return len(stale)


def overdue_bookings(association_id: int | None, now: datetime | None = None) -> list[Booking]:
    now = now or utcnow()
    query = (
        select(Booking)
        .where(Booking.status == BookingStatus.IN_PROGRESS, Booking.ends_at <= now)
        .options(selectinload(Booking.vehicle), selectinload(Booking.beneficiary))
    )
    if association_id is not None:
        query = query.where(Booking.association_id == association_id)
    return list(db.session.scalars(query.order_by(Booking.ends_at)))


# Extensions --------------------------------------------------------------------------------


def request_extension(booking: Booking, new_ends_on: date, actor: User, return_at: time | None = None) -> Extension:
    if booking.status != BookingStatus.IN_PROGRESS:
        raise IllegalMove(_("Une prolongation se demande pendant la location."))
    if booking.pending_extension is not None:
        raise BookingError(_("Une demande de prolongation attend déjà la réponse du référent."), field="new_ends_on")
    new_ends_at = datetime.combine(new_ends_on, return_at or booking.return_time, tzinfo=PARIS)
    if new_ends_at <= booking.ends_at:
        raise BookingError(_("La nouvelle date de retour doit être après la date prévue."), field="new_ends_on")
    settings = settings_from_config(current_app.config)
    maximum = settings.max_days.get(booking.category)
    if maximum is not None and rental_days(booking.starts_on, new_ends_on) > 2 * maximum:
        raise BookingError(
            _("Une location ne peut pas dépasser %(days)s jours, prolongations comprises.", days=2 * maximum),
            field="new_ends_on",
        )
    extension = Extension(
        booking=booking,
        old_ends_at=booking.ends_at,
        new_ends_at=new_ends_at,
        requested_by_id=actor.id,
    )
    extension_lifecycle.move(extension, ExtensionAction.REQUEST, actor, creating=True)
    db.session.add(extension)
    db.session.flush()
    record(AuditAction.CREATE, "booking_extension", extension.id, actor=actor)
    notifications.extension_requested(extension)
    return extension


def decide_extension(extension: Extension, approve_it: bool, actor: User, reason: str | None = None) -> Extension:
    _take_write_lock()
    booking = extension.booking
    reason = (reason or "").strip() or None
    action = ExtensionAction.APPROVE if approve_it else ExtensionAction.REFUSE
    extension_lifecycle.move(extension, action, actor, reason)
    extension.decided_by_id = actor.id
    extension.decided_at = utcnow()
    extension.decision_reason = reason
    if approve_it:
        try:
            with db.session.begin_nested():
                booking.ends_at = extension.new_ends_at
                db.session.flush()
        except IntegrityError as error:
            if _constraint_hit(error) in ("overlap", "unavailable"):
                db.session.refresh(booking)
                raise BookingError(
                    _("Le véhicule est déjà réservé après la date prévue : la prolongation n'est pas possible. Refusez-la en l'expliquant, ou demandez à l'association un autre véhicule."),
                ) from None
            raise
        tariff = booking.tariff.as_rule() if booking.tariff is not None else None
        if tariff is not None:
            priced = quote(tariff, booking.starts_on, booking.ends_on)
            booking.days, booking.price_cents = priced.days, priced.price_cents
        move(booking, Action.EXTEND, actor, reason or _("Retour repoussé au %(day)s.", day=booking.ends_on.strftime("%d/%m/%Y")))
        db.session.flush()
        notifications.transition(booking, Action.EXTEND)
    else:
        db.session.flush()
        notifications.extension_refused(extension)
    record(AuditAction.UPDATE, "booking_extension", extension.id, actor=actor, fields=("status",))
    return extension


# Outcomes and payments ---------------------------------------------------------------------


def due_checkpoints(booking: Booking, today: date) -> list[OutcomeCheckpoint]:
    """The checkpoints that can be recorded now and are not yet."""
    if booking.status != BookingStatus.RETURNED:
        return []
    done = {o.checkpoint for o in booking.outcomes}
    end = booking.ends_on
    due = [OutcomeCheckpoint.AT_END]
    if today >= end + timedelta(days=90):
        due.append(OutcomeCheckpoint.AFTER_3_MONTHS)
    if today >= end + timedelta(days=182):
        due.append(OutcomeCheckpoint.AFTER_6_MONTHS)
    return [c for c in due if c not in done]


def record_outcome(
    booking: Booking, checkpoint: OutcomeCheckpoint, result: OutcomeResult, actor: User, today: date | None = None
) -> Outcome:
    today = today or local(utcnow()).date()
    if checkpoint not in due_checkpoints(booking, today):
        raise BookingError(_("Cette suite ne peut pas être notée maintenant pour cette location."), field="checkpoint")
    outcome = Outcome(booking=booking, checkpoint=checkpoint, result=result, recorded_on=today, recorded_by_id=actor.id)
    db.session.add(outcome)
    db.session.flush()
    record(AuditAction.CREATE, "booking_outcome", outcome.id, actor=actor)
    return outcome


def record_payment(
    booking: Booking,
    kind: PaymentKind,
    amount_cents: int,
    method: PaymentMethod,
    paid_on: date,
    receipt_number: str,
    actor: User,
) -> Payment:
    receipt_number = receipt_number.strip()
    if amount_cents <= 0:
        raise BookingError(_("Le montant doit être supérieur à zéro."), field="amount")
    if kind == PaymentKind.DEPOSIT_REFUND and amount_cents > booking.deposit_held_cents:
        raise BookingError(_("On ne peut pas rendre plus que la caution reçue."), field="amount")
    if db.session.scalar(select(Payment.id).where(Payment.receipt_number == receipt_number)):
        raise BookingError(_("Ce numéro de reçu est déjà utilisé."), field="receipt_number")
    payment = Payment(
        booking_id=booking.id,
        kind=kind,
        amount_cents=amount_cents,
        method=method,
        paid_on=paid_on,
        receipt_number=receipt_number,
        recorded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
            db.session.flush()
    except IntegrityError:
        # The same receipt number saved a moment ago by someone else.
        raise BookingError(_("Ce numéro de reçu est déjà utilisé."), field="receipt_number") from None
    db.session.expire(booking, ["payments"])
    record(AuditAction.CREATE, "payment", payment.id, actor=actor)
    return payment


# Tariffs -----------------------------------------------------------------------------------


def add_tariff(
    category: VehicleCategory,
    effective_on: date,
    daily_cents: int,
    weekly_cap_cents: int,
    monthly_cap_cents: int,
    deposit_cents: int,
    actor: User,
    today: date | None = None,
) -> Tariff:
    """A new tariff from a date; tariffs already in force are never edited (bookings copy them)."""
    today = today or local(utcnow()).date()
    if effective_on < today:
        raise BookingError(_("Un nouveau tarif prend effet aujourd'hui ou plus tard."), field="effective_on")
    if db.session.scalar(select(Tariff.id).where(Tariff.category == category, Tariff.effective_on == effective_on)):
        raise BookingError(_("Un tarif de ce type prend déjà effet ce jour-là."), field="effective_on")
    tariff = Tariff(
        category=category,
        effective_on=effective_on,
        daily_cents=daily_cents,
        weekly_cap_cents=weekly_cap_cents,
        monthly_cap_cents=monthly_cap_cents,
        deposit_cents=deposit_cents,
        created_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(tariff)
            db.session.flush()
    except IntegrityError:
        # Another admin saved the same category and date a moment ago.
        raise BookingError(_("Un tarif de ce type prend déjà effet ce jour-là."), field="effective_on") from None
    record(AuditAction.CREATE, "tariff", tariff.id, actor=actor)
    return tariff


# Waiting queue -----------------------------------------------------------------------------


def join_queue(beneficiary: Beneficiary, details: RequestDetails, actor: User, now: datetime | None = None) -> WaitingEntry:
    now = now or utcnow()
    refusals = _eligibility_refusals(beneficiary, details, local(now).date())
    if refusals:
        raise NotEligible(refusals)
    _check_times(details)
    if details.basin_id is None:
        raise BookingError(_("Choisissez le bassin où vous attendez un véhicule."), field="basin_id")
    starts_at, ends_at = details.period()
    entry = WaitingEntry(
        beneficiary=beneficiary,
        basin_id=details.basin_id,
        category=details.category,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=details.purpose,
        purpose_detail=(details.purpose_detail or "").strip() or None,
        created_by_id=actor.id,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            queue_lifecycle.move(entry, QueueAction.JOIN, actor, creating=True)
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        raise BookingError(_("Vous êtes déjà dans une file d'attente. Retirez-vous d'abord de l'autre.")) from None
    record(AuditAction.CREATE, "waiting_entry", entry.id, actor=actor)
    return entry


def queue_position(entry: WaitingEntry) -> int:
    return 1 + db.session.scalar(
        select(func.count(WaitingEntry.id)).where(
            WaitingEntry.basin_id == entry.basin_id,
            WaitingEntry.category == entry.category,
            WaitingEntry.status.in_((WaitingStatus.WAITING, WaitingStatus.OFFERED)),
            or_(
                WaitingEntry.created_at < entry.created_at,
                and_(WaitingEntry.created_at == entry.created_at, WaitingEntry.id < entry.id),
            ),
        )
    )


def offer_freed_vehicle(vehicle: Vehicle, starts_at: datetime, ends_at: datetime, now: datetime | None = None) -> WaitingEntry | None:
    """A vehicle came free: offer it to the first person waiting whose dates it covers.

    The offer names the vehicle and lasts WAITING_OFFER_HOURS; the message itself is sent by
    the scheduler issue's job, which reads offered entries.
    """
    now = now or utcnow()
    candidates = db.session.scalars(
        select(WaitingEntry)
        .where(
            WaitingEntry.basin_id == vehicle.site.basin_id,
            WaitingEntry.category == vehicle.category,
            WaitingEntry.status == WaitingStatus.WAITING,
            WaitingEntry.starts_at > now,
        )
        .order_by(WaitingEntry.created_at, WaitingEntry.id)
    )
    for entry in candidates:
        if is_free(vehicle, entry.starts_at, entry.ends_at):
            queue_lifecycle.move(entry, QueueAction.OFFER, None)
            entry.offered_vehicle = vehicle
            entry.offer_expires_at = min(now + timedelta(hours=offer_hours()), entry.starts_at)
            db.session.flush()
            return entry
    return None


def accept_offer(entry: WaitingEntry, actor: User, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    if entry.status != WaitingStatus.OFFERED or entry.offer_expires_at <= now:
        raise BookingError(_("Cette proposition n'est plus valable."))
    details = RequestDetails(
        category=entry.category,
        basin_id=entry.basin_id,
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        purpose=entry.purpose,
        purpose_detail=entry.purpose_detail,
        pickup_time=local(entry.starts_at).time(),
        return_time=local(entry.ends_at).time(),
        vehicle_id=entry.offered_vehicle_id,
    )
    try:
        booking = request_booking(entry.beneficiary, details, actor, now)
    except VehicleTaken:
        # Taken meanwhile: back in the queue at the same place.
        queue_lifecycle.move(entry, QueueAction.REQUEUE, None)
        entry.offered_vehicle_id = None
        entry.offer_expires_at = None
        db.session.flush()
        raise
    queue_lifecycle.move(entry, QueueAction.ACCEPT, actor)
    entry.booking = booking
    db.session.flush()
    return booking


def withdraw_from_queue(entry: WaitingEntry, actor: User) -> WaitingEntry:
    vehicle = entry.offered_vehicle if entry.status == WaitingStatus.OFFERED else None
    queue_lifecycle.move(entry, QueueAction.WITHDRAW, actor)
    db.session.flush()
    record(AuditAction.UPDATE, "waiting_entry", entry.id, actor=actor, fields=("status",))
    if vehicle is not None:
        offer_freed_vehicle(vehicle, entry.starts_at, entry.ends_at)
    return entry


def expire_offers(now: datetime | None = None) -> int:
    """Offers not taken in time: the entry leaves the queue and the next person is offered."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(WaitingEntry).where(WaitingEntry.status == WaitingStatus.OFFERED, WaitingEntry.offer_expires_at <= now)
    ).all()
    for entry in stale:
        vehicle = entry.offered_vehicle
        queue_lifecycle.move(entry, QueueAction.EXPIRE, None)
        db.session.flush()
        offer_freed_vehicle(vehicle, entry.starts_at, entry.ends_at, now)
    return len(stale)
