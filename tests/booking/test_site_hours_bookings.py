"""Bookings follow the sites' opening hours: pickups and returns within them, the nearest free
dates on open days, the time list of the request form, extensions; French messages with the
site's hours. Time frozen on Monday 23 November 2026, 10:00 in Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from mobility.booking import services
from mobility.booking.eligibility import Purpose
from mobility.booking.errors import BookingError
from mobility.booking.models import BookingStatus
from mobility.booking.services import NothingFree, RequestDetails
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory
from mobility.fleet.opening_hours import SiteClosure, SiteOpeningHours
from tests.booking.factories import BookingFactory, add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of

# The clock of tests/<package>/conftest.py (Monday 23 November 2026, 10:00 in France).
pytestmark = pytest.mark.usefixtures("frozen")

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
HOURS = "lundi au vendredi 08:30–12:00 et 13:30–17:30 (fermé les jours fériés)"


@pytest.fixture
def site_with_hours(app):
    add_demo_tariffs()
    site = SiteFactory(orleans=True, name="Garage d'Orléans", opening_hours=None)
    for weekday in range(5):
        db.session.add(
            SiteOpeningHours(
                site_id=site.id,
                weekday=weekday,
                morning_opens=time(8, 30),
                morning_closes=time(12),
                afternoon_opens=time(13, 30),
                afternoon_closes=time(17, 30),
            )
        )
    car = VehicleFactory(site=site)
    person = eligible_beneficiary(TODAY, commune_insee="45234")
    user = UserFactory(beneficiary=True, organisation=person.organisation, email="personne@example.org")
    person.user = user
    db.session.commit()
    return {"site": site, "car": car, "person": person, "user": user}


def _details(site_with_hours, **overrides) -> RequestDetails:
    values = {
        "category": VehicleCategory.CAR,
        "basin_id": site_with_hours["site"].basin_id,
        "starts_on": date(2026, 12, 7),
        "ends_on": date(2026, 12, 11),
        "purpose": Purpose.JOB,
        "pickup_time": time(9, 0),
        "return_time": time(17, 0),
    }
    values.update(overrides)
    return RequestDetails(**values)


def _refusal(site_with_hours, **overrides) -> BookingError:
    with pytest.raises(BookingError) as refused:
        services.request_booking(site_with_hours["person"], _details(site_with_hours, **overrides), site_with_hours["user"])
    db.session.rollback()
    return refused.value


def test_a_request_within_the_hours_is_made(site_with_hours):
    booking = services.request_booking(site_with_hours["person"], _details(site_with_hours), site_with_hours["user"])
    assert booking.status == BookingStatus.REQUESTED


def test_a_pickup_on_a_sunday_is_refused_with_the_sites_hours(site_with_hours):
    refused = _refusal(site_with_hours, starts_on=date(2026, 12, 13), ends_on=date(2026, 12, 14), pickup_time=time(7, 0))
    assert refused.field == "pickup_time"
    assert refused.message == (
        "Le site Garage d'Orléans est fermé le dimanche 13 décembre (pas d'ouverture le dimanche) : "
        f"la prise du véhicule n'est pas possible ce jour-là. Horaires du site : {HOURS}."
    )


def test_a_pickup_over_lunch_is_refused_with_the_days_hours(site_with_hours):
    refused = _refusal(site_with_hours, pickup_time=time(12, 30))
    assert refused.field == "pickup_time"
    assert refused.message.startswith(
        "Le site Garage d'Orléans n'est pas ouvert le lundi 7 décembre à 12:30 : la prise du véhicule doit avoir "
        "lieu pendant les horaires d'ouverture. Ce jour-là : 08:30–12:00 et 13:30–17:30."
    )


def test_a_return_on_christmas_day_is_refused(site_with_hours):
    refused = _refusal(site_with_hours, starts_on=date(2026, 12, 21), ends_on=date(2026, 12, 25))
    assert refused.field == "return_time"
    assert "fermé le vendredi 25 décembre (jour férié : Noël)" in refused.message


def test_a_return_in_a_closing_period_is_refused(site_with_hours):
    db.session.add(SiteClosure(site_id=site_with_hours["site"].id, starts_on=date(2026, 12, 11), ends_on=date(2026, 12, 11), reason="Inventaire"))
    db.session.commit()
    refused = _refusal(site_with_hours)
    assert refused.field == "return_time"
    assert "(fermeture : Inventaire)" in refused.message


def test_a_site_without_hours_takes_any_time(site_with_hours):
    other = SiteFactory(orleans=True, name="Sans horaires")
    VehicleFactory(site=other)
    site_with_hours["car"].status = site_with_hours["car"].status.RETIRED
    db.session.commit()
    booking = services.request_booking(
        site_with_hours["person"],
        _details(site_with_hours, starts_on=date(2026, 12, 13), ends_on=date(2026, 12, 14), pickup_time=time(7, 0)),
        site_with_hours["user"],
    )
    assert booking.vehicle.site.name == "Sans horaires"


def test_the_nearest_free_dates_skip_weekends_and_public_holidays(site_with_hours):
    BookingFactory(
        vehicle=site_with_hours["car"],
        starts_at=datetime(2026, 12, 21, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 24, 16, 0, tzinfo=UTC),
    )
    one_day = _details(site_with_hours, starts_on=date(2026, 12, 24), ends_on=date(2026, 12, 24))
    with pytest.raises(NothingFree) as nothing:
        services.request_booking(site_with_hours["person"], one_day, site_with_hours["user"])
    db.session.rollback()
    days = [free.starts_on for free in nothing.value.alternatives.dates]
    # Nearest first: 25 December is Christmas, 26–27 a weekend, 21–23 held, 19–20 a weekend.
    assert days == [date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30)]


def test_an_extension_to_a_closed_day_is_refused_with_the_hours(site_with_hours):
    booking = BookingFactory(vehicle=site_with_hours["car"], status=BookingStatus.IN_PROGRESS)
    with pytest.raises(BookingError) as refused:
        services.request_extension(booking, date(2026, 12, 12), site_with_hours["user"])  # a Saturday
    assert refused.value.field == "new_ends_on"
    assert "fermé le samedi 12 décembre" in refused.value.message
    assert HOURS in refused.value.message


# The request page ------------------------------------------------------------------------------


@pytest.fixture
def site_person_logged_in(auth, site_with_hours):
    auth.login(site_with_hours["user"])
    return site_with_hours["user"]


def test_the_time_list_offers_the_open_half_hours_with_the_hours_beside_it(client, site_person_logged_in, site_with_hours):
    response = client.get("/locations/demander")
    html = response.get_data(as_text=True)
    pickup = html.split('id="pickup_time"', 1)[1].split("</select>", 1)[0]
    assert 'value="08:30"' in pickup and 'value="13:30"' in pickup and 'value="17:00"' in pickup
    assert 'value="07:00"' not in pickup and 'value="12:30"' not in pickup and 'value="17:30"' not in pickup
    assert f"Horaires des sites du bassin : Garage d'Orléans : {HOURS}." in text_of(response)


def test_a_request_outside_the_hours_is_shown_again_with_the_hours(client, site_person_logged_in, site_with_hours):
    data = {
        "category": "car",
        "basin_id": str(site_with_hours["site"].basin_id),
        "starts_on": "2026-12-24",
        "ends_on": "2026-12-25",
        "pickup_time": "09:00",
        "return_time": "17:00",
        "purpose": "job",
    }
    sent = client.post("/locations/demander", data=data)
    assert sent.status_code == 303  # the price is shown at an address of its own (Back never resubmits)
    response = client.get(sent.headers["Location"])
    assert response.status_code == 422
    assert "jour férié : Noël" in field_error(response, "return_time")
    assert HOURS in field_error(response, "return_time")
