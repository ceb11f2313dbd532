"""Scheduled work of the bookings (mobility/scheduler.py says when).

Each job takes the scheduled instant `now` (and `wet`, for the scheduler's dry-run), works in
the caller's transaction, and returns {"rows": changed, "dropped": ...}. Safe to run twice:
every message carries a deduplication key naming the event, and every change checks the row's
state first. Messages name bookings by reference and files by number, never by a person's name.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking import services
from mobility.booking.models import Booking, BookingStatus, OutcomeCheckpoint, WaitingEntry, WaitingStatus
from mobility.core.time import at, local
from mobility.extensions import db
from mobility.fleet.models import Vehicle
from mobility.notify.contacts import Contact
from mobility.notify.models import ContactChoice
from mobility.notify.phones import display_phone
from mobility.notify.services import external_url, is_queued, queue_for

log = logging.getLogger(__name__)

# The evening before: when the pickup and return reminders are due.
REMINDER_TIME = time(18, 0)
# An outcome checkpoint is reminded for this many days after it falls due, then left alone.
CHECKPOINT_REMINDER_DAYS = 60
CHECKPOINT_DAYS = {OutcomeCheckpoint.AFTER_3_MONTHS: 90, OutcomeCheckpoint.AFTER_6_MONTHS: 182}


def staff_contact(user: User) -> Contact:
    return Contact(email=user.email, language=user.locale, choice=ContactChoice.EMAIL)


def association_contact(booking: Booking) -> str:
    site = booking.site
    phone = display_phone(site.phone)
    name = site.association.name
    return f"{name}, {site.name}" + (f", {phone}" if phone else "")


def _fleet_staff(association_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.organisation_id == association_id, User.role == Role.FLEET, User.active.is_(True))
        )
    )


def _active_referent(beneficiary: Beneficiary) -> User | None:
    referent = beneficiary.referent
    return referent if referent is not None and referent.active else None


def _day(now: datetime):
    return local(now).date()


# Stale requests and the waiting queue ------------------------------------------------------


def expire_stale_requests(now: datetime, wet: bool = True) -> dict:
    """Requests not approved within BOOKING_REQUEST_EXPIRY_HOURS expire and free their vehicle.

    The booking service does the move, the messages to the beneficiary and the référent, and
    offers the freed vehicle to the queue; `flask expire-bookings` calls the same service.
    """
    return {"rows": services.expire_stale_requests(now)}


def offer_waiting_queue(now: datetime, wet: bool = True) -> dict:
    """Offers not taken in time go to the next person; free vehicles are offered to the people
    waiting (the sweep: a vehicle added, an unavailability ended or deleted frees one without
    any booking's change); each open offer is told once.

    One message per person, vehicle and period (the key), whatever the runs and re-offers.
    """
    expired = services.expire_offers(now)
    swept = services.offer_free_vehicles(now)
    offers = db.session.scalars(
        select(WaitingEntry)
        .where(WaitingEntry.status == WaitingStatus.OFFERED, WaitingEntry.offer_expires_at > now)
        .options(selectinload(WaitingEntry.beneficiary), selectinload(WaitingEntry.offered_vehicle))
        .order_by(WaitingEntry.id)
    ).all()
    told = 0
    for entry in offers:
        key = (
            f"waiting-offer:{entry.beneficiary_id}:{entry.offered_vehicle_id}:"
            f"{entry.starts_at:%Y%m%d%H%M}-{entry.ends_at:%Y%m%d%H%M}"
        )
        if is_queued(key):
            continue
        vehicle: Vehicle = entry.offered_vehicle
        queue_for(
            entry.beneficiary.contact(),
            template="waiting_offer",
            dedup_key=key,
            entry=entry,
            vehicle=vehicle,
            expires=local(entry.offer_expires_at),
            association_contact=f"{vehicle.site.association.name}, {vehicle.site.name}"
            + (f", {display_phone(vehicle.site.phone)}" if vehicle.site.phone else ""),
            link=external_url("booking.index"),
        )
        told += 1
    return {"rows": expired + swept + told}


# Reminders ---------------------------------------------------------------------------------


def _reminders(now: datetime, kind: str) -> dict:
    """Remind the day before; a reminder whose evening has passed is dropped, never sent late."""
    today = _day(now)
    tomorrow = today + timedelta(days=1)
    if kind == "pickup":
        status, column = BookingStatus.CONFIRMED, Booking.starts_at
    else:
        status, column = BookingStatus.IN_PROGRESS, Booking.ends_at
    start_today = at(today, time(0))
    end_tomorrow = at(tomorrow + timedelta(days=1), time(0))
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.status == status, column >= start_today, column < end_tomorrow)
        .options(selectinload(Booking.beneficiary), selectinload(Booking.vehicle))
        .order_by(Booking.id)
    ).all()
    sent = dropped = 0
    for booking in bookings:
        moment = booking.starts_at if kind == "pickup" else booking.ends_at
        key = f"reminder:{kind}:{booking.id}:{moment:%Y%m%d%H%M}"
        if is_queued(key):
            continue
        day = local(moment).date()
        due_at = at(day - timedelta(days=1), REMINDER_TIME)
        if day == today:
            # Its evening was yesterday. Count it only if it could have been sent then.
            if booking.created_at < due_at:
                dropped += 1
            continue
        if now < due_at:
            continue  # run early by hand: not yet
        queue_for(
            booking.beneficiary.contact(),
            template=f"{kind}_reminder",
            dedup_key=key,
            booking=booking,
            association_contact=association_contact(booking),
            link=external_url("booking.show", booking_id=booking.id),
        )
        sent += 1
    if dropped:
        log.warning("%s reminder(s) %s dropped: their moment passed while the scheduler was down", dropped, kind)
    return {"rows": sent, "dropped": dropped}


def pickup_reminders(now: datetime, wet: bool = True) -> dict:
    return _reminders(now, "pickup")


def return_reminders(now: datetime, wet: bool = True) -> dict:
    return _reminders(now, "return")


# Overdue returns ---------------------------------------------------------------------------


def flag_overdue_returns(now: datetime, wet: bool = True) -> dict:
    """Tell the association's staff and the référent, once per booking and day at most.

    Overdue is a flag computed from the end date (Booking.is_overdue), shown on the fleet
    pages; this job is what makes people hear of it without looking.
    """
    today = _day(now)
    flagged = 0
    for booking in services.overdue_bookings(None, now):
        recipients = [(u, "fleet") for u in _fleet_staff(booking.association_id)]
        referent = _active_referent(booking.beneficiary)
        if referent is not None:
            recipients.append((referent, "referent"))
        new = False
        for user, audience in recipients:
            key = f"overdue:{booking.id}:{today.isoformat()}:{user.id}"
            if is_queued(key):
                continue
            queue_for(
                staff_contact(user),
                template="overdue_return",
                dedup_key=key,
                booking=booking,
                audience=audience,
                days_late=max((today - booking.ends_on).days, 0),
                link=external_url("booking.show", booking_id=booking.id),
            )
            new = True
        flagged += new
    return {"rows": flagged}


# Digests -----------------------------------------------------------------------------------


def pending_approvals_digest(now: datetime, wet: bool = True) -> dict:
    """Each référent with requests waiting for them hears once a day, in one message."""
    today = _day(now)
    waiting = db.session.scalars(
        select(Booking)
        .join(Beneficiary, Booking.beneficiary_id == Beneficiary.id)
        .where(Booking.status == BookingStatus.REQUESTED, Beneficiary.referent_id.is_not(None))
        .options(selectinload(Booking.beneficiary).selectinload(Beneficiary.referent))
        .order_by(Booking.starts_at, Booking.id)
    ).all()
    by_referent: dict[int, list[Booking]] = defaultdict(list)
    referents: dict[int, User] = {}
    for booking in waiting:
        referent = _active_referent(booking.beneficiary)
        if referent is not None:
            by_referent[referent.id].append(booking)
            referents[referent.id] = referent
    sent = 0
    for referent_id, bookings in by_referent.items():
        key = f"digest:approvals:{referent_id}:{today.isoformat()}"
        if is_queued(key):
            continue
        queue_for(
            staff_contact(referents[referent_id]),
            template="approvals_digest",
            dedup_key=key,
            bookings=bookings,
            count=len(bookings),
            link=external_url("booking.index"),
        )
        sent += 1
    return {"rows": sent}


def checkpoints_digest(now: datetime, wet: bool = True) -> dict:
    """Outcome checkpoints at 3 and 6 months not yet recorded: one daily digest per référent."""
    today = _day(now)
    oldest_end = today - timedelta(days=max(CHECKPOINT_DAYS.values()) + CHECKPOINT_REMINDER_DAYS)
    newest_end = today - timedelta(days=min(CHECKPOINT_DAYS.values()))
    returned = db.session.scalars(
        select(Booking)
        .where(
            Booking.status == BookingStatus.RETURNED,
            Booking.ends_at >= at(oldest_end, time(0)),
            Booking.ends_at < at(newest_end + timedelta(days=1), time(0)),
        )
        .options(selectinload(Booking.outcomes), selectinload(Booking.beneficiary).selectinload(Beneficiary.referent))
        .order_by(Booking.ends_at, Booking.id)
    ).all()
    items: dict[int, list[tuple[Booking, OutcomeCheckpoint]]] = defaultdict(list)
    referents: dict[int, User] = {}
    for booking in returned:
        referent = _active_referent(booking.beneficiary)
        if referent is None:
            continue
        for checkpoint in services.due_checkpoints(booking, today):
            days = CHECKPOINT_DAYS.get(checkpoint)
            if days is None:
                continue
            overdue_for = (today - booking.ends_on).days - days
            if 0 <= overdue_for <= CHECKPOINT_REMINDER_DAYS:
                items[referent.id].append((booking, checkpoint))
                referents[referent.id] = referent
    sent = 0
    for referent_id, due in items.items():
        key = f"digest:checkpoints:{referent_id}:{today.isoformat()}"
        if is_queued(key):
            continue
        queue_for(
            staff_contact(referents[referent_id]),
            template="checkpoints_digest",
            dedup_key=key,
            items=[
                {"reference": b.reference, "checkpoint": c.label, "link": external_url("booking.show", booking_id=b.id)}
                for b, c in due
            ],
            count=len(due),
        )
        sent += 1
    return {"rows": sent}
