"""Pages that answer the person's first question: where is my request and what comes next
(the beneficiary's home, the request form's notice), what can this person rent today and why
not (the référent's file page), and the next step after "Véhicules disponibles"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mobility.booking.models import BookingStatus, Outcome, OutcomeCheckpoint, OutcomeResult
from mobility.extensions import db
from tests.booking.factories import BookingFactory, add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.fleet.helpers import text_of

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 23 November 2026, 11:00 in Paris
FROZEN_AT = NOW
TODAY = date(2026, 11, 23)


@pytest.fixture
def referent_person_and_car(app, frozen):
    add_demo_tariffs()
    site = SiteFactory(
        orleans=True,
        name="Garage solidaire d'Orléans",
        address="3 rue des Halles",
        opening_hours="Du lundi au vendredi, 9 h – 17 h",
    )
    vehicle = VehicleFactory(site=site, make="Renault", model="Clio", plate="AB-123-CD")
    referent = UserFactory(full_name="Référent Test")
    person = eligible_beneficiary(TODAY, referent=referent, commune_insee="45234")
    user = UserFactory(beneficiary=True, organisation=person.organisation)
    person.user = user
    db.session.commit()
    return {"site": site, "vehicle": vehicle, "referent": referent, "person": person, "user": user}


def own_booking(referent_person_and_car, **values):
    return BookingFactory(beneficiary=referent_person_and_car["person"], vehicle=referent_person_and_car["vehicle"], **values)


# --- the beneficiary's home page ----------------------------------------------------------------


def test_the_home_page_shows_the_request_waiting_for_the_referent_and_what_comes_next(client, auth, referent_person_and_car):
    booking = own_booking(referent_person_and_car, status=BookingStatus.REQUESTED, expires_at=NOW + timedelta(hours=72))
    auth.login(referent_person_and_car["user"])
    page = text_of(client.get("/accueil"))
    assert "Votre demande en cours" in page
    assert "Votre demande attend la validation de votre référent." in page
    assert booking.reference in page
    assert "7 décembre 2026 à 09:00" in page and "11 décembre 2026 à 17:00" in page
    assert "Garage solidaire d'Orléans 3 rue des Halles, Orléans" in page
    assert "Du lundi au vendredi, 9 h – 17 h" in page
    assert "Votre référent doit la valider avant le 26 novembre 2026 à 11:00." in page
    assert "À apporter le jour de la remise" in page
    assert "votre permis de conduire B" in page and "la caution de 150,00 €" in page
    # No button inviting a second request while one is active.
    assert 'class="button" href="/locations/demander"' not in client.get("/accueil").get_data(as_text=True)


def test_the_home_page_of_a_confirmed_booking_says_when_and_where_to_take_the_vehicle(client, auth, referent_person_and_car):
    own_booking(referent_person_and_car, status=BookingStatus.CONFIRMED)
    auth.login(referent_person_and_car["user"])
    page = text_of(client.get("/accueil"))
    assert "Le véhicule est réservé pour vous" in page
    assert "Venez prendre le véhicule le 7 décembre 2026 à 09:00 au site indiqué ci-dessus." in page


def test_the_home_page_during_the_rental_says_when_to_bring_it_back(client, auth, referent_person_and_car):
    own_booking(
        referent_person_and_car,
        status=BookingStatus.IN_PROGRESS,
        starts_at=datetime(2026, 11, 20, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 27, 16, tzinfo=UTC),
    )
    auth.login(referent_person_and_car["user"])
    page = text_of(client.get("/accueil"))
    assert "Votre location en cours" in page and "Vous avez le véhicule." in page
    assert "Rendez le véhicule le 27 novembre 2026 à 17:00" in page
    assert "À apporter" not in page


def test_the_home_page_without_a_request_offers_to_make_one(client, auth, referent_person_and_car):
    own_booking(referent_person_and_car, status=BookingStatus.RETURNED)
    auth.login(referent_person_and_car["user"])
    html = client.get("/accueil").get_data(as_text=True)
    assert "Votre demande en cours" not in html
    assert 'class="button" href="/locations/demander"' in html


# --- the request form's notice ------------------------------------------------------------------


def test_the_request_form_says_at_the_top_that_a_request_is_already_active(client, auth, referent_person_and_car):
    booking = own_booking(referent_person_and_car, status=BookingStatus.APPROVED)
    auth.login(referent_person_and_car["user"])
    response = client.get("/locations/demander")
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert "Vous avez déjà une demande ou une location en cours (validée par le référent) : une seule à la fois." in page
    assert f'href="/locations/{booking.id}"' in html
    # At the top: before the form's first question.
    assert html.index("une seule à la fois") < html.index('name="category"')


def test_the_referent_is_told_the_person_already_has_a_request(client, auth, referent_person_and_car):
    own_booking(referent_person_and_car, status=BookingStatus.REQUESTED, expires_at=NOW + timedelta(hours=72))
    auth.login(referent_person_and_car["referent"])
    page = text_of(client.get(f"/locations/demander?beneficiaire={referent_person_and_car['person'].id}"))
    assert "La personne a déjà une demande ou une location en cours (demandée)" in page


def test_the_request_form_without_an_active_request_says_nothing(client, auth, referent_person_and_car):
    auth.login(referent_person_and_car["user"])
    assert "une seule à la fois" not in text_of(client.get("/locations/demander"))


# --- the référent's file page -------------------------------------------------------------------


def test_the_file_page_shows_rentals_outcomes_to_record_and_todays_rights(client, auth, referent_person_and_car):
    person = referent_person_and_car["person"]
    returned = own_booking(
        referent_person_and_car,
        status=BookingStatus.RETURNED,
        starts_at=datetime(2026, 11, 2, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 6, 16, tzinfo=UTC),
    )
    current = own_booking(referent_person_and_car, status=BookingStatus.CONFIRMED)
    auth.login(referent_person_and_car["referent"])
    response = client.get(f"/beneficiaires/{person.id}")
    page = text_of(response)
    html = response.get_data(as_text=True)
    assert "Locations de la personne" in page
    assert returned.reference in page and current.reference in page
    assert f'href="/locations/{returned.id}#outcomes-title"' in html
    assert "À noter :" in page
    assert "Ce que la personne peut louer aujourd'hui" in page
    # One active booking: no second rental today, said about the person with what to do.
    assert "Voiture (permis B) : non" in page
    assert "La personne a déjà une location en cours ou en attente." in page


def test_the_file_page_says_why_a_person_cannot_rent_a_car(client, auth, referent_person_and_car):
    person = eligible_beneficiary(
        TODAY, referent=referent_person_and_car["referent"], licence_b=False, has_am_licence=True, commune_insee="45234"
    )
    auth.login(referent_person_and_car["referent"])
    page = text_of(client.get(f"/beneficiaires/{person.id}"))
    assert "Voiture (permis B) : non" in page
    assert "Voiture sans permis : oui" in page
    assert "La personne n'a encore eu aucune location." in page


def test_the_file_page_shows_no_outcome_once_recorded(client, auth, referent_person_and_car):
    returned = own_booking(
        referent_person_and_car,
        status=BookingStatus.RETURNED,
        starts_at=datetime(2026, 11, 2, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 6, 16, tzinfo=UTC),
    )
    db.session.add(
        Outcome(
            booking=returned,
            checkpoint=OutcomeCheckpoint.AT_END,
            result=OutcomeResult.DURABLE_JOB,
            recorded_on=TODAY,
            recorded_by_id=referent_person_and_car["referent"].id,
        )
    )
    db.session.commit()
    auth.login(referent_person_and_car["referent"])
    html = client.get(f"/beneficiaires/{referent_person_and_car['person'].id}").get_data(as_text=True)
    assert "#outcomes-title" not in html


# --- "Véhicules disponibles" --------------------------------------------------------------------


def test_available_vehicles_offers_a_logged_in_beneficiary_to_request_one(client, auth, referent_person_and_car):
    auth.login(referent_person_and_car["user"])
    html = client.get("/vehicules-disponibles").get_data(as_text=True)
    assert '<a class="button" href="/locations/demander">Demander un véhicule</a>' in html


def test_available_vehicles_offers_a_referent_to_request_for_a_person(client, auth, referent_person_and_car):
    auth.login(referent_person_and_car["referent"])
    assert "Demander un véhicule pour une personne suivie" in text_of(client.get("/vehicules-disponibles"))


def test_available_vehicles_logged_out_points_to_the_referent(client, referent_person_and_car):
    page = text_of(client.get("/vehicules-disponibles"))
    assert "Demander un véhicule pour" not in page
