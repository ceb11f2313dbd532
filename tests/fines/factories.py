"""Rentals with their handover records, and fines as the database holds them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import factory

from mobility.booking.models import BookingStatus, Handover, HandoverKind
from mobility.extensions import db
from mobility.fines.models import DriverFinding, Fine, FineStatus, FineTransition, FineAction, OffenceKind
from tests.booking.factories import BookingFactory
from tests.factories import BaseFactory
from tests.fleet.factories import VehicleFactory


def fleet_vehicle(staff, **overrides):
    """A vehicle of the staff member's association, in the fleet since 1 January 2026."""
    from tests.fleet.factories import SiteFactory

    values = {"site": SiteFactory(association=staff.organisation), "created_at": datetime(2026, 1, 1, tzinfo=UTC)}
    values.update(overrides)
    return VehicleFactory(**values)


def rental(vehicle, checked_out_at: datetime, returned_at: datetime | None = None, **overrides):
    """A rental of `vehicle` with its check-out (and return) recorded at those instants."""
    booking = BookingFactory(
        vehicle=vehicle,
        starts_at=overrides.pop("starts_at", checked_out_at),
        ends_at=overrides.pop("ends_at", returned_at or datetime(2030, 1, 1, tzinfo=UTC)),
        status=BookingStatus.RETURNED if returned_at else BookingStatus.IN_PROGRESS,
        **overrides,
    )
    db.session.add(Handover(booking=booking, kind=HandoverKind.CHECK_OUT, odometer_km=1000, fuel_eighths=8,
                            recorded_at=checked_out_at))
    if returned_at is not None:
        db.session.add(Handover(booking=booking, kind=HandoverKind.RETURN, odometer_km=1200, fuel_eighths=6,
                                recorded_at=returned_at))
    db.session.commit()
    return booking


class FineFactory(BaseFactory):
    class Meta:
        model = Fine

    vehicle = factory.SubFactory(VehicleFactory)
    association_id = factory.SelfAttribute("vehicle.association_id")
    notice_number = factory.Sequence(lambda n: f"{1000000000 + n}")
    offence_at = datetime(2026, 10, 5, 14, 0, tzinfo=UTC)
    place = "Orléans, A10, sens Paris-Province"
    kind = OffenceKind.SPEED
    amount_cents = 13500
    notice_sent_on = date(2026, 10, 12)
    designation_due_on = date(2026, 11, 26)
    finding = DriverFinding.AT_SITE
    status = FineStatus.RECEIVED

    @factory.post_generation
    def logged(fine, create, extracted, **kwargs):
        if create:
            db.session.add(FineTransition(fine=fine, action=FineAction.RECORD, from_status=None, to_status=fine.status))
            db.session.commit()
