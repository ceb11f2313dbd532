"""One person's bookings as their own pages need them: the current request or rental (their
home page, the request form's notice) and, for the référent's file page, the rentals, the
outcomes due and today's rights per category (the beneficiaries floor's RentalsOfPerson port).
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from mobility.auth.models import User
from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.ports import CategoryRight, FileRentals, RentalLine
from mobility.booking.eligibility import refusals_by_category
from mobility.booking.eligibility_settings import eligibility_settings
from mobility.booking.models import HOLDING_STATUSES, Booking, WaitingEntry, WaitingStatus, local
from mobility.booking.services import due_checkpoints, holding_bookings_of
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.fleet.models import Vehicle

# The file page lists this many rentals, newest first; "Locations" holds the rest.
FILE_RENTALS_SHOWN = 20


def current_booking(beneficiary: Beneficiary) -> Booking | None:
    """The request or rental that holds a vehicle for this person now (one at most: a partial
    unique index), or None."""
    return db.session.scalar(
        select(Booking)
        .where(Booking.beneficiary_id == beneficiary.id, Booking.status.in_(HOLDING_STATUSES))
        # Many-to-one all the way: joined in the same statement.
        .options(joinedload(Booking.vehicle).joinedload(Vehicle.site))
        .order_by(Booking.starts_at, Booking.id)
        .limit(1)
    )


def open_waiting_entry(beneficiary: Beneficiary) -> WaitingEntry | None:
    """The person's place in a waiting queue, waiting or offered (one at most), or None."""
    return db.session.scalar(
        select(WaitingEntry).where(
            WaitingEntry.beneficiary_id == beneficiary.id,
            WaitingEntry.status.in_((WaitingStatus.WAITING, WaitingStatus.OFFERED)),
        )
    )


class BookingRentalsOfPerson:
    """The booking floor's answer to beneficiaries.ports.RentalsOfPerson."""

    def for_file(self, beneficiary: Beneficiary, viewer: User) -> FileRentals:
        today = local(utcnow()).date()
        bookings = db.session.scalars(
            select(Booking)
            .where(Booking.beneficiary_id == beneficiary.id)
            .options(selectinload(Booking.outcomes))
            .order_by(Booking.starts_at.desc(), Booking.id.desc())
            .limit(FILE_RENTALS_SHOWN)
        )
        rentals = tuple(
            RentalLine(
                reference=booking.reference,
                url=url_for("booking.show", booking_id=booking.id),
                category_label=booking.category.label,
                starts_at=booking.starts_at,
                ends_at=booking.ends_at,
                status_label=booking.status.label,
                outcomes_due=tuple(checkpoint.label for checkpoint in due_checkpoints(booking, today)),
            )
            for booking in bookings
        )
        settings = eligibility_settings()
        refusals = refusals_by_category(beneficiary, holding_bookings_of(beneficiary), today, settings)
        rights = tuple(
            CategoryRight(
                category_label=category.label,
                reasons=tuple(
                    (str(worded.message), str(worded.what_to_do))
                    for worded in (refusal.worded_for(staff=True) for refusal in why)
                ),
            )
            for category, why in refusals.items()
        )
        return FileRentals(
            rentals=rentals,
            rights=rights,
            request_url=url_for("booking.request_form", beneficiaire=beneficiary.id),
        )
