"""Calendars that follow the booking: the person's .ics and the site feed, read with icalendar.

One UID per appointment for the booking's whole life, SEQUENCE bumped at each move of its log
(and the same on every request), STATUS:CANCELLED once it will not happen, and no "add to my
agenda" link on a booking that will not happen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from mobility.booking import services
from mobility.booking.models import BookingStatus
from mobility.extensions import db
from tests.booking.factories import BookingFactory, add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FROZEN_AT = NOW
TODAY = date(2026, 11, 23)
AGENDA_LINK = "Ajouter à mon agenda"


@pytest.fixture
def beneficiary_with_a_request(app, frozen, auth):
    add_demo_tariffs()
    fleet = UserFactory(fleet=True)
    site = SiteFactory(orleans=True, association=fleet.organisation)
    vehicle = VehicleFactory(site=site)
    person = eligible_beneficiary(TODAY, commune_insee="45234")
    user = UserFactory(beneficiary=True, organisation=person.organisation)
    person.user = user
    booking = BookingFactory(beneficiary=person, vehicle=vehicle, status=BookingStatus.REQUESTED)
    db.session.commit()
    auth.login(user)
    return {"booking": booking, "fleet": fleet, "referent": person.referent, "site": site, "user": user}


def person_events(client, booking) -> dict[str, dict]:
    response = client.get(f"/locations/{booking.id}/calendrier.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.get_data())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def feed_events(client, site) -> dict[str, dict]:
    calendar = Calendar.from_ical(client.get(f"/flotte/sites/{site.id}/calendrier/{site.ics_token}.ics").get_data())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def states(events: dict[str, dict]) -> set[tuple[int, str]]:
    return {(int(event["SEQUENCE"]), str(event["STATUS"])) for event in events.values()}


def test_the_same_uids_throughout_with_the_sequence_bumped_at_each_move_and_stable_between_requests(client, beneficiary_with_a_request):
    booking = beneficiary_with_a_request["booking"]
    uids = {f"booking-{booking.id}-pickup@mobilite-emploi-loiret", f"booking-{booking.id}-return@mobilite-emploi-loiret"}
    first = person_events(client, booking)
    assert set(first) == uids and states(first) == {(0, "CONFIRMED")}
    assert states(person_events(client, booking)) == {(0, "CONFIRMED")}  # the same when asked again

    services.approve(booking, beneficiary_with_a_request["referent"])
    db.session.commit()
    assert states(person_events(client, booking)) == {(1, "CONFIRMED")}
    services.confirm(booking, beneficiary_with_a_request["fleet"])
    db.session.commit()
    events = person_events(client, booking)
    assert set(events) == uids and states(events) == {(2, "CONFIRMED")}
    assert states(person_events(client, booking)) == {(2, "CONFIRMED")}

    services.cancel(booking, beneficiary_with_a_request["fleet"], "Véhicule accidenté")
    db.session.commit()
    cancelled = person_events(client, booking)
    assert set(cancelled) == uids and states(cancelled) == {(3, "CANCELLED")}
    assert {str(event["TRANSP"]) for event in cancelled.values()} == {"TRANSPARENT"}


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.EXPIRED])
def test_a_booking_that_will_not_happen_is_cancelled_in_the_calendar_and_offers_no_agenda_link(client, beneficiary_with_a_request, status):
    booking = beneficiary_with_a_request["booking"]
    assert AGENDA_LINK in client.get(f"/locations/{booking.id}").get_data(as_text=True)
    booking.status = status
    db.session.commit()
    assert {str(event["STATUS"]) for event in person_events(client, booking).values()} == {"CANCELLED"}
    assert AGENDA_LINK not in client.get(f"/locations/{booking.id}").get_data(as_text=True)


def test_the_site_feed_keeps_a_booking_cancelled_after_approval_as_cancelled(client, beneficiary_with_a_request):
    booking = beneficiary_with_a_request["booking"]
    services.approve(booking, beneficiary_with_a_request["referent"])
    db.session.commit()
    assert states(feed_events(client, beneficiary_with_a_request["site"])) == {(1, "CONFIRMED")}
    services.cancel(booking, beneficiary_with_a_request["referent"], "La personne a trouvé un covoiturage")
    db.session.commit()
    events = feed_events(client, beneficiary_with_a_request["site"])
    assert len(events) == 2 and states(events) == {(2, "CANCELLED")}
