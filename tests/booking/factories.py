"""Factories for bookings, on top of tests/factories.py and tests/fleet/factories.py.

`eligible_beneficiary()` gives a person who may rent a car today (RSA and B licence checked
by their référent). `BookingFactory` writes a booking row directly, as the database sees it:
tests of the services go through mobility.booking.services instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import factory

from mobility.booking.eligibility import Purpose
from mobility.booking.models import Booking, BookingStatus, BookingTransition, Tariff
from mobility.booking.pricing import DEMO_TARIFFS
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory
from mobility.core.time import today as today_in_france
from tests.factories import BaseFactory, BeneficiaryFactory, UserFactory
from tests.fleet.factories import VehicleFactory


def add_demo_tariffs() -> list[Tariff]:
    """The demo tariffs (car 4 €/day, VSP 3 €/day, caps and deposits), in force since 1/1/2026."""
    rows = [
        Tariff(
            category=rule.category,
            effective_on=rule.effective_on,
            daily_cents=rule.daily_cents,
            weekly_cap_cents=rule.weekly_cap_cents,
            monthly_cap_cents=rule.monthly_cap_cents,
            deposit_cents=rule.deposit_cents,
        )
        for rule in DEMO_TARIFFS
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def eligible_beneficiary(today: date | None = None, **overrides):
    """A person followed by a référent, RSA and B licence checked recently: may rent a car or a VSP."""
    today = today or today_in_france()
    referent = overrides.pop("referent", None) or UserFactory()
    values = {
        "referent": referent,
        "licence_b": True,
        "rsa_checked_on": today - timedelta(days=10),
        "driving_rights_checked_on": today - timedelta(days=10),
    }
    values.update(overrides)
    values["rsa_checked_by_id"] = referent.id if values["rsa_checked_on"] else None
    values["driving_rights_checked_by_id"] = referent.id if values["driving_rights_checked_on"] else None
    return BeneficiaryFactory(**values)


class BookingFactory(BaseFactory):
    class Meta:
        model = Booking

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    vehicle = factory.SubFactory(VehicleFactory)
    association_id = factory.SelfAttribute("vehicle.association_id")
    category = factory.SelfAttribute("vehicle.category")
    basin_id = factory.SelfAttribute("vehicle.site.basin_id")
    starts_at = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Monday 7 December, 9:00 in Paris
    ends_at = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)  # Friday 11 December, 17:00 in Paris
    days = 5
    purpose = Purpose.JOB
    purpose_detail = None
    status = BookingStatus.CONFIRMED
    price_cents = 2000
    deposit_cents = 15000

    @factory.post_generation
    def logged(booking, create, extracted, **kwargs):
        """One transition row, as if it had been made by the service."""
        if create:
            db.session.add(
                BookingTransition(booking=booking, action="prescribe", from_status=None, to_status=booking.status)
            )
            db.session.commit()

    class Params:
        vsp = factory.Trait(vehicle=factory.SubFactory(VehicleFactory, vsp=True), deposit_cents=10000)


__all__ = ["BookingFactory", "VehicleCategory", "add_demo_tariffs", "eligible_beneficiary"]


def handover_form(**overrides) -> dict:
    data = {
        "odometer_km": "45 300",
        "fuel_eighths": "8",
        "bodywork_ok": "y",
        "tyres_ok": "y",
        "lights_ok": "y",
        "interior_ok": "y",
        "papers_in_vehicle": "y",
        "damage_notes": "Rayure sur la portière arrière gauche",
        "deposit_received": "y",
        "deposit_method": "cheque",
        "deposit_receipt_number": "CAUTION-0001",
        "contract_signed": "y",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}
