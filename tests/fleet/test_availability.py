from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from mobility.extensions import db
from mobility.fleet.availability import count_free_vehicles, days_to_period
from mobility.fleet.models import VehicleCategory
from mobility.territory.models import EmploymentBasin
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, UnavailabilityFactory, VehicleFactory

# The clock of tests/<package>/conftest.py (Monday 23 November 2026, 10:00 in France).
pytestmark = pytest.mark.usefixtures("frozen")

CAR = VehicleCategory.CAR


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def _basin(code: str) -> EmploymentBasin:
    return db.session.scalar(select(EmploymentBasin).where(EmploymentBasin.code == code))


@pytest.fixture
def montargis(app):
    return _basin("montargis")


@pytest.fixture
def held_car(app):
    """A car at a Montargis site, unavailable from 1 Dec 10:00 to 3 Dec 10:00 (UTC)."""
    vehicle = VehicleFactory()
    UnavailabilityFactory(vehicle=vehicle, starts_at=utc(2026, 12, 1, 10), ends_at=utc(2026, 12, 3, 10))
    return vehicle


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "free"),
    [
        (utc(2026, 11, 30, 10), utc(2026, 12, 1, 10), 1),  # ends exactly when the period starts
        (utc(2026, 12, 3, 10), utc(2026, 12, 4, 10), 1),  # starts exactly when the period ends
        (utc(2026, 11, 30, 10), utc(2026, 12, 1, 10, 1), 0),  # one minute of overlap at the start
        (utc(2026, 12, 3, 9, 59), utc(2026, 12, 4), 0),  # one minute of overlap at the end
        (utc(2026, 12, 2), utc(2026, 12, 2, 1), 0),  # inside
        (utc(2026, 11, 1), utc(2026, 12, 31), 0),  # around
    ],
    ids=["adjacent-before", "adjacent-after", "overlap-start", "overlap-end", "inside", "around"],
)
def test_a_vehicle_is_free_unless_a_half_open_period_overlaps(held_car, montargis, starts_at, ends_at, free):
    assert count_free_vehicles(montargis.id, CAR, starts_at, ends_at) == free


def test_only_active_vehicles_of_the_category_at_open_sites_of_the_basin_count(app, montargis):
    VehicleFactory()  # counts
    VehicleFactory()  # counts
    VehicleFactory(in_maintenance=True)
    VehicleFactory(retired=True)
    VehicleFactory(vsp=True)
    VehicleFactory(site=SiteFactory(closed=True))
    VehicleFactory(site=SiteFactory(orleans=True))
    assert count_free_vehicles(montargis.id, CAR, utc(2026, 12, 1), utc(2026, 12, 2)) == 2
    assert count_free_vehicles(_basin("orleans").id, CAR, utc(2026, 12, 1), utc(2026, 12, 2)) == 1
    assert count_free_vehicles(montargis.id, VehicleCategory.VSP, utc(2026, 12, 1), utc(2026, 12, 2)) == 1
    assert count_free_vehicles(_basin("gien").id, CAR, utc(2026, 12, 1), utc(2026, 12, 2)) == 0


def test_counting_refuses_naive_or_reversed_periods(app, montargis):
    with pytest.raises(ValueError):
        count_free_vehicles(montargis.id, CAR, datetime(2026, 12, 1), datetime(2026, 12, 2))
    with pytest.raises(ValueError):
        count_free_vehicles(montargis.id, CAR, utc(2026, 12, 2), utc(2026, 12, 2))


def test_whole_days_are_french_days_across_the_daylight_saving_change():
    starts_at, ends_at = days_to_period(date(2026, 10, 24), date(2026, 10, 25))
    assert starts_at.astimezone(timezone.utc) == utc(2026, 10, 23, 22)  # summer time, UTC+2
    assert ends_at.astimezone(timezone.utc) == utc(2026, 10, 25, 23)  # winter time, UTC+1


# The page ----------------------------------------------------------------------------------------


def _search(client, **params):
    query = {"category": "car", "basin": "", "first_day": "2026-12-01", "last_day": "2026-12-03", **params}
    return client.get("/vehicules-disponibles", query_string=query)


def test_visitors_see_how_many_vehicles_are_free_per_basin_and_never_a_plate(client, held_car):
    VehicleFactory(plate="AB-777-CD")
    VehicleFactory(site=SiteFactory(orleans=True), plate="AB-888-CD", vin="VF1AAAAAAAAAAAAAA")
    response = _search(client)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Voiture (permis B) libres du 1 décembre 2026 au 3 décembre 2026" in page
    assert "<th scope=\"row\">Montargis</th>\n        <td>1 véhicule libre</td>" in page
    assert "<th scope=\"row\">Orléans</th>\n        <td>1 véhicule libre</td>" in page
    assert "<th scope=\"row\">Gien</th>\n        <td>Aucun véhicule libre</td>" in page
    for secret in ("AB-777-CD", "AB-888-CD", held_car.plate, "VF1AAAAAAAAAAAAAA"):
        assert secret not in page


def test_the_last_day_is_included_so_a_period_starting_that_day_holds_the_vehicle(client, app):
    vehicle = VehicleFactory()
    # From 4 December 00:00 in France.
    UnavailabilityFactory(vehicle=vehicle, starts_at=utc(2026, 12, 3, 23), ends_at=utc(2026, 12, 5, 23))
    page = _search(client, basin=str(_basin("montargis").id)).get_data(as_text=True)
    assert "1 véhicule libre" in page
    page = _search(client, basin=str(_basin("montargis").id), last_day="2026-12-04").get_data(as_text=True)
    assert "Aucun véhicule libre" in page


def test_choosing_a_basin_shows_only_that_basin(client, app):
    page = _search(client, basin=str(_basin("gien").id)).get_data(as_text=True)
    assert '<th scope="row">Gien</th>' in page
    assert '<th scope="row">Orléans</th>' not in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"last_day": "2026-11-30"}, "La date de fin doit être le même jour que la date de début ou après."),
        ({"first_day": "31/02/2026"}, "Saisissez une date valide"),
        ({"last_day": "demain"}, "Saisissez une date valide"),
        ({"first_day": ""}, "Saisissez la date de début."),
        ({"first_day": "2026-11-01"}, "Cette date est déjà passée"),
        ({"last_day": "2028-01-01"}, "Cherchez sur un an au plus."),
        ({"category": "camion"}, "Choisissez un type de véhicule dans la liste."),
        ({"category": ""}, "Choisissez un type de véhicule"),
        ({"basin": "999"}, "Choisissez un bassin dans la liste."),
    ],
    ids=["end-before-start", "bad-start", "bad-end", "no-start", "past", "too-long", "bad-category",
         "no-category", "bad-basin"],
)
def test_bad_input_gets_a_422_with_a_clear_french_message(client, app, params, message):
    response = _search(client, **params)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert "véhicule libre" not in page


def test_the_start_may_be_today_and_the_end_the_same_day(client, app):
    assert _search(client, first_day="2026-11-23", last_day="2026-11-23").status_code == 200


def test_the_empty_form_shows_no_result_and_no_error(client, app):
    response = client.get("/vehicules-disponibles")
    assert response.status_code == 200
    assert "Résultat" not in response.get_data(as_text=True)
    assert "error-summary" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["referent", "beneficiary"])
def test_referents_and_beneficiaries_find_the_page_in_their_menu(client, auth, role):
    auth.login(UserFactory(**({"beneficiary": True} if role == "beneficiary" else {})))
    page = client.get("/accueil").get_data(as_text=True)
    assert 'href="/vehicules-disponibles"' in page
    assert client.get("/vehicules-disponibles").status_code == 200
