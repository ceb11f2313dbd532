"""Swaps say what changes: confirming with a vehicle at another site shows the site and its
distance to the person's commune, needs an explicit confirmation, and tells the person.

Time is Monday 23 November 2026, 10:00 in Paris, frozen before anyone logs in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from mobility.booking.models import BookingStatus, BookingTransition
from mobility.extensions import db
from mobility.fleet.opening_hours import SiteOpeningHours
from mobility.notify.models import OutboxMessage
from mobility.territory.geography import distance_km, great_circle_km
from tests.booking.factories import BookingFactory, eligible_beneficiary
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of

# The clock of tests/<package>/conftest.py (Monday 23 November 2026, 10:00 in France).
pytestmark = pytest.mark.usefixtures("frozen")

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CHALETTE, MONTARGIS, GIEN = "45068", "45208", "45155"


@pytest.fixture
def two_sites(fleet_user):
    association = fleet_user.organisation
    montargis = SiteFactory(association=association, name="Garage de Montargis", commune_insee=MONTARGIS)
    gien = SiteFactory(
        association=association, name="Antenne de Gien", commune_insee=GIEN, address="3 quai Lenoir", phone="02 38 00 00 09"
    )
    for weekday in range(5):
        db.session.add(
            SiteOpeningHours(
                site_id=gien.id,
                weekday=weekday,
                morning_opens=time(8, 30),
                morning_closes=time(12),
                afternoon_opens=time(13, 30),
                afternoon_closes=time(17, 30),
            )
        )
    person = eligible_beneficiary(date(2026, 11, 23), commune_insee=CHALETTE, email="personne@example.org")
    requested = VehicleFactory(site=montargis, plate="MO-111-NT")
    same_site = VehicleFactory(site=montargis, plate="MO-222-NT")
    other_site = VehicleFactory(site=gien, plate="GI-333-EN")
    booking = BookingFactory(vehicle=requested, beneficiary=person, status=BookingStatus.APPROVED)
    db.session.commit()
    return {"booking": booking, "same_site": same_site, "other_site": other_site, "gien": gien}


def _messages_to_person() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "personne@example.org")))


def test_the_distance_is_the_great_circle_between_commune_centres_rounded():
    # Orléans–Montargis is about 62 km as the crow flies.
    assert distance_km("45234", MONTARGIS) == 62
    assert distance_km(CHALETTE, CHALETTE) == 0
    assert distance_km(CHALETTE, "99999") is None
    assert round(great_circle_km((0.0, 0.0), (0.0, 1.0))) == 111


def test_the_confirm_page_shows_the_other_site_and_its_distance(client, logged_in, two_sites):
    response = client.get(f"/flotte/locations/{two_sites['booking'].id}/confirmer")
    page = text_of(response)
    assert "Site prévu à la demande : Garage de Montargis" in page
    assert "GI-333-EN) — autre site : Antenne de Gien (Gien), à 34 km de la commune de la personne" in page
    assert "La personne est prévenue du changement de site" in page


def test_a_swap_to_another_site_without_the_confirmation_changes_nothing_and_says_why(client, logged_in, two_sites):
    booking = two_sites["booking"]
    response = client.post(
        f"/flotte/locations/{booking.id}/confirmer", data={"vehicle_id": str(two_sites["other_site"].id)}
    )
    assert response.status_code == 422
    error = field_error(response, "site_change_confirmed")
    assert "Antenne de Gien, 3 quai Lenoir, Gien, à 34 km de Châlette-sur-Loing (à vol d'oiseau)" in error
    assert "sinon, rien n'est changé" in error
    db.session.refresh(booking)
    assert booking.status == BookingStatus.APPROVED
    assert booking.vehicle.plate == "MO-111-NT"
    assert not [m for m in _messages_to_person() if "autre site" in m.subject]


def test_a_confirmed_swap_to_another_site_tells_the_person_the_address_and_hours(client, logged_in, two_sites):
    booking = two_sites["booking"]
    response = client.post(
        f"/flotte/locations/{booking.id}/confirmer",
        data={"vehicle_id": str(two_sites["other_site"].id), "site_change_confirmed": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.vehicle.plate == "GI-333-EN"
    reason = db.session.scalar(select(BookingTransition.reason).where(BookingTransition.action == "confirm"))
    assert "à 34 km de Châlette-sur-Loing" in reason
    told = [m for m in _messages_to_person() if "autre site" in m.subject]
    assert len(told) == 1
    body = told[0].body_text
    assert "Antenne de Gien" in body and "3 quai Lenoir, Gien" in body
    assert "À 34 km de votre commune" in body
    assert "lundi au vendredi 08:30–12:00 et 13:30–17:30 (fermé les jours fériés)" in body
    assert "lundi 7 décembre à 09:00" in body
    assert "Téléphone du site : 02 38 00 00 09" in body


def test_a_swap_at_the_same_site_needs_no_confirmation(client, logged_in, two_sites):
    booking = two_sites["booking"]
    response = client.post(
        f"/flotte/locations/{booking.id}/confirmer", data={"vehicle_id": str(two_sites["same_site"].id)}
    )
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.vehicle.plate == "MO-222-NT"
    assert not [m for m in _messages_to_person() if "autre site" in m.subject]
