"""Booking messages reach the beneficiary on the channel they chose (e-mail, SMS or both)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import time_machine

from mobility.booking import services
from mobility.booking.eligibility import Purpose
from mobility.booking.services import RequestDetails
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory
from mobility.notify.models import ContactChoice
from mobility.notify.services import deliver_pending
from tests.booking.factories import add_demo_tariffs, eligible_beneficiary
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.helpers import body_of

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


@pytest.fixture
def orleans_site(app):
    with time_machine.travel(NOW, tick=False):
        add_demo_tariffs()
        orleans_site = SiteFactory(orleans=True)
        VehicleFactory(site=orleans_site)
        db.session.commit()
        yield orleans_site


def _prescribe(orleans_site, person):
    """The référent's request: approved at once, the person told their booking is approved."""
    details = RequestDetails(
        category=VehicleCategory.CAR, basin_id=orleans_site.basin_id, starts_on=date(2026, 12, 7),
        ends_on=date(2026, 12, 11), purpose=Purpose.JOB, pickup_time=time(9, 0), return_time=time(17, 0),
    )
    booking = services.request_booking(person, details, person.referent)
    db.session.commit()
    deliver_pending()
    return booking


def _sms_files(app) -> list[tuple[str, str]]:
    directory = Path(app.config["SMS_FILE_DIR"])
    files = sorted(directory.glob("*.txt")) if directory.exists() else []
    return [tuple(path.read_text(encoding="utf-8").split("\n", 1)) for path in files]


def test_a_person_with_sms_only_gets_the_approval_as_an_sms(app, orleans_site, mailbox):
    person = eligible_beneficiary(TODAY, email=None, phone="06 12 34 56 78", contact_channel=ContactChoice.SMS)
    booking = _prescribe(orleans_site, person)
    sms = _sms_files(app)
    assert [number for number, _ in sms] == ["+33612345678"]
    text = sms[0][1]
    assert f"Votre location {booking.reference} est validée" in text
    assert f"/locations/{booking.id}" in text and len(text) <= 160
    assert mailbox.messages() == []  # no e-mail to a person without one


def test_a_person_with_email_only_gets_the_approval_as_an_email(app, orleans_site, mailbox):
    person = eligible_beneficiary(TODAY, email="seule@example.org", phone=None, contact_channel=ContactChoice.EMAIL)
    booking = _prescribe(orleans_site, person)
    assert _sms_files(app) == []
    message = mailbox.last_to("seule@example.org")
    assert message["Subject"] == f"Votre location {booking.reference} est validée"
    assert "validée par votre référent" in body_of(message)


def test_a_person_who_chose_both_gets_the_approval_on_both(app, orleans_site, mailbox):
    person = eligible_beneficiary(TODAY, email="deux@example.org", phone="07 56 12 34 56", contact_channel=ContactChoice.BOTH)
    _prescribe(orleans_site, person)
    assert [number for number, _ in _sms_files(app)] == ["+33756123456"]
    assert mailbox.last_to("deux@example.org")
