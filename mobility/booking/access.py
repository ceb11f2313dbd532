"""Who sees which booking: one place, used by every page and the API.

- a beneficiary: their own bookings;
- a référent: the bookings of the people their organisation follows;
- fleet staff: the bookings of their association's vehicles (and only handover facts);
- an admin: all.
Anything else is "not found", never "forbidden", so that ids reveal nothing.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, select

from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.models import Booking, Extension, WaitingEntry
from mobility.extensions import db


def visible_bookings(user: User) -> Select:
    query = select(Booking)
    if user.role == Role.ADMIN:
        return query
    if user.role == Role.FLEET:
        return query.where(Booking.association_id == user.organisation_id)
    if user.role == Role.REFERENT:
        return query.join(Beneficiary, Beneficiary.id == Booking.beneficiary_id).where(
            Beneficiary.organisation_id == user.organisation_id
        )
    if user.role == Role.BENEFICIARY:
        return query.join(Beneficiary, Beneficiary.id == Booking.beneficiary_id).where(
            Beneficiary.user_id == user.id
        )
    return query.where(False)


def get_visible_booking(booking_id: int, user: User, *options) -> Booking | None:
    """The booking if the user may see it; `options` load what the caller shows with it."""
    return db.session.scalar(visible_bookings(user).where(Booking.id == booking_id).options(*options))


def booking_or_404(booking_id: int, user: User, *options) -> Booking:
    booking = get_visible_booking(booking_id, user, *options)
    if booking is None:
        abort(404)
    return booking


def extension_or_404(extension_id: int, user: User) -> Extension:
    extension = db.session.get(Extension, extension_id)
    if extension is None or get_visible_booking(extension.booking_id, user) is None:
        abort(404)
    return extension


def waiting_entry_or_404(entry_id: int, user: User) -> WaitingEntry:
    entry = db.session.get(WaitingEntry, entry_id)
    if entry is None:
        abort(404)
    person = entry.beneficiary
    if user.role == Role.ADMIN:
        return entry
    if user.role == Role.BENEFICIARY and person.user_id == user.id:
        return entry
    if user.role == Role.REFERENT and person.organisation_id == user.organisation_id:
        return entry
    abort(404)


def may_see_plates(user: User) -> bool:
    return user.role in (Role.FLEET, Role.ADMIN)
