"""Refusals of the database named by their constraint, on the database under test."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from mobility.booking.models import Payment, PaymentKind, PaymentMethod
from mobility.core.db import ConstraintViolated, refusing, savepoint, violated_constraint
from mobility.core.errors import Refused
from mobility.extensions import db
from mobility.fleet.models import ODOMETER_GUARD, OdometerReading, OdometerSource, Vehicle
from tests.booking.factories import BookingFactory
from tests.fleet.factories import OdometerReadingFactory, VehicleFactory


def test_a_unique_column_is_named_by_its_constraint(app):
    vehicle = VehicleFactory(plate="AA-111-AA")
    with pytest.raises(ConstraintViolated) as violated:
        with savepoint():
            db.session.add(VehicleFactory.build(site=vehicle.site, plate="AA-111-AA"))
    assert violated.value.name == "uq_vehicle_plate"
    # The savepoint alone was rolled back: the session goes on.
    assert db.session.get(Vehicle, vehicle.id) is vehicle


def test_a_trigger_is_named_by_its_own_message(app):
    vehicle = VehicleFactory()
    OdometerReadingFactory(vehicle=vehicle, read_on=date(2026, 11, 2), km=45_000)
    with pytest.raises(IntegrityError) as raised:
        with db.session.begin_nested():
            db.session.add(
                OdometerReading(vehicle_id=vehicle.id, read_on=date(2026, 11, 3), km=10, source=OdometerSource.MANUAL)
            )
    assert violated_constraint(raised.value) == ODOMETER_GUARD


def test_refusing_turns_a_named_violation_into_the_domain_refusal_and_lets_others_through(app):
    booking = BookingFactory()
    first = Payment(
        booking_id=booking.id,
        kind=PaymentKind.RENTAL,
        method=PaymentMethod.CASH,
        amount_cents=1000,
        paid_on=date(2026, 11, 23),
        receipt_number="R-1",
        created_at=datetime(2026, 11, 23, 10, tzinfo=UTC),
    )
    db.session.add(first)
    db.session.flush()
    twin = Payment(
        booking_id=booking.id,
        kind=PaymentKind.RENTAL,
        method=PaymentMethod.CASH,
        amount_cents=1000,
        paid_on=date(2026, 11, 23),
        receipt_number="R-1",
        created_at=datetime(2026, 11, 23, 10, tzinfo=UTC),
    )
    with pytest.raises(Refused, match="déjà utilisé"):
        with refusing({"uq_payment_receipt_number": lambda: Refused("Ce numéro de reçu est déjà utilisé.")}):
            db.session.add(twin)
    with pytest.raises(IntegrityError):
        with refusing({"some_other_constraint": lambda: Refused("jamais")}):
            db.session.add(
                Payment(
                    booking_id=booking.id,
                    kind=PaymentKind.RENTAL,
                    method=PaymentMethod.CASH,
                    amount_cents=1000,
                    paid_on=date(2026, 11, 23),
                    receipt_number="R-1",
                    created_at=datetime(2026, 11, 23, 10, tzinfo=UTC),
                )
            )
