"""Who had the vehicle at a given moment, from the handover records.

A rental holds the vehicle from its check-out (the moment staff recorded the handover) to its
return (the moment staff recorded it), not from its booked start to its booked end: people
come late and bring cars back early. A check-out without a return is still out. A moment within
`margin` of a check-out or a return (either side, the minute itself included) is too close to
tell from the records (the form was filled a little before or after the keys changed hands):
a person looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobility.booking.models import Booking, Handover, HandoverKind
from mobility.extensions import db
from mobility.fines.models import DriverFinding


@dataclass(frozen=True)
class Possession:
    """One rental's time with the vehicle, from the handover records."""

    booking: Booking
    checked_out_at: datetime
    returned_at: datetime | None  # None: still out

    def holds(self, moment: datetime) -> bool:
        return self.checked_out_at <= moment and (self.returned_at is None or moment < self.returned_at)

    def handovers(self) -> list[datetime]:
        return [self.checked_out_at] + ([self.returned_at] if self.returned_at is not None else [])


@dataclass(frozen=True)
class DriverAnswer:
    finding: DriverFinding
    # The rental that held the vehicle (DRIVER), or the rentals whose handover is near (NEEDS_REVIEW).
    candidates: list[Booking] = field(default_factory=list)

    @property
    def booking(self) -> Booking | None:
        return self.candidates[0] if self.finding is DriverFinding.DRIVER else None


def possessions(vehicle_id: int, around: datetime, window: timedelta) -> list[Possession]:
    """The rentals of the vehicle checked out before `around + window`, with their handovers."""
    bookings = db.session.scalars(
        select(Booking)
        .join(Handover, Handover.booking_id == Booking.id)
        .where(
            Booking.vehicle_id == vehicle_id,
            Handover.kind == HandoverKind.CHECK_OUT,
            Handover.recorded_at <= around + window,
        )
        .options(selectinload(Booking.handovers), selectinload(Booking.beneficiary))
        .order_by(Handover.recorded_at)
    ).all()
    found = []
    for booking in bookings:
        check_out, back = booking.check_out, booking.return_handover
        returned_at = back.recorded_at if back is not None else None
        if returned_at is not None and returned_at < around - window:
            continue  # long back before the moment
        found.append(Possession(booking, check_out.recorded_at, returned_at))
    return found


def who_had(vehicle_id: int, moment: datetime, margin_minutes: int) -> DriverAnswer:
    """The rental that had the vehicle at `moment`, nobody (at the site), or "look closer"."""
    margin = timedelta(minutes=margin_minutes)
    near = possessions(vehicle_id, moment, margin)
    close_calls = [p.booking for p in near if any(abs(moment - h) <= margin for h in p.handovers())]
    if close_calls:
        return DriverAnswer(DriverFinding.NEEDS_REVIEW, close_calls)
    holding = [p.booking for p in near if p.holds(moment)]
    if holding:
        return DriverAnswer(DriverFinding.DRIVER, holding[:1])
    return DriverAnswer(DriverFinding.AT_SITE)
