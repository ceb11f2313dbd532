"""Requests: periods, what is free instead, the preview, and the request itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking import notifications
from mobility.booking.eligibility import NotEligible, Purpose, check_active_bookings, check_eligibility
from mobility.booking.eligibility_settings import eligibility_settings
from mobility.booking.availability import Snapshot, closed_refusal, free_vehicles, free_vehicles_query
from mobility.booking.errors import BookingError
from mobility.booking.lifecycle import Action, move
from mobility.booking.models import (
    HOLDING_STATUSES,
    ONE_HOLDING_PER_BENEFICIARY,
    VEHICLE_HELD_GUARDS,
    Booking,
    BookingStatus,
)
from mobility.booking.pricing import quote
from mobility.booking.services.guards import take_write_lock
from mobility.booking.services.tariffs import tariff_for
from mobility.booking.settings import booking_settings
from mobility.core.db import ConstraintViolated, savepoint
from mobility.core.time import PARIS, local, utcnow
from mobility.extensions import db
from mobility.fleet.models import (
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
    return booking_settings().request_expiry_hours


def offer_hours() -> int:
    return booking_settings().offer_hours


def default_pickup_time() -> time:
    return booking_settings().default_pickup_time


def default_return_time() -> time:
    return booking_settings().default_return_time


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


def eligibility_refusals(beneficiary: Beneficiary, details: RequestDetails, today: date) -> list:
    settings = eligibility_settings()
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


def check_times(details: RequestDetails) -> None:
    starts_at, ends_at = details.period()
    if ends_at <= starts_at:
        raise BookingError(_("L'heure de retour doit être après l'heure de prise en charge."), field="return_time")
    # A pickup or a return when no site of the basin (or the chosen vehicle's) is open: said with
    # the site's hours, rather than as "nothing free".
    site = None
    if details.vehicle_id is not None:
        vehicle = db.session.get(Vehicle, details.vehicle_id)
        site = vehicle.site if vehicle is not None else None
    refusal = closed_refusal(details.category, starts_at, ends_at, details.basin_id, site)
    if refusal is not None:
        field_name, message = refusal
        raise BookingError(message, field=field_name)


def preview(beneficiary: Beneficiary, details: RequestDetails, now: datetime | None = None) -> Preview:
    now = now or utcnow()
    today = local(now).date()
    refusals = eligibility_refusals(beneficiary, details, today)
    if refusals:
        return Preview(refusals=refusals)
    check_times(details)
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


def request_booking(
    beneficiary: Beneficiary, details: RequestDetails, actor: User, now: datetime | None = None
) -> Booking:
    """Make a request (a beneficiary) or a prescription (a référent: approved at once).

    The vehicle is picked now, nearest site first, so it is held from the first moment.
    """
    take_write_lock()
    now = now or utcnow()
    today = local(now).date()
    refusals = eligibility_refusals(beneficiary, details, today)
    if refusals:
        raise NotEligible(refusals)
    check_times(details)
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
            with savepoint():
                db.session.add(booking)
                move(booking, action, actor, creating=True)
                if booking.status == BookingStatus.REQUESTED:
                    booking.expires_at = min(now + timedelta(hours=request_expiry_hours()), starts_at)
        except ConstraintViolated as violated:
            if violated.name == ONE_HOLDING_PER_BENEFICIARY:
                settings = eligibility_settings()
                raise NotEligible([check_active_bookings(settings.max_active_bookings, settings)]) from None
            if violated.name in VEHICLE_HELD_GUARDS:
                continue
            raise violated.error from None
        record(AuditAction.CREATE, "booking", booking.id, actor=actor)
        notifications.transition(booking, action)
        return booking
    raise VehicleTaken(alternatives_for(details, beneficiary.commune_insee))
