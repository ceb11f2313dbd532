"""The waiting queue: first come first served, offers of freed vehicles."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.eligibility import NotEligible
from mobility.booking.availability import free_vehicles_query, is_free
from mobility.booking import queue_lifecycle
from mobility.booking.errors import BookingError
from mobility.booking.queue_lifecycle import QueueAction
from mobility.booking.models import (
    Booking,
    WaitingEntry,
    WaitingStatus,
)
from mobility.booking.services.requests import (
    RequestDetails,
    VehicleTaken,
    check_times,
    eligibility_refusals,
    offer_hours,
    request_booking,
)
from mobility.core.db import ConstraintViolated, refusing, savepoint
from mobility.core.time import local, utcnow
from mobility.extensions import db
from mobility.fleet.models import (
    Vehicle,
)

ONE_OPEN_OFFER_PER_VEHICLE = "uq_waiting_entry_one_open_offer_per_vehicle"

# Waiting queue -----------------------------------------------------------------------------


def join_queue(beneficiary: Beneficiary, details: RequestDetails, actor: User, now: datetime | None = None) -> WaitingEntry:
    now = now or utcnow()
    refusals = eligibility_refusals(beneficiary, details, local(now).date())
    if refusals:
        raise NotEligible(refusals)
    check_times(details)
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
    already_waiting = {
        "uq_waiting_entry_one_open_per_beneficiary": lambda: BookingError(
            _("Vous êtes déjà dans une file d'attente. Retirez-vous d'abord de l'autre.")
        )
    }
    with refusing(already_waiting):
        queue_lifecycle.move(entry, QueueAction.JOIN, actor, creating=True)
        db.session.add(entry)
    record(AuditAction.CREATE, "waiting_entry", entry.id, actor=actor)
    return entry


OPEN_STATUSES = (WaitingStatus.WAITING, WaitingStatus.OFFERED)


def queue_positions(entries) -> dict[int, int]:
    """Each open entry's place in its queue (same basin and category, first come first served),
    for a whole list in one statement: a row number over the open entries of those queues."""
    entries = [entry for entry in entries if entry.status in OPEN_STATUSES]
    if not entries:
        return {}
    queues = {(entry.basin_id, entry.category) for entry in entries}
    ranked = (
        select(
            WaitingEntry.id,
            func.row_number()
            .over(
                partition_by=(WaitingEntry.basin_id, WaitingEntry.category),
                order_by=(WaitingEntry.created_at, WaitingEntry.id),
            )
            .label("position"),
        )
        .where(
            WaitingEntry.status.in_(OPEN_STATUSES),
            or_(*(and_(WaitingEntry.basin_id == basin_id, WaitingEntry.category == category) for basin_id, category in queues)),
        )
        .subquery()
    )
    wanted = [entry.id for entry in entries]
    return dict(db.session.execute(select(ranked.c.id, ranked.c.position).where(ranked.c.id.in_(wanted))).all())


def queue_position(entry: WaitingEntry) -> int:
    return queue_positions([entry])[entry.id]


def _has_open_offer(vehicle_id: int) -> bool:
    return db.session.scalar(
        select(WaitingEntry.id).where(WaitingEntry.offered_vehicle_id == vehicle_id, WaitingEntry.status == WaitingStatus.OFFERED)
    ) is not None


def _offer(entry: WaitingEntry, vehicle: Vehicle, now: datetime) -> bool:
    """Offer the vehicle to the entry; False when the database says it is already on offer
    (another run or request offered it meanwhile: the unique index is the last word)."""
    try:
        with savepoint():
            queue_lifecycle.move(entry, QueueAction.OFFER, None)
            entry.offered_vehicle = vehicle
            entry.offer_expires_at = min(now + timedelta(hours=offer_hours()), entry.starts_at)
    except ConstraintViolated as refused:
        if refused.name != ONE_OPEN_OFFER_PER_VEHICLE:
            raise
        db.session.refresh(entry)
        return False
    return True


def offer_freed_vehicle(vehicle: Vehicle, starts_at: datetime, ends_at: datetime, now: datetime | None = None) -> WaitingEntry | None:
    """A vehicle came free: offer it to the first person waiting whose dates it covers.

    The offer names the vehicle and lasts WAITING_OFFER_HOURS; the message itself is sent by
    the scheduler's waiting-offers job, which reads offered entries. A vehicle already on offer to
    someone is held for that offer: nobody else is offered it until the offer ends.
    """
    now = now or utcnow()
    if _has_open_offer(vehicle.id):
        return None
    candidates = db.session.scalars(
        select(WaitingEntry)
        .where(
            WaitingEntry.basin_id == vehicle.site.basin_id,
            WaitingEntry.category == vehicle.category,
            WaitingEntry.status == WaitingStatus.WAITING,
            WaitingEntry.starts_at > now,
        )
        .order_by(WaitingEntry.created_at, WaitingEntry.id)
    ).all()
    for entry in candidates:
        if is_free(vehicle, entry.starts_at, entry.ends_at):
            return entry if _offer(entry, vehicle, now) else None
    return None


def offer_free_vehicles(now: datetime | None = None, batch: int = 500) -> int:
    """The sweep: every person waiting, in queue order, is offered a vehicle free for their
    dates if there is one, whatever freed it (a vehicle added, an unavailability or a
    maintenance ended or deleted) — not only a booking's change. Vehicles on offer are held."""
    now = now or utcnow()
    waiting = db.session.scalars(
        select(WaitingEntry)
        .where(WaitingEntry.status == WaitingStatus.WAITING, WaitingEntry.starts_at > now)
        .order_by(WaitingEntry.created_at, WaitingEntry.id)
        .limit(batch)
    ).all()
    offered = 0
    for entry in waiting:
        on_offer = select(WaitingEntry.offered_vehicle_id).where(
            WaitingEntry.status == WaitingStatus.OFFERED, WaitingEntry.offered_vehicle_id.is_not(None)
        )
        vehicle = db.session.scalars(
            free_vehicles_query(entry.category, entry.starts_at, entry.ends_at, entry.basin_id)
            .where(Vehicle.id.not_in(on_offer))
            .limit(1)
        ).first()
        if vehicle is not None and _offer(entry, vehicle, now):
            offered += 1
    return offered


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
