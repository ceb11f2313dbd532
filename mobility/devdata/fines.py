"""Demo fines for the Montargis association: one to designate within the week (driver
identified), one already designated, and a parking fine while the car was at its site.

Written as rows (like the other demo data), with what the service would have found: the
driver from the handover records (mobility.fines.driver). A second run changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobility.auth.models import User
from mobility.booking.models import Booking, BookingStatus
from mobility.core.time import at, local
from mobility.extensions import db
from mobility.fines.driver import who_had
from mobility.fines.models import Fine, FineAction, FineStatus, FineTransition, OffenceKind
from mobility.fines.rules import designation_deadline

DESIGNATION_DAYS = 45
MARGIN_MINUTES = 30


def _returned_rentals(association_id: int) -> list[Booking]:
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.association_id == association_id, Booking.status == BookingStatus.RETURNED)
        .options(selectinload(Booking.handovers))
        .order_by(Booking.ends_at.desc())
    ).all()
    return [b for b in bookings if b.check_out is not None and b.return_handover is not None]


def _middle(booking: Booking) -> datetime:
    moment = booking.check_out.recorded_at + (booking.return_handover.recorded_at - booking.check_out.recorded_at) / 2
    return moment.replace(minute=17, second=0, microsecond=0)


def _log(fine: Fine, staff: User, steps: list[tuple[FineAction, FineStatus | None, FineStatus, datetime]]) -> None:
    for action, source, target, moment in steps:
        db.session.add(FineTransition(fine=fine, action=action, from_status=source, to_status=target,
                                      actor_id=staff.id, occurred_at=moment))


def seed_fines(today: date) -> dict[str, int]:
    if db.session.scalar(select(Fine.id).where(Fine.notice_number == "1000000001")) is not None:
        return {"new_fines": 0}
    staff = db.session.scalar(select(User).where(User.email == "gestion@demo.test"))
    rentals = _returned_rentals(staff.organisation_id)
    # Rentals whose middle is old enough for an avis sent 38 days ago.
    old_enough = [b for b in rentals if local(_middle(b)).date() < today - timedelta(days=39)]
    if not old_enough:
        return {"new_fines": 0}
    created = 0

    def fine(number: str, rental: Booking | None, moment: datetime, kind: OffenceKind, cents: int, sent_on: date,
             place: str, vehicle=None) -> Fine:
        vehicle = vehicle or rental.vehicle
        answer = who_had(vehicle.id, moment, MARGIN_MINUTES)
        row = Fine(
            vehicle=vehicle, association_id=vehicle.association_id, notice_number=number, offence_at=moment,
            place=place, kind=kind, amount_cents=cents, notice_sent_on=sent_on,
            designation_due_on=designation_deadline(sent_on, DESIGNATION_DAYS), finding=answer.finding,
            status=FineStatus.RECEIVED, created_by_id=staff.id,
            created_at=at(min(sent_on + timedelta(days=3), today), time(9)),
        )
        db.session.add(row)
        return row

    # Due within the week: sent 38 days ago, the driver identified from the handovers.
    first = old_enough[0]
    middle = _middle(first)
    sent = today - timedelta(days=38)
    soon = fine("1000000001", first, middle, OffenceKind.SPEED, 13500, sent, "Montargis, D2060, sens Orléans-Montargis")
    soon.status, soon.booking, soon.beneficiary_id = FineStatus.DRIVER_IDENTIFIED, first, first.beneficiary_id
    _log(soon, staff, [(FineAction.RECORD, None, FineStatus.RECEIVED, soon.created_at),
                       (FineAction.IDENTIFY, FineStatus.RECEIVED, FineStatus.DRIVER_IDENTIFIED, soon.created_at)])
    created += 1
    if len(old_enough) > 1:
        second = old_enough[1]
        moment = second.check_out.recorded_at + timedelta(hours=26)
        sent_on = local(moment).date() + timedelta(days=6)
        done = fine("1000000002", second, moment, OffenceKind.RED_LIGHT, 13500, sent_on, "Amilly, avenue d'Antibes")
        done.status, done.booking, done.beneficiary_id = FineStatus.DESIGNATED, second, second.beneficiary_id
        done.designation_reference, done.designated_on = "DEMO-ANTAI-0002", sent_on + timedelta(days=12)
        _log(done, staff, [(FineAction.RECORD, None, FineStatus.RECEIVED, done.created_at),
                           (FineAction.IDENTIFY, FineStatus.RECEIVED, FineStatus.DRIVER_IDENTIFIED, done.created_at),
                           (FineAction.DESIGNATE, FineStatus.DRIVER_IDENTIFIED, FineStatus.DESIGNATED, done.created_at)])
        created += 1
    # Parking, two days after the first rental came back: the car was at its site.
    parked = first.return_handover.recorded_at + timedelta(days=2)
    if who_had(first.vehicle_id, parked, MARGIN_MINUTES).booking is None:
        parking = fine("1000000003", first, parked, OffenceKind.PARKING, 3500,
                       local(parked).date() + timedelta(days=5), "Montargis, place du Pâtis")
        _log(parking, staff, [(FineAction.RECORD, None, FineStatus.RECEIVED, parking.created_at)])
        created += 1
    db.session.flush()
    return {"new_fines": created}
