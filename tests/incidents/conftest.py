"""A rental in progress at an association with a spare vehicle, its person, référent and staff."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from mobility.booking.models import BookingStatus, Tariff
from mobility.extensions import db
from tests.booking.factories import BookingFactory, add_demo_tariffs
from tests.factories import BeneficiaryFactory, UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

# Wednesday 9 December 2026, 11:00 in Paris; the rental runs Monday 7 to Friday 11 December.
NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen_at():
    """Every incident test lives on NOW."""
    return NOW


@pytest.fixture
def rental_in_progress(app, frozen):
    tariffs = add_demo_tariffs()
    site = SiteFactory(orleans=True)
    association = site.association
    vehicle, spare = VehicleFactory(site=site), VehicleFactory(site=site)
    staff = UserFactory(fleet=True, organisation=association, email="gestion@example.org")
    other_staff = UserFactory(fleet=True, email="autre-gestion@example.org")
    person = BeneficiaryFactory(licence_b=True)
    person_user = UserFactory(beneficiary=True, organisation=person.organisation, email="personne@example.org")
    person.user = person_user
    car_tariff = next(t for t in db.session.query(Tariff).all() if t.category.value == "car") if tariffs else None
    booking = BookingFactory(
        vehicle=vehicle, beneficiary=person, status=BookingStatus.IN_PROGRESS, tariff=car_tariff, price_cents=2000
    )
    db.session.commit()
    return {
        "site": site,
        "association": association,
        "vehicle": vehicle,
        "spare": spare,
        "staff": staff,
        "other_staff": other_staff,
        "person": person,
        "person_user": person_user,
        "referent": person.referent,
        "booking": booking,
    }


def jpeg_with_gps_and_camera(size=(64, 48)) -> bytes:
    """A JPEG as a phone writes it: GPS position and the phone's make and model in EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (47.0, 54.0, 10.0)
    gps[3] = "E"
    gps[4] = (1.0, 54.0, 30.0)
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()
