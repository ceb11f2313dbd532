"""Booking pages for référents (and what fleet staff and admins see of them): requests made on a
person's behalf, the approval queue, decisions on requests and extensions, outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mobility.booking import services
from mobility.booking.eligibility import Purpose
from mobility.booking.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    ExtensionStatus,
    Outcome,
    OutcomeCheckpoint,
    OutcomeResult,
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

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 23 November 2026, 11:00 in Paris
FROZEN_AT = NOW
TODAY = date(2026, 11, 23)
MONTARGIS = "45208"


@pytest.fixture
def referent_and_person(app, frozen):
    """A référent, a person their organisation follows, and an Orléans car.

    Time is frozen before anyone logs in: a session signed "in the future" would be refused.
    """
    add_demo_tariffs()
    site = SiteFactory(orleans=True, name="Garage solidaire d'Orléans")
    vehicle = VehicleFactory(site=site, plate="AB-123-CD")
    referent = UserFactory(full_name="Référent Test")
    person = eligible_beneficiary(TODAY, referent=referent, commune_insee="45234")
    return {"site": site, "vehicle": vehicle, "referent": referent, "person": person}


@pytest.fixture
def the_person_s_referent_logged_in(referent_and_person, auth):
    auth.login(referent_and_person["referent"])
    return referent_and_person["referent"]


@pytest.fixture
def outsider(referent_and_person):
    """A person followed by another organisation, with a request waiting for approval."""
    person = eligible_beneficiary(TODAY)
    booking = BookingFactory(
        beneficiary=person,
        vehicle=VehicleFactory(site=referent_and_person["site"]),
        status=BookingStatus.REQUESTED,
        expires_at=NOW + timedelta(hours=72),
    )
    return {"person": person, "booking": booking}


def request_data(referent_and_person, **overrides) -> dict:
    data = {
        "category": "car",
        "basin_id": str(referent_and_person["site"].basin_id),
        "starts_on": "2026-12-07",
        "ends_on": "2026-12-11",
        "pickup_time": "09:00",
        "return_time": "17:00",
        "purpose": "training",
        "purpose_detail": "Formation cariste",
        "step": "preview",
    }
    data.update(overrides)
    return data


def requested(referent_and_person, person=None, created_at=NOW, **values) -> Booking:
    return BookingFactory(
        beneficiary=person or referent_and_person["person"],
        vehicle=values.pop("vehicle", None) or VehicleFactory(site=referent_and_person["site"]),
        status=BookingStatus.REQUESTED,
        created_at=created_at,
        expires_at=created_at + timedelta(hours=72),
        **values,
    )


def week_of_7_december(referent_and_person, category=VehicleCategory.CAR, ends_on=date(2026, 12, 11)):
    return RequestDetails(category, referent_and_person["site"].basin_id, date(2026, 12, 7), ends_on, Purpose.JOB)


def outcome_of(booking: Booking, result: OutcomeResult) -> Outcome:
    return Outcome(booking=booking, checkpoint=OutcomeCheckpoint.AT_END, result=result, recorded_on=TODAY)


def booking_count() -> int:
    return db.session.scalar(select(func.count(Booking.id)))


def reasons_of(booking: Booking) -> list[tuple[str, str | None]]:
    return [
        (t.action, t.reason)
        for t in db.session.scalars(
            select(BookingTransition)
            .where(BookingTransition.booking_id == booking.id)
            .order_by(BookingTransition.id)
        )
    ]


# --- requesting on a person's behalf ----------------------------------------------------------


def test_the_referent_first_picks_one_of_the_people_their_organisation_follows(
    client, the_person_s_referent_logged_in, referent_and_person, outsider
):
    response = client.get("/locations/demander")
    assert response.status_code == 200
    page = text_of(response)
    assert "Demander un véhicule pour une personne" in page
    assert referent_and_person["person"].display_name in page
    assert outsider["person"].display_name not in page


def test_the_request_form_for_a_person_uses_the_basin_of_their_commune(client, the_person_s_referent_logged_in, referent_and_person):
    person = eligible_beneficiary(TODAY, referent=referent_and_person["referent"], commune_insee=MONTARGIS)
    response = client.get(f"/locations/demander?beneficiaire={person.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Demander un véhicule pour {person.display_name}" in text_of(response)
    assert f'<option selected value="{person.commune.basin_id}">Montargis</option>' in html


def test_a_referent_request_is_approved_at_once(client, the_person_s_referent_logged_in, referent_and_person):
    url = f"/locations/demander?beneficiaire={referent_and_person['person'].id}"
    preview = text_of(client.post(url, data=request_data(referent_and_person), follow_redirects=True))
    assert "Prix de la location 20,00 €" in preview
    assert "la demande sera validée dès son envoi" in preview
    response = client.post(url, data=request_data(referent_and_person, step="send"))
    assert response.status_code == 302
    booking = db.session.scalar(select(Booking))
    assert booking.status == BookingStatus.APPROVED
    assert booking.requested_by_id == referent_and_person["referent"].id
    assert booking.purpose == Purpose.TRAINING and booking.purpose_detail == "Formation cariste"
    assert reasons_of(booking) == [("prescribe", None)]
    page = text_of(client.get(response.headers["Location"]))
    assert f"La location {booking.reference} est enregistrée et validée" in page


def test_the_reasons_a_person_cannot_rent_are_told_to_the_referent_about_the_person(client, the_person_s_referent_logged_in, referent_and_person):
    person = eligible_beneficiary(TODAY, referent=referent_and_person["referent"], rsa_checked_on=None)
    url = f"/locations/demander?beneficiaire={person.id}"
    response = client.post(url, data=request_data(referent_and_person, step="send"))
    assert response.status_code == 422
    page = text_of(response)
    assert "Le droit au RSA de la personne n'a pas encore été vérifié." in page
    assert "Que faire : Vérifiez-le, puis cochez sur sa fiche" in page
    assert "votre référent" not in page
    assert booking_count() == 0


def test_a_bad_date_on_behalf_of_a_person_is_explained_and_nothing_is_saved(client, the_person_s_referent_logged_in, referent_and_person):
    url = f"/locations/demander?beneficiaire={referent_and_person['person'].id}"
    response = client.post(url, data=request_data(referent_and_person, step="send", starts_on="2026-11-01"))
    assert response.status_code == 422
    assert "Cette date est déjà passée" in field_error(response, "starts_on")
    assert booking_count() == 0


def test_a_person_of_another_organisation_is_not_found(client, the_person_s_referent_logged_in, referent_and_person, outsider):
    url = f"/locations/demander?beneficiaire={outsider['person'].id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data=request_data(referent_and_person, step="send")).status_code == 404
    queue = f"/locations/file-attente?beneficiaire={outsider['person'].id}"
    assert client.post(queue, data=request_data(referent_and_person)).status_code == 404
    assert client.get("/locations/demander?beneficiaire=abc").status_code == 404
    assert booking_count() == 1  # only the outsider's own request
    assert db.session.scalar(select(func.count(WaitingEntry.id))) == 0


def test_the_referent_puts_a_person_in_the_queue_when_nothing_is_free(client, the_person_s_referent_logged_in, referent_and_person):
    BookingFactory(beneficiary=eligible_beneficiary(TODAY), vehicle=referent_and_person["vehicle"])
    url = f"/locations/demander?beneficiaire={referent_and_person['person'].id}"
    preview = text_of(client.post(url, data=request_data(referent_and_person), follow_redirects=True))
    assert "Inscrire la personne dans la file d'attente" in preview
    queue = f"/locations/file-attente?beneficiaire={referent_and_person['person'].id}"
    response = client.post(queue, data=request_data(referent_and_person))
    assert response.status_code == 302
    entry = db.session.scalar(select(WaitingEntry))
    assert (entry.beneficiary_id, entry.created_by_id) == (referent_and_person["person"].id, referent_and_person["referent"].id)
    page = text_of(client.get(response.headers["Location"]))
    assert f"La demande de {referent_and_person['person'].display_name} est dans la file d'attente, en position 1." in page


# --- the list of the organisation's bookings --------------------------------------------------


def test_the_referent_sees_the_bookings_and_queue_of_their_organisation_only(
    client, the_person_s_referent_logged_in, referent_and_person, outsider
):
    mine = requested(referent_and_person)
    services.join_queue(
        eligible_beneficiary(TODAY, referent=referent_and_person["referent"]),
        week_of_7_december(referent_and_person, VehicleCategory.VSP, ends_on=date(2026, 12, 8)),
        referent_and_person["referent"],
    )
    db.session.commit()
    page = text_of(client.get("/locations/"))
    assert mine.reference in page and referent_and_person["person"].display_name in page
    assert outsider["booking"].reference not in page
    assert "Voiture sans permis — bassin d'emploi : Orléans" in page
    assert "Place dans la file : 1" in page


# --- the approval queue -----------------------------------------------------------------------


def test_the_approval_queue_lists_the_organisations_requests_oldest_first_with_their_deadline(
    client, the_person_s_referent_logged_in, referent_and_person, outsider
):
    older = requested(referent_and_person, created_at=NOW - timedelta(hours=30))
    other_person = eligible_beneficiary(TODAY, referent=referent_and_person["referent"])
    newer = requested(referent_and_person, person=other_person, created_at=NOW - timedelta(hours=2))
    page = text_of(client.get("/locations/a-valider"))
    assert "Demandes de location (2)" in page
    assert page.index(older.reference) < page.index(newer.reference)
    assert "À valider avant le 25 novembre 2026 à 05:00" in page  # 72 h after 22 November, 05:00
    assert "Motif Emploi (trajets domicile-travail)" in page
    assert outsider["booking"].reference not in page


def test_the_admin_approval_queue_shows_every_organisation(client, auth, referent_and_person, outsider):
    mine = requested(referent_and_person)
    auth.login(UserFactory(admin=True))
    page = text_of(client.get("/locations/a-valider"))
    assert mine.reference in page and outsider["booking"].reference in page


def test_the_approval_queue_is_not_for_beneficiaries_or_fleet_staff(client, auth, referent_and_person):
    auth.login(UserFactory(fleet=True))
    assert client.get("/locations/a-valider").status_code == 404


def test_the_referent_home_page_counts_what_waits_for_a_decision(client, the_person_s_referent_logged_in, referent_and_person, outsider):
    requested(referent_and_person)
    requested(referent_and_person, person=eligible_beneficiary(TODAY, referent=referent_and_person["referent"]))
    page = text_of(client.get("/accueil"))
    assert "Demandes à valider 2 demandes de location attendent votre validation" in page
    assert 'href="/locations/a-valider"' in client.get("/accueil").get_data(as_text=True)


def test_approving_from_the_queue_moves_the_request_and_comes_back(client, the_person_s_referent_logged_in, referent_and_person):
    booking = requested(referent_and_person)
    response = client.post(f"/locations/{booking.id}/valider", data={"from": "approvals"})
    assert response.headers["Location"] == "/locations/a-valider"
    db.session.refresh(booking)
    assert booking.status == BookingStatus.APPROVED
    page = text_of(client.get("/locations/a-valider"))
    assert f"La demande {booking.reference} est validée" in page
    assert "Aucune demande n'attend votre validation." in page


def test_rejecting_without_a_reason_is_refused_next_to_the_field(client, the_person_s_referent_logged_in, referent_and_person):
    booking = requested(referent_and_person)
    response = client.post(
        f"/locations/{booking.id}/refuser", data={"from": "approvals", f"reject-{booking.id}-reason": "  "}
    )
    assert response.status_code == 422
    assert "Indiquez la raison : la personne la lira." in field_error(response, f"reject-{booking.id}-reason")
    assert "Demandes à valider" in text_of(response)
    db.session.refresh(booking)
    assert booking.status == BookingStatus.REQUESTED


def test_rejecting_with_a_reason_records_it_and_colleagues_read_who_and_why(client, auth, the_person_s_referent_logged_in, referent_and_person):
    booking = requested(referent_and_person)
    response = client.post(
        f"/locations/{booking.id}/refuser",
        data={f"reject-{booking.id}-reason": "Le permis doit d'abord être présenté."},
    )
    assert response.headers["Location"] == f"/locations/{booking.id}"
    db.session.refresh(booking)
    assert booking.status == BookingStatus.REJECTED
    page = text_of(client.get(f"/locations/{booking.id}"))
    assert "Demande refusée" in page and "Raison : Le permis doit d'abord être présenté." in page
    assert "Par vous." in page
    auth.logout()
    auth.login(UserFactory(organisation=referent_and_person["referent"].organisation))
    page = text_of(client.get(f"/locations/{booking.id}"))
    assert "Par Référent Test (Référent de parcours). Nouvel état : refusée." in page


def test_rejecting_from_the_booking_page_without_a_reason_shows_the_page_with_the_error(
    client, the_person_s_referent_logged_in, referent_and_person
):
    booking = requested(referent_and_person)
    response = client.post(f"/locations/{booking.id}/refuser", data={f"reject-{booking.id}-reason": ""})
    assert response.status_code == 422
    assert f"Location {booking.reference}" in text_of(response)
    assert "Le formulaire contient 1 erreur" in text_of(response)
    assert "Indiquez la raison" in field_error(response, f"reject-{booking.id}-reason")


def test_approving_twice_is_explained_not_an_error_page(client, the_person_s_referent_logged_in, referent_and_person):
    booking = requested(referent_and_person)
    client.post(f"/locations/{booking.id}/valider")
    response = client.post(f"/locations/{booking.id}/valider")
    assert response.status_code == 302
    assert "Action impossible : la location" in text_of(client.get(response.headers["Location"]))


def test_a_referent_of_another_organisation_cannot_see_or_decide(client, the_person_s_referent_logged_in, referent_and_person, outsider):
    booking = outsider["booking"]
    assert client.get(f"/locations/{booking.id}").status_code == 404
    assert client.post(f"/locations/{booking.id}/valider").status_code == 404
    refusal = {f"reject-{booking.id}-reason": "Non"}
    assert client.post(f"/locations/{booking.id}/refuser", data=refusal).status_code == 404
    assert client.post(f"/locations/{booking.id}/annuler", data={"cancel-reason": "Non"}).status_code == 404
    db.session.refresh(booking)
    assert booking.status == BookingStatus.REQUESTED


def test_staff_must_give_a_reason_to_cancel(client, the_person_s_referent_logged_in, referent_and_person):
    booking = BookingFactory(
        beneficiary=referent_and_person["person"], vehicle=referent_and_person["vehicle"], status=BookingStatus.APPROVED
    )
    response = client.post(f"/locations/{booking.id}/annuler", data={"cancel-reason": "", "confirmed": "yes"})
    assert response.status_code == 422
    assert "Indiquez la raison" in field_error(response, "cancel-reason")
    db.session.refresh(booking)
    assert booking.status == BookingStatus.APPROVED
    reason = "La personne a trouvé un covoiturage."
    client.post(f"/locations/{booking.id}/annuler", data={"cancel-reason": reason, "confirmed": "yes"})
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    assert reasons_of(booking)[-1] == ("cancel", "La personne a trouvé un covoiturage.")


# --- extensions -------------------------------------------------------------------------------


@pytest.fixture
def pending_extension(referent_and_person):
    booking = BookingFactory(
        beneficiary=referent_and_person["person"],
        vehicle=referent_and_person["vehicle"],
        status=BookingStatus.IN_PROGRESS,
        starts_at=datetime(2026, 11, 20, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 27, 16, tzinfo=UTC),
        days=8,
        price_cents=2400,
        tariff=db.session.scalars(
            select(services.Tariff).where(services.Tariff.category == VehicleCategory.CAR)
        ).one(),
    )
    extension = services.request_extension(booking, date(2026, 12, 4), referent_and_person["person"].referent)
    db.session.commit()
    return extension


def test_pending_extensions_are_listed_in_the_approval_queue(client, the_person_s_referent_logged_in, referent_and_person, pending_extension):
    page = text_of(client.get("/locations/a-valider"))
    assert "Demandes de prolongation (1)" in page
    assert "Retour demandé le vendredi 4 décembre à 17:00 au lieu du vendredi 27 novembre à 17:00." in page


def test_approving_an_extension_moves_the_return_and_the_price(client, the_person_s_referent_logged_in, referent_and_person, pending_extension):
    booking = pending_extension.booking
    response = client.post(
        f"/locations/prolongations/{pending_extension.id}/decision",
        data={f"decision-{pending_extension.id}-decision": "approve"},
    )
    assert response.headers["Location"] == f"/locations/{booking.id}"
    db.session.refresh(booking)
    db.session.refresh(pending_extension)
    assert pending_extension.status == ExtensionStatus.APPROVED
    assert booking.ends_at == datetime(2026, 12, 4, 16, tzinfo=UTC)
    assert booking.days == 15
    page = text_of(client.get(f"/locations/{booking.id}"))
    assert "La prolongation est acceptée : retour le 4 décembre 2026." in page
    assert "Retour du véhicule vendredi 4 décembre à 17:00" in page


def test_refusing_an_extension_needs_a_reason(client, the_person_s_referent_logged_in, referent_and_person, pending_extension):
    url = f"/locations/prolongations/{pending_extension.id}/decision"
    prefix = f"decision-{pending_extension.id}"
    data = {f"{prefix}-decision": "refuse", f"{prefix}-reason": "", "from": "approvals"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Indiquez la raison du refus" in field_error(response, f"{prefix}-reason")
    db.session.refresh(pending_extension)
    assert pending_extension.status == ExtensionStatus.PENDING
    reason = "Le véhicule est réservé ensuite."
    client.post(url, data={f"{prefix}-decision": "refuse", f"{prefix}-reason": reason})
    db.session.refresh(pending_extension)
    assert pending_extension.status == ExtensionStatus.REFUSED
    assert pending_extension.decision_reason == "Le véhicule est réservé ensuite."


def test_an_extension_decision_without_a_choice_is_explained(client, the_person_s_referent_logged_in, referent_and_person, pending_extension):
    response = client.post(f"/locations/prolongations/{pending_extension.id}/decision", data={})
    assert response.status_code == 422
    error = field_error(response, f"decision-{pending_extension.id}-decision")
    assert "Choisissez d'accepter ou de refuser" in error


def test_an_extension_over_the_next_booking_is_refused_with_a_message(
    client, the_person_s_referent_logged_in, referent_and_person, pending_extension
):
    BookingFactory(
        beneficiary=eligible_beneficiary(TODAY),
        vehicle=referent_and_person["vehicle"],
        status=BookingStatus.CONFIRMED,
        starts_at=datetime(2026, 11, 30, 8, tzinfo=UTC),
        ends_at=datetime(2026, 12, 2, 16, tzinfo=UTC),
    )
    response = client.post(
        f"/locations/prolongations/{pending_extension.id}/decision",
        data={f"decision-{pending_extension.id}-decision": "approve"},
    )
    assert response.status_code == 422
    assert "Le véhicule est déjà réservé après la date prévue" in text_of(response)
    db.session.refresh(pending_extension)
    assert pending_extension.status == ExtensionStatus.PENDING


def test_a_referent_of_another_organisation_cannot_decide_an_extension(
    client, auth, referent_and_person, pending_extension
):
    auth.login(UserFactory())
    url = f"/locations/prolongations/{pending_extension.id}/decision"
    assert client.post(url, data={f"decision-{pending_extension.id}-decision": "approve"}).status_code == 404
    db.session.refresh(pending_extension)
    assert pending_extension.status == ExtensionStatus.PENDING


# --- outcomes ---------------------------------------------------------------------------------


@pytest.fixture
def returned(referent_and_person):
    return BookingFactory(
        beneficiary=referent_and_person["person"],
        vehicle=referent_and_person["vehicle"],
        status=BookingStatus.RETURNED,
        starts_at=datetime(2026, 11, 9, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 13, 16, tzinfo=UTC),
    )


def test_a_returned_rental_waits_for_its_outcome_in_the_queue(client, the_person_s_referent_logged_in, referent_and_person, returned):
    page = text_of(client.get("/locations/a-valider"))
    assert "Suites à noter" in page
    assert f"{returned.reference} — {referent_and_person['person'].display_name} : à la fin de la location" in page


def test_the_referent_records_the_outcome_at_the_end(client, the_person_s_referent_logged_in, referent_and_person, returned):
    page = text_of(client.get(f"/locations/{returned.id}"))
    assert "Noter la suite" in page
    response = client.post(
        f"/locations/{returned.id}/suite",
        data={"outcome-checkpoint": "at_end", "outcome-result": "other_job"},
    )
    assert response.status_code == 302
    outcome = db.session.scalar(select(Outcome))
    assert (outcome.checkpoint, outcome.result, outcome.recorded_on) == (
        OutcomeCheckpoint.AT_END,
        OutcomeResult.OTHER_JOB,
        TODAY,
    )
    page = text_of(client.get(f"/locations/{returned.id}"))
    assert "La suite de la location est notée." in page
    assert "À la fin de la location : autre emploi" in page
    assert "Noter la suite" not in page  # the 3-month follow-up is not due yet


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"outcome-checkpoint": "at_end", "outcome-result": "lottery"},
            "outcome-result",
            "Choisissez la situation",
        ),
        (
            {"outcome-checkpoint": "after_3_months", "outcome-result": "none"},
            "outcome-checkpoint",
            "Choisissez un moment",
        ),
        ({"outcome-checkpoint": "at_end"}, "outcome-result", "Choisissez la situation"),
    ],
)
def test_a_bad_outcome_is_explained_and_nothing_is_saved(
    client, the_person_s_referent_logged_in, referent_and_person, returned, data, field, message
):
    response = client.post(f"/locations/{returned.id}/suite", data=data)
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert db.session.scalar(select(func.count(Outcome.id))) == 0


def test_an_outcome_cannot_be_recorded_before_the_return(client, the_person_s_referent_logged_in, referent_and_person):
    booking = BookingFactory(
        beneficiary=referent_and_person["person"], vehicle=referent_and_person["vehicle"], status=BookingStatus.CONFIRMED
    )
    data = {"outcome-checkpoint": "at_end", "outcome-result": "none"}
    response = client.post(f"/locations/{booking.id}/suite", data=data)
    assert response.status_code == 302
    assert "Aucune suite n'est à noter" in text_of(client.get(response.headers["Location"]))
    assert db.session.scalar(select(func.count(Outcome.id))) == 0


# --- fleet staff and the booking page ---------------------------------------------------------


def test_fleet_staff_see_the_booking_and_plate_but_no_social_details(client, auth, referent_and_person, returned):
    returned.purpose = Purpose.OTHER
    returned.purpose_detail = "Rendez-vous à la Mission locale"
    db.session.add(outcome_of(returned, OutcomeResult.DURABLE_JOB))
    db.session.commit()
    auth.login(UserFactory(fleet=True, organisation=referent_and_person["site"].association))
    response = client.get(f"/locations/{returned.id}")
    assert response.status_code == 200
    page = text_of(response)
    assert referent_and_person["person"].display_name in page and "AB-123-CD" in page
    assert "Motif" not in page
    assert "Autre démarche vers l'emploi" not in page
    assert "Rendez-vous à la Mission locale" not in page
    assert "Suites de la location" not in page and "emploi durable" not in page


def test_the_referent_sees_purpose_and_outcomes_on_the_same_page(client, the_person_s_referent_logged_in, referent_and_person, returned):
    returned.purpose_detail = "Formation cariste"
    db.session.add(outcome_of(returned, OutcomeResult.DURABLE_JOB))
    db.session.commit()
    page = text_of(client.get(f"/locations/{returned.id}"))
    assert "Motif Emploi (trajets domicile-travail) — Formation cariste" in page
    assert "À la fin de la location : emploi durable" in page


def test_fleet_staff_of_another_association_get_404(client, auth, referent_and_person, returned):
    auth.login(UserFactory(fleet=True))
    assert client.get(f"/locations/{returned.id}").status_code == 404
    assert client.get(f"/locations/{returned.id}/recapitulatif").status_code == 404


def test_the_queue_entry_of_a_followed_person_can_be_withdrawn_by_the_referent(client, the_person_s_referent_logged_in, referent_and_person):
    entry = services.join_queue(
        referent_and_person["person"],
        week_of_7_december(referent_and_person),
        referent_and_person["referent"],
    )
    db.session.commit()
    client.post(f"/locations/file-attente/{entry.id}/retirer")
    db.session.refresh(entry)
    assert entry.status == WaitingStatus.WITHDRAWN


def test_fleet_staff_have_their_own_lists_not_these(client, auth, referent_and_person):
    auth.login(UserFactory(fleet=True, organisation=referent_and_person["site"].association))
    for url in ("/locations/", "/locations/demander", "/locations/a-valider"):
        assert client.get(url).status_code == 404, url


def test_the_booking_page_follows_the_privacy_policy_of_the_api(client, auth, referent_and_person):
    """The plan team reads the purpose, never its free text; the référent reads both."""
    booking = BookingFactory(
        beneficiary=referent_and_person["person"],
        vehicle=referent_and_person["vehicle"],
        status=BookingStatus.APPROVED,
        purpose=Purpose.JOB_INTERVIEW,
        purpose_detail="Entretien chez Boulangerie Témoin",
    )
    auth.login(referent_and_person["referent"])
    page = text_of(client.get(f"/locations/{booking.id}"))
    assert "Entretien d'embauche" in page and "Boulangerie Témoin" in page
    auth.logout()
    auth.login(UserFactory(admin=True))
    page = text_of(client.get(f"/locations/{booking.id}"))
    assert "Entretien d'embauche" in page
    assert "Boulangerie Témoin" not in page
