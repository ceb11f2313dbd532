"""Booking pages as a beneficiary sees them: request in two steps, "Mes locations", the booking
page and its actions, the printable summary and the calendar file."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.booking import services
from mobility.booking.eligibility import Purpose
from mobility.booking.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    Extension,
    ExtensionStatus,
    Payment,
    PaymentKind,
    PaymentMethod,
    WaitingEntry,
    WaitingStatus,
)
from mobility.booking.services import RequestDetails
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory
from tests.booking.factories import BookingFactory, add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of
from tests.helpers import page_text

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 23 November 2026, 11:00 in Paris
FROZEN_AT = NOW
TODAY = date(2026, 11, 23)
GIEN = "45155"


@pytest.fixture
def beneficiary_and_car(app, frozen):
    """An Orléans site with one car, and a person who may rent it, logged in as themself.

    Time is frozen before logging in: a session signed "in the future" would be refused.
    """
    add_demo_tariffs()
    site = SiteFactory(orleans=True, name="Garage solidaire d'Orléans", address="3 rue des Halles")
    vehicle = VehicleFactory(site=site, make="Renault", model="Clio", plate="AB-123-CD")
    person = eligible_beneficiary(TODAY, commune_insee="45234")
    user = UserFactory(beneficiary=True, organisation=person.organisation)
    person.user = user
    db.session.commit()
    return {"site": site, "vehicle": vehicle, "person": person, "user": user}


@pytest.fixture
def beneficiary_logged_in(beneficiary_and_car, auth):
    auth.login(beneficiary_and_car["user"])
    return beneficiary_and_car["user"]


def request_data(beneficiary_and_car, **overrides) -> dict:
    data = {
        "category": "car",
        "basin_id": str(beneficiary_and_car["site"].basin_id),
        "starts_on": "2026-12-07",
        "ends_on": "2026-12-11",
        "pickup_time": "09:00",
        "return_time": "17:00",
        "purpose": "job",
        "purpose_detail": "Entreprise de logistique",
        "step": "preview",
    }
    data.update(overrides)
    return data


def booking_count() -> int:
    return db.session.scalar(select(func.count(Booking.id)))


def bookings_of(person) -> int:
    return db.session.scalar(select(func.count(Booking.id)).where(Booking.beneficiary_id == person.id))


def week_of_7_december(beneficiary_and_car) -> RequestDetails:
    return RequestDetails(
        VehicleCategory.CAR, beneficiary_and_car["site"].basin_id, date(2026, 12, 7), date(2026, 12, 11), Purpose.JOB
    )


def hidden_value(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)">', html)


def own_booking(beneficiary_and_car, **values) -> Booking:
    return BookingFactory(beneficiary=beneficiary_and_car["person"], vehicle=beneficiary_and_car["vehicle"], **values)


# --- home page --------------------------------------------------------------------------------


def test_the_beneficiary_home_page_links_to_the_request_form_and_my_bookings(client, beneficiary_logged_in):
    page = client.get("/accueil").get_data(as_text=True)
    assert 'href="/locations/demander">Demander un véhicule</a>' in page
    assert 'href="/locations/">Mes locations</a>' in page


# --- request form, step 1 ---------------------------------------------------------------------


def test_the_request_form_offers_car_and_vsp_and_fills_in_the_basin_and_default_times(
    client, beneficiary_logged_in, beneficiary_and_car
):
    response = client.get("/locations/demander")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert "Voiture (permis B)" in page and "Voiture sans permis" in page
    assert "Scooter" not in page  # not offered for rental
    assert f'<option selected value="{beneficiary_and_car["site"].basin_id}">Orléans</option>' in html
    assert '<option selected value="09:00">9 h 00</option>' in html
    assert '<option selected value="17:00">17 h 00</option>' in html
    assert 'type="date"' in html


def test_a_person_without_a_file_is_told_to_contact_their_referent(client, auth, beneficiary_and_car):
    stranger = UserFactory(beneficiary=True)
    auth.login(stranger)
    response = client.get("/locations/demander")
    assert response.status_code == 200
    assert "Votre fiche n'est pas encore rattachée à votre compte" in text_of(response)


# --- request form, step 2: the preview --------------------------------------------------------


def test_the_preview_shows_price_deposit_days_and_site_but_never_the_plate(client, beneficiary_logged_in, beneficiary_and_car):
    response = client.post("/locations/demander", data=request_data(beneficiary_and_car), follow_redirects=True)
    assert response.status_code == 200
    page = text_of(response)
    assert "Prix de la location 20,00 €" in page  # 5 days at 4 €, under the weekly cap
    assert "Caution 150,00 €" in page
    assert "5 jours" in page
    assert "Garage solidaire d'Orléans 3 rue des Halles, Orléans" in page
    assert "Du lundi au vendredi, 9 h – 17 h" in page
    assert "lundi 7 décembre à 09:00" in page and "vendredi 11 décembre à 17:00" in page
    assert "AB-123-CD" not in page
    assert "Envoyer la demande" in page
    assert booking_count() == 0


def test_the_preview_carries_the_request_to_the_send_button(client, beneficiary_logged_in, beneficiary_and_car):
    html = client.post("/locations/demander", data=request_data(beneficiary_and_car), follow_redirects=True).get_data(as_text=True)
    assert hidden_value(html, "starts_on") == ["2026-12-07"]
    assert hidden_value(html, "purpose_detail") == ["Entreprise de logistique"]
    assert '<button type="submit" name="step" value="send"' in html


def test_sending_the_request_saves_it_as_requested_and_shows_the_booking_page(client, beneficiary_logged_in, beneficiary_and_car):
    response = client.post("/locations/demander", data=request_data(beneficiary_and_car, step="send"))
    assert response.status_code == 302
    booking = db.session.scalar(select(Booking))
    assert booking.status == BookingStatus.REQUESTED
    assert booking.beneficiary_id == beneficiary_and_car["person"].id
    assert booking.purpose == Purpose.JOB and booking.purpose_detail == "Entreprise de logistique"
    assert booking.starts_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert response.headers["Location"] == f"/locations/{booking.id}"
    page = text_of(client.get(response.headers["Location"]))
    assert f"Votre demande {booking.reference} est envoyée." in page
    assert "État : demandée" in page


def test_modify_goes_back_to_the_filled_in_form(client, beneficiary_logged_in, beneficiary_and_car):
    response = client.post("/locations/demander", data=request_data(beneficiary_and_car, step="edit"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert 'value="2026-12-07"' in html and 'type="date"' in html
    assert "Voir le prix" in text_of(response)
    assert booking_count() == 0


# --- refusals ---------------------------------------------------------------------------------


def test_an_ineligible_person_sees_every_reason_and_what_to_do_and_nothing_is_saved(client, auth, beneficiary_and_car):
    person = beneficiary_and_car["person"]
    person.driving_rights_checked_on = None
    person.driving_rights_checked_by_id = None
    person.rsa_checked_on = TODAY - timedelta(days=200)
    db.session.commit()
    auth.login(beneficiary_and_car["user"])
    response = client.post("/locations/demander", data=request_data(beneficiary_and_car, step="send"))
    assert response.status_code == 422
    page = text_of(response)
    assert "La demande ne peut pas être faite pour l'instant" in page
    assert "Votre permis B n'a pas encore été vérifié par votre référent." in page
    assert "Que faire : Montrez votre permis à votre référent lors de votre prochain rendez-vous." in page
    assert "Votre droit au RSA a été vérifié le 07/05/2026, il y a plus de 3 mois." in page
    assert "Que faire : Demandez à votre référent de vérifier à nouveau votre droit au RSA." in page
    assert booking_count() == 0


def test_other_purpose_without_a_word_of_explanation_is_refused_with_the_reason(client, beneficiary_logged_in, beneficiary_and_car):
    data = request_data(beneficiary_and_car, purpose="other", purpose_detail=" ")
    response = client.post("/locations/demander", data=data, follow_redirects=True)
    assert response.status_code == 422
    assert "Vous avez choisi « Autre » comme motif" in text_of(response)
    assert booking_count() == 0


def test_a_person_with_a_booking_already_cannot_ask_for_a_second(client, beneficiary_logged_in, beneficiary_and_car):
    own_booking(beneficiary_and_car, status=BookingStatus.APPROVED)
    data = request_data(beneficiary_and_car, starts_on="2026-12-20", ends_on="2026-12-21")
    response = client.post("/locations/demander", data=data, follow_redirects=True)
    assert response.status_code == 422
    assert "Vous avez déjà une location en cours ou en attente." in text_of(response)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_on": "2026-12-06"}, "ends_on", "Le dernier jour doit être le même jour que le premier"),
        ({"starts_on": "2026-11-22"}, "starts_on", "Cette date est déjà passée"),
        ({"starts_on": "07/12/2026"}, "starts_on", "Saisissez une date valide"),
        ({"starts_on": ""}, "starts_on", "Saisissez le premier jour de la location."),
        ({"basin_id": "999999"}, "basin_id", "Choisissez un bassin d'emploi dans la liste."),
        ({"basin_id": "Orléans"}, "basin_id", "Choisissez un bassin d'emploi dans la liste."),
        ({"pickup_time": "25:00"}, "pickup_time", "Choisissez l'heure de prise du véhicule dans la liste."),
        ({"return_time": "17:05"}, "return_time", "Choisissez l'heure de retour du véhicule dans la liste."),
        ({"category": "tank"}, "category", "Choisissez le type de véhicule"),
        ({"category": "scooter"}, "category", "Choisissez le type de véhicule"),
        ({"purpose": ""}, "purpose", "Choisissez le motif de la location."),
        ({"purpose_detail": "x" * 201}, "purpose_detail", "ne doit pas dépasser 200 caractères"),
    ],
)
def test_bad_input_is_explained_next_to_its_field_and_nothing_is_saved(
    client, beneficiary_logged_in, beneficiary_and_car, overrides, field, message
):
    response = client.post("/locations/demander", data=request_data(beneficiary_and_car, step="send", **overrides))
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert "Le formulaire contient 1 erreur" in text_of(response)
    assert booking_count() == 0


def test_a_same_day_return_before_pickup_is_refused_next_to_the_return_time(client, beneficiary_logged_in, beneficiary_and_car):
    data = request_data(beneficiary_and_car, step="send", ends_on="2026-12-07", pickup_time="14:00", return_time="10:00")
    response = client.post("/locations/demander", data=data, follow_redirects=True)
    assert response.status_code == 422
    message = "L'heure de retour doit être après l'heure de prise en charge."
    assert message in field_error(response, "return_time")
    assert booking_count() == 0


# --- nothing free: alternatives and the queue -------------------------------------------------


@pytest.fixture
def car_taken(beneficiary_and_car):
    """The only Orléans car is held by someone else from 7 to 11 December; Montargis has two."""
    other = eligible_beneficiary(TODAY)
    BookingFactory(beneficiary=other, vehicle=beneficiary_and_car["vehicle"], status=BookingStatus.CONFIRMED)
    montargis = SiteFactory(name="Atelier de Montargis")
    VehicleFactory(site=montargis)
    VehicleFactory(site=montargis)
    return montargis


def test_nothing_free_shows_the_nearest_free_dates_other_basins_and_the_queue(
    client, beneficiary_logged_in, beneficiary_and_car, car_taken
):
    response = client.post("/locations/demander", data=request_data(beneficiary_and_car), follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert "Aucun véhicule de ce type n'est libre sur ces dates dans ce bassin." in page
    assert "Du samedi 12 décembre au mercredi 16 décembre" in page
    assert "Du mercredi 2 décembre au dimanche 6 décembre" in page
    assert "Montargis — 2 véhicules libres" in page
    assert "M'inscrire dans la file d'attente" in page
    # Each free period is a one-click choice that posts the request again with its dates.
    assert "2026-12-12" in hidden_value(html, "starts_on") and "2026-12-16" in hidden_value(html, "ends_on")
    assert "Envoyer la demande" not in page


def test_choosing_a_free_period_shows_its_price(client, beneficiary_logged_in, beneficiary_and_car, car_taken):
    data = request_data(beneficiary_and_car, starts_on="2026-12-12", ends_on="2026-12-16")
    response = client.post("/locations/demander", data=data, follow_redirects=True)
    page = text_of(response)
    assert "samedi 12 décembre à 09:00" in page
    assert "Prix de la location 20,00 €" in page
    assert "Envoyer la demande" in page


def test_choosing_another_basin_shows_its_site(client, beneficiary_logged_in, beneficiary_and_car, car_taken):
    response = client.post("/locations/demander", data=request_data(beneficiary_and_car, basin_id=str(car_taken.basin_id)), follow_redirects=True)
    assert "Atelier de Montargis" in text_of(response)


def test_joining_the_queue_saves_a_waiting_entry_and_shows_the_place(client, beneficiary_logged_in, beneficiary_and_car, car_taken):
    someone_first = eligible_beneficiary(TODAY)
    services.join_queue(
        someone_first,
        week_of_7_december(beneficiary_and_car),
        someone_first.referent,
    )
    db.session.commit()
    response = client.post("/locations/file-attente", data=request_data(beneficiary_and_car))
    assert response.status_code == 302
    entry = db.session.scalar(select(WaitingEntry).where(WaitingEntry.beneficiary_id == beneficiary_and_car["person"].id))
    assert entry.status == WaitingStatus.WAITING
    assert entry.purpose_detail == "Entreprise de logistique"
    page = text_of(client.get(response.headers["Location"]))
    assert "Votre demande est dans la file d'attente, en position 2." in page
    assert "Place dans la file : 2" in page


def test_joining_a_second_queue_is_refused_with_a_message(client, beneficiary_logged_in, beneficiary_and_car, car_taken):
    client.post("/locations/file-attente", data=request_data(beneficiary_and_car))
    response = client.post("/locations/file-attente", data=request_data(beneficiary_and_car, category="vsp"))
    assert response.status_code == 422
    assert "Vous êtes déjà dans une file d'attente." in text_of(response)
    assert db.session.scalar(select(func.count(WaitingEntry.id))) == 1


def test_joining_the_queue_with_bad_dates_saves_nothing(client, beneficiary_logged_in, beneficiary_and_car):
    response = client.post("/locations/file-attente", data=request_data(beneficiary_and_car, ends_on="2026-12-01"))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(WaitingEntry.id))) == 0


def test_the_last_car_booked_between_preview_and_send_gives_the_message_and_alternatives(
    client, beneficiary_logged_in, beneficiary_and_car
):
    VehicleFactory(site=SiteFactory(name="Atelier de Gien", commune_insee=GIEN))
    assert "Envoyer la demande" in text_of(client.post("/locations/demander", data=request_data(beneficiary_and_car), follow_redirects=True))
    # Someone else takes the last Orléans car in the meantime.
    rival = eligible_beneficiary(TODAY)
    services.request_booking(
        rival,
        week_of_7_december(beneficiary_and_car),
        rival.referent,
    )
    db.session.commit()
    response = client.post("/locations/demander", data=request_data(beneficiary_and_car, step="send"))
    assert response.status_code == 409
    page = text_of(response)
    assert "Le véhicule vient d'être réservé par quelqu'un d'autre sur cette période." in page
    assert "Gien — 1 véhicule libre" in page
    assert "M'inscrire dans la file d'attente" in page
    assert bookings_of(beneficiary_and_car["person"]) == 0


# --- Mes locations and the queue --------------------------------------------------------------


def test_my_bookings_lists_only_mine_newest_first_with_status_dates_and_site(client, beneficiary_logged_in, beneficiary_and_car):
    own_booking(beneficiary_and_car, status=BookingStatus.RETURNED, created_at=NOW - timedelta(days=60))
    newer = own_booking(
        beneficiary_and_car,
        status=BookingStatus.APPROVED,
        created_at=NOW - timedelta(days=1),
        starts_at=datetime(2026, 12, 14, 8, tzinfo=UTC),
        ends_at=datetime(2026, 12, 18, 16, tzinfo=UTC),
    )
    someone_else = BookingFactory(beneficiary=eligible_beneficiary(TODAY), status=BookingStatus.CANCELLED)
    page = text_of(client.get("/locations/"))
    assert page.index(newer.reference) < page.index("L-000001")
    row = (
        "validée par le référent du lundi 14 décembre au vendredi 18 décembre "
        "Garage solidaire d'Orléans (Orléans)"
    )
    assert row in page
    assert "terminée" in page
    assert someone_else.reference not in page


def test_an_offered_vehicle_can_be_accepted_and_becomes_a_request(client, beneficiary_logged_in, beneficiary_and_car):
    entry = WaitingEntry(
        beneficiary=beneficiary_and_car["person"],
        basin_id=beneficiary_and_car["site"].basin_id,
        category=VehicleCategory.CAR,
        starts_at=datetime(2026, 12, 7, 8, tzinfo=UTC),
        ends_at=datetime(2026, 12, 11, 16, tzinfo=UTC),
        purpose=Purpose.JOB,
        status=WaitingStatus.OFFERED,
        offered_vehicle=beneficiary_and_car["vehicle"],
        offer_expires_at=NOW + timedelta(hours=48),
    )
    db.session.add(entry)
    db.session.commit()
    page = text_of(client.get("/locations/"))
    assert "Un véhicule est proposé : Renault Clio, au site Garage solidaire d'Orléans." in page
    response = client.post(f"/locations/file-attente/{entry.id}/accepter")
    booking = db.session.scalar(select(Booking))
    assert response.headers["Location"] == f"/locations/{booking.id}"
    assert booking.status == BookingStatus.REQUESTED and booking.vehicle_id == beneficiary_and_car["vehicle"].id
    db.session.refresh(entry)
    assert entry.status == WaitingStatus.ACCEPTED


def test_an_offer_whose_car_was_taken_keeps_the_place_in_the_queue(client, beneficiary_logged_in, beneficiary_and_car):
    entry = WaitingEntry(
        beneficiary=beneficiary_and_car["person"],
        basin_id=beneficiary_and_car["site"].basin_id,
        category=VehicleCategory.CAR,
        starts_at=datetime(2026, 12, 7, 8, tzinfo=UTC),
        ends_at=datetime(2026, 12, 11, 16, tzinfo=UTC),
        purpose=Purpose.JOB,
        status=WaitingStatus.OFFERED,
        offered_vehicle=beneficiary_and_car["vehicle"],
        offer_expires_at=NOW + timedelta(hours=48),
    )
    db.session.add(entry)
    db.session.commit()
    BookingFactory(beneficiary=eligible_beneficiary(TODAY), vehicle=beneficiary_and_car["vehicle"])
    response = client.post(f"/locations/file-attente/{entry.id}/accepter")
    assert response.status_code == 302
    assert "Vous gardez votre place dans la file d'attente." in text_of(client.get("/locations/"))
    db.session.refresh(entry)
    assert entry.status == WaitingStatus.WAITING
    assert bookings_of(beneficiary_and_car["person"]) == 0


def test_leaving_the_queue_withdraws_the_entry(client, beneficiary_logged_in, beneficiary_and_car):
    entry = services.join_queue(
        beneficiary_and_car["person"],
        week_of_7_december(beneficiary_and_car),
        beneficiary_and_car["user"],
    )
    db.session.commit()
    client.post(f"/locations/file-attente/{entry.id}/retirer")
    db.session.refresh(entry)
    assert entry.status == WaitingStatus.WITHDRAWN
    assert "La demande est retirée de la file d'attente." in text_of(client.get("/locations/"))


def test_someone_elses_queue_entry_cannot_be_withdrawn(client, beneficiary_logged_in, beneficiary_and_car):
    other = eligible_beneficiary(TODAY)
    entry = services.join_queue(
        other,
        week_of_7_december(beneficiary_and_car),
        other.referent,
    )
    db.session.commit()
    assert client.post(f"/locations/file-attente/{entry.id}/retirer").status_code == 404
    db.session.refresh(entry)
    assert entry.status == WaitingStatus.WAITING


# --- the booking page -------------------------------------------------------------------------


def test_the_booking_page_shows_dates_site_money_payments_and_is_audited(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.CONFIRMED)
    db.session.add(
        Payment(
            booking=booking,
            kind=PaymentKind.RENTAL,
            amount_cents=500,
            method=PaymentMethod.CASH,
            paid_on=TODAY,
            receipt_number="R-0001",
        )
    )
    db.session.add(
        Payment(
            booking=booking,
            kind=PaymentKind.DEPOSIT,
            amount_cents=15000,
            method=PaymentMethod.CHEQUE,
            paid_on=TODAY,
            receipt_number="R-0002",
        )
    )
    db.session.commit()
    response = client.get(f"/locations/{booking.id}")
    assert response.status_code == 200
    page = text_of(response)
    assert f"Location {booking.reference}" in page
    assert "État : confirmée" in page
    assert "Prise du véhicule lundi 7 décembre à 09:00" in page
    assert "Retour du véhicule vendredi 11 décembre à 17:00" in page
    assert "3 rue des Halles, Orléans" in page and "Du lundi au vendredi, 9 h – 17 h" in page
    assert "Prix de la location 20,00 € Déjà payé 5,00 € Reste à payer 15,00 €" in page
    assert "Caution détenue par l'association 150,00 €" in page
    assert "R-0002" in page
    assert "Renault Clio — immatriculation AB-123-CD" in page  # confirmed: the person may know it
    assert "Motif Emploi (trajets domicile-travail)" in page
    reads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.READ, AuditEvent.object_type == "booking")
    ).all()
    assert [(e.object_id, e.actor_id) for e in reads] == [(booking.id, beneficiary_and_car["user"].id)]


def test_the_plate_is_not_shown_before_the_association_confirms(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.REQUESTED, expires_at=NOW + timedelta(hours=72))
    page = text_of(client.get(f"/locations/{booking.id}"))
    assert "AB-123-CD" not in page
    assert "Renault Clio (confirmé par l'association avant la remise)" in page


def test_the_timeline_names_roles_and_organisations_not_staff_members(client, beneficiary_logged_in, beneficiary_and_car):
    referent = beneficiary_and_car["person"].referent
    booking = services.request_booking(
        beneficiary_and_car["person"],
        week_of_7_december(beneficiary_and_car),
        referent,
    )
    db.session.commit()
    page = text_of(client.get(f"/locations/{booking.id}"))
    assert "Demande faite par le référent (validée d'office) — 23 novembre 2026 à 11:00" in page
    who = f"Par votre référent ({referent.organisation.name})."
    assert f"{who} Nouvel état : validée par le référent." in page
    assert referent.full_name not in page


def test_someone_elses_booking_pages_are_not_found(client, beneficiary_logged_in, beneficiary_and_car):
    other = BookingFactory(beneficiary=eligible_beneficiary(TODAY))
    for url in (
        f"/locations/{other.id}",
        f"/locations/{other.id}/recapitulatif",
        f"/locations/{other.id}/calendrier.ics",
        "/locations/999999",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/locations/{other.id}/annuler").status_code == 404
    db.session.refresh(other)
    assert other.status == BookingStatus.CONFIRMED


def test_the_beneficiary_cancels_without_giving_a_reason(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.APPROVED)
    page = text_of(client.get(f"/locations/{booking.id}"))
    assert "Annuler cette location" in page and "Raison de l'annulation" not in page
    response = client.post(f"/locations/{booking.id}/annuler", data={"confirmed": "yes"})
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    last = db.session.scalars(select(BookingTransition).order_by(BookingTransition.id.desc())).first()
    assert (last.action, last.actor_id) == ("cancel", beneficiary_and_car["user"].id)
    page = text_of(client.get(response.headers["Location"]))
    assert f"La location {booking.reference} est annulée." in page
    assert "Annuler cette location" not in page


def test_cancelling_asks_for_a_confirmation_first(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.APPROVED)
    html = client.get(f"/locations/{booking.id}").get_data(as_text=True)
    # The booking page only links to the confirmation: one tap cancels nothing.
    assert f'href="/locations/{booking.id}/annuler"' in html
    assert f'action="/locations/{booking.id}/annuler"' not in html
    confirmation = client.get(f"/locations/{booking.id}/annuler")
    assert confirmation.status_code == 200
    page = text_of(confirmation)
    assert f"Annuler la location {booking.reference} ?" in page
    assert "Oui, annuler la location" in page and "Non, garder la location" in page
    db.session.refresh(booking)
    assert booking.status == BookingStatus.APPROVED


def test_a_cancel_post_without_the_confirmation_changes_nothing(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.APPROVED)
    response = client.post(f"/locations/{booking.id}/annuler")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/locations/{booking.id}/annuler"
    db.session.refresh(booking)
    assert booking.status == BookingStatus.APPROVED


def test_cancelling_a_finished_rental_is_refused_with_a_message(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.RETURNED)
    assert "Annuler cette location" not in text_of(client.get(f"/locations/{booking.id}"))
    response = client.post(f"/locations/{booking.id}/annuler", data={"confirmed": "yes"})
    assert response.status_code == 422
    assert "Action impossible : la location" in text_of(response)
    db.session.refresh(booking)
    assert booking.status == BookingStatus.RETURNED


def test_approval_buttons_are_not_for_the_beneficiary(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.REQUESTED, expires_at=NOW + timedelta(hours=72))
    assert "Valider la demande" not in text_of(client.get(f"/locations/{booking.id}"))
    assert client.post(f"/locations/{booking.id}/valider").status_code == 404
    db.session.refresh(booking)
    assert booking.status == BookingStatus.REQUESTED


# --- extensions -------------------------------------------------------------------------------


@pytest.fixture
def running_rental(beneficiary_and_car):
    return own_booking(
        beneficiary_and_car,
        status=BookingStatus.IN_PROGRESS,
        starts_at=datetime(2026, 11, 20, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 27, 16, tzinfo=UTC),
        days=8,
    )


def test_the_beneficiary_asks_to_keep_the_car_longer(client, beneficiary_logged_in, beneficiary_and_car, running_rental):
    booking = running_rental
    assert "Garder le véhicule plus longtemps" in text_of(client.get(f"/locations/{booking.id}"))
    response = client.post(
        f"/locations/{booking.id}/prolongation", data={"extension-new_ends_on": "2026-12-04"}
    )
    assert response.status_code == 302
    extension = db.session.scalar(select(Extension))
    assert extension.status == ExtensionStatus.PENDING
    assert extension.new_ends_at == datetime(2026, 12, 4, 16, tzinfo=UTC)  # same return time, 17:00
    page = text_of(client.get(f"/locations/{booking.id}"))
    assert "La demande de prolongation est envoyée au référent." in page
    assert "Retour demandé le vendredi 4 décembre à 17:00 au lieu du vendredi 27 novembre à 17:00." in page
    assert "Le référent va répondre" in page
    assert "Garder le véhicule plus longtemps" not in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-11-25", "La nouvelle date de retour doit être après la date prévue."),
        ("", "Saisissez le nouveau dernier jour de la location."),
        ("04/12/2026", "Saisissez une date valide"),
    ],
)
def test_a_bad_extension_date_is_explained_and_nothing_is_saved(
    client, beneficiary_logged_in, beneficiary_and_car, running_rental, value, message
):
    url = f"/locations/{running_rental.id}/prolongation"
    response = client.post(url, data={"extension-new_ends_on": value})
    assert response.status_code == 422
    assert message in field_error(response, "extension-new_ends_on")
    assert db.session.scalar(select(func.count(Extension.id))) == 0


def test_an_extension_cannot_be_asked_before_the_rental_starts(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.CONFIRMED)
    response = client.post(
        f"/locations/{booking.id}/prolongation", data={"extension-new_ends_on": "2026-12-20"}
    )
    assert response.status_code == 422
    assert "Une prolongation se demande pendant la location." in text_of(response)
    assert db.session.scalar(select(func.count(Extension.id))) == 0


# --- printable summary and calendar -----------------------------------------------------------


def test_the_summary_page_holds_what_the_person_needs_on_one_page(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.CONFIRMED)
    response = client.get(f"/locations/{booking.id}/recapitulatif")
    assert response.status_code == 200
    page = text_of(response)
    assert f"Récapitulatif de la location {booking.reference}" in page
    assert beneficiary_and_car["person"].display_name in page
    assert "Prise du véhicule lundi 7 décembre à 09:00" in page
    assert "Garage solidaire d'Orléans 3 rue des Halles, Orléans" in page
    assert "Renault Clio, immatriculation AB-123-CD" in page
    assert "Prix de la location 20,00 €" in page and "Caution 150,00 €" in page
    assert "Apportez votre pièce d'identité et votre permis de conduire" in page
    assert 'class="rental-summary"' in response.get_data(as_text=True)


def test_the_summary_of_a_request_does_not_name_the_plate_yet(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.REQUESTED, expires_at=NOW + timedelta(hours=72))
    page = text_of(client.get(f"/locations/{booking.id}/recapitulatif"))
    assert "AB-123-CD" not in page
    assert "le véhicule exact est confirmé par l'association avant la remise" in page


def test_the_calendar_file_has_the_pickup_and_the_return(client, beneficiary_logged_in, beneficiary_and_car):
    booking = own_booking(beneficiary_and_car, status=BookingStatus.CONFIRMED)
    response = client.get(f"/locations/{booking.id}/calendrier.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    disposition = f'attachment; filename="location-{booking.reference}.ics"'
    assert response.headers["Content-Disposition"] == disposition
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 2
    unfolded = body.replace("\r\n ", "")
    assert "DTSTART:20261207T080000Z\r\nDTEND:20261207T083000Z\r\n" in unfolded
    assert "DTSTART:20261211T160000Z\r\nDTEND:20261211T163000Z\r\n" in unfolded
    assert f"SUMMARY:Prendre le véhicule (location {booking.reference})" in unfolded
    assert f"SUMMARY:Rendre le véhicule (location {booking.reference})" in unfolded
    assert "LOCATION:Garage solidaire d'Orléans\\, 3 rue des Halles\\, Orléans" in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


# --- CSRF -------------------------------------------------------------------------------------


def test_a_cancel_without_csrf_token_is_refused_and_changes_nothing(make_app, beneficiary_and_car):
    app = make_app(WTF_CSRF_ENABLED=True)
    booking = own_booking(beneficiary_and_car, status=BookingStatus.APPROVED)
    user_email = beneficiary_and_car["user"].email
    with app.app_context():
        client = app.test_client()
        login_page = page_text(client.get("/connexion"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
        from tests.factories import TEST_PASSWORD

        client.post("/connexion", data={"email": user_email, "password": TEST_PASSWORD, "csrf_token": token})
        response = client.post(f"/locations/{booking.id}/annuler", data={"confirmed": "yes"})
        assert response.status_code == 400
    db.session.refresh(booking)
    assert booking.status == BookingStatus.APPROVED
