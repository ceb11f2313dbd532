"""Fleet staff's booking pages: the list, confirm (and swap), hand over, take back, no-show,
cancel, payments, the contract, the home page, the vehicle page, and unavailability over a booking.

Time is Monday 23 November 2026, 10:00 in Paris, frozen before anyone logs in.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, func, select

from mobility.audit.models import AuditEvent
from mobility.booking.availability import BookingHoldings
from mobility.booking.eligibility import Purpose
from mobility.booking.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    Handover,
    HandoverKind,
    Payment,
    PaymentKind,
)
from mobility.core.time import day_span
from mobility.extensions import db
from mobility.fleet import services as fleet_services
from mobility.fleet.models import OdometerReading, OdometerSource, Unavailability, UnavailabilityKind
from tests.booking.factories import BookingFactory, eligible_beneficiary, handover_form
from tests.factories import UserFactory
from tests.fleet.factories import OdometerReadingFactory, SiteFactory, UnavailabilityFactory, VehicleFactory
from tests.fleet.helpers import field_error, text_of

# The clock of tests/<package>/conftest.py (Monday 23 November 2026, 10:00 in France).
pytestmark = pytest.mark.usefixtures("frozen")

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 23 November 2026, 10:00 in Paris
TODAY = date(2026, 11, 23)
S = BookingStatus


@pytest.fixture
def foreign_booking(app):
    """A booking of another association's vehicle."""
    other = SiteFactory(association=UserFactory(fleet=True).organisation, name="Site de l'autre association")
    return BookingFactory(vehicle=VehicleFactory(site=other, plate="ZZ-999-ZZ"))


def plain(markup: str) -> str:
    """Markup as a person reads it, as tests.fleet.helpers.text_of does for a whole page."""
    text = re.sub(r"<[^>]+>", " ", markup)
    return re.sub(r"\s+", " ", html.unescape(text)).replace("\u202f", " ").replace("\u00a0", " ")


def section(response, title_id: str) -> str:
    """The text of the page section labelled by the heading with this id."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<section[^>]*aria-labelledby="{title_id}"[^>]*>(.*?)</section>', body, re.DOTALL)
    assert match, f"no section {title_id}"
    return plain(match.group(1))


def flash_after(client) -> str:
    """The next page shows the flashed message (the fleet list is this blueprint's own page)."""
    return text_of(client.get("/flotte/locations/"))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def returned_booking(vehicle, ends_at: datetime, **values) -> Booking:
    booking = BookingFactory(
        vehicle=vehicle,
        status=S.RETURNED,
        starts_at=ends_at.replace(day=ends_at.day - 3),
        ends_at=ends_at,
        **values,
    )
    db.session.add(
        Handover(
            booking=booking, kind=HandoverKind.RETURN, odometer_km=46_000, fuel_eighths=8, recorded_at=ends_at
        )
    )
    db.session.commit()
    return booking


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("trait", ["beneficiary", None])
def test_other_roles_get_404_on_the_fleet_booking_pages(client, auth, trait, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    auth.login(UserFactory(**({trait: True} if trait else {})))
    for url in (
        "/flotte/locations/",
        f"/flotte/locations/{booking.id}/remise",
        f"/flotte/locations/{booking.id}/paiements",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "action", ["confirmer", "remise", "retour", "absent", "annuler", "paiements", "contrat"]
)
def test_another_associations_booking_is_not_found(client, logged_in, foreign_booking, action):
    url = f"/flotte/locations/{foreign_booking.id}/{action}"
    assert client.get(url).status_code == 404
    if action != "contrat":
        assert client.post(url, data=handover_form(reason="x")).status_code == 404
    assert foreign_booking.status == S.CONFIRMED


def test_the_list_shows_only_the_associations_bookings(client, logged_in, vehicle, foreign_booking):
    mine = BookingFactory(vehicle=vehicle)
    page = text_of(client.get("/flotte/locations/"))
    assert mine.reference in page
    assert foreign_booking.reference not in page and "ZZ-999-ZZ" not in page


def test_fleet_staff_never_see_the_purpose_the_employer_or_the_rsa(client, logged_in, site, vehicle):
    social = {"purpose": Purpose.OTHER, "purpose_detail": "Embauche chez Boulangerie Exemple"}
    to_confirm = BookingFactory(
        vehicle=vehicle, beneficiary=eligible_beneficiary(TODAY), status=S.APPROVED, **social
    )
    to_hand_over = BookingFactory(
        vehicle=VehicleFactory(site=site), beneficiary=eligible_beneficiary(TODAY), **social
    )
    pages = {
        "/flotte/locations/": to_confirm,
        "/accueil": to_confirm,
        f"/flotte/locations/{to_confirm.id}/confirmer": to_confirm,
        f"/flotte/locations/{to_hand_over.id}/remise": to_hand_over,
        f"/flotte/locations/{to_hand_over.id}/absent": to_hand_over,
        f"/flotte/locations/{to_hand_over.id}/annuler": to_hand_over,
        f"/flotte/locations/{to_hand_over.id}/paiements": to_hand_over,
        f"/flotte/locations/{to_hand_over.id}/contrat": to_hand_over,
        f"/flotte/vehicules/{vehicle.id}": None,
    }
    for url, booking in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = text_of(response)
        if booking is not None:
            assert booking.beneficiary.display_name in page, url  # the handover facts are there
        assert "Boulangerie Exemple" not in page, url
        assert Purpose.OTHER.label not in page, url
        assert "RSA" not in page, url


# --- The list -----------------------------------------------------------------------------------


def row_of(response, booking) -> str:
    """The text of the list row of this booking."""
    body = response.get_data(as_text=True)
    match = re.search(rf"<tr>\s*<th scope=\"row\"><a[^>]*>{booking.reference}</a>.*?</tr>", body, re.DOTALL)
    assert match, f"no row for {booking.reference}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).strip()


def test_the_list_goes_back_as_far_as_the_data_with_the_next_step_of_each_booking(client, logged_in, site):
    approved = BookingFactory(vehicle=VehicleFactory(site=site, plate="AA-001-AA"), status=S.APPROVED)
    confirmed = BookingFactory(
        vehicle=VehicleFactory(site=site, plate="AA-002-AA"),
        beneficiary=eligible_beneficiary(TODAY, last_name="Départ", phone="06 99 88 77 66"),
    )
    running = BookingFactory(
        vehicle=VehicleFactory(site=site, plate="AA-003-AA"),
        status=S.IN_PROGRESS,
        starts_at=datetime(2026, 11, 20, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 27, 16, tzinfo=UTC),
    )
    long_ago = returned_booking(
        VehicleFactory(site=site, plate="AA-005-AA"), datetime(2023, 9, 18, 15, tzinfo=UTC)
    )
    cancelled = BookingFactory(vehicle=VehicleFactory(site=site, plate="AA-006-AA"), status=S.CANCELLED)

    response = client.get("/flotte/locations/")
    assert response.status_code == 200
    assert "Confirmer" in row_of(response, approved)
    upcoming = row_of(response, confirmed)
    # Reference, dates and times, vehicle with its plate, name, phone, licence checked.
    assert "7 décembre 2026 à 09:00" in upcoming and "11 décembre 2026 à 17:00" in upcoming
    assert "Renault Clio AA-002-AA" in upcoming
    assert "Prénom Départ" in upcoming and "06 99 88 77 66" in upcoming and "oui" in upcoming
    assert "Remettre le véhicule" in upcoming
    assert "Enregistrer le retour" in row_of(response, running) and "En retard" not in row_of(response, running)
    # Three years back, and the cancelled one: nothing is left out of the history.
    assert "terminée" in row_of(response, long_ago) and "annulée" in row_of(response, cancelled)
    page = text_of(response)
    assert "À confirmer (1)" in page and "Départs à venir (1)" in page and "En cours (1)" in page


def test_the_work_links_list_one_status_in_the_order_to_handle_it(client, logged_in, site):
    later = BookingFactory(
        vehicle=VehicleFactory(site=site, plate="AA-001-AA"),
        status=S.APPROVED,
        starts_at=datetime(2026, 12, 20, 8, tzinfo=UTC),
        ends_at=datetime(2026, 12, 22, 16, tzinfo=UTC),
    )
    sooner = BookingFactory(vehicle=VehicleFactory(site=site, plate="AA-002-AA"), status=S.APPROVED)
    other = BookingFactory(vehicle=VehicleFactory(site=site, plate="AA-003-AA"))
    page = text_of(client.get("/flotte/locations/?statut=approved"))
    assert sooner.reference in page and later.reference in page and other.reference not in page
    assert page.index(sooner.reference) < page.index(later.reference)


def test_a_person_whose_driving_rights_were_not_checked_shows_no(client, logged_in, vehicle):
    unchecked = eligible_beneficiary(TODAY, driving_rights_checked_on=None)
    booking = BookingFactory(vehicle=vehicle, beneficiary=unchecked)
    assert re.search(r"06 12 34 56 78 non", row_of(client.get("/flotte/locations/"), booking))


def test_an_overdue_rental_is_flagged_in_words_in_the_list(client, logged_in, vehicle):
    late = BookingFactory(
        vehicle=vehicle,
        status=S.IN_PROGRESS,
        starts_at=datetime(2026, 11, 16, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 20, 16, tzinfo=UTC),
    )
    row = row_of(client.get("/flotte/locations/?statut=in_progress"), late)
    assert "20 novembre 2026 à 17:00 En retard : véhicule pas encore rendu" in row


def test_the_site_filter_keeps_one_sites_bookings(client, logged_in, site, vehicle):
    annex = SiteFactory(association=logged_in.organisation, name="Annexe")
    here = BookingFactory(vehicle=vehicle)
    there = BookingFactory(vehicle=VehicleFactory(site=annex, plate="AN-111-EX"))
    page = text_of(client.get(f"/flotte/locations/?site={annex.id}"))
    assert there.reference in page and here.reference not in page
    # A site the page did not offer: said in French, and the list shows unfiltered.
    response = client.get("/flotte/locations/?site=999999")
    assert response.status_code == 200
    page = text_of(response)
    assert "Choisissez un site dans la liste." in page
    assert there.reference in page and here.reference in page


# --- Confirm ------------------------------------------------------------------------------------


def _options(response) -> dict[int, bool]:
    """vehicle id -> selected, for the vehicle select of the confirm form."""
    body = response.get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="vehicle_id"[^>]*>(.*?)</select>', body, re.DOTALL).group(1)
    return {
        int(re.search(r'value="(\d+)"', option).group(1)): "selected" in option
        for option in re.findall(r"<option[^>]*>", select_html)
    }


def test_confirming_keeps_the_vehicle_picked_at_request_time(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle, status=S.APPROVED)
    response = client.get(f"/flotte/locations/{booking.id}/confirmer")
    assert response.status_code == 200
    assert _options(response) == {vehicle.id: True}
    assert "Aucun autre véhicule de cette catégorie n'est libre sur toute la période." in text_of(response)

    response = client.post(f"/flotte/locations/{booking.id}/confirmer", data={"vehicle_id": str(vehicle.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/locations/{booking.id}"
    assert booking.status == S.CONFIRMED and booking.vehicle_id == vehicle.id
    assert (
        f"La location {booking.reference} est confirmée avec le véhicule Renault Clio (AB-123-CD)."
        in flash_after(client)
    )
    log = db.session.scalars(select(BookingTransition).where(BookingTransition.action == "confirm")).all()
    assert [(t.from_status, t.to_status, t.actor_id) for t in log] == [
        (S.APPROVED, S.CONFIRMED, logged_in.id)
    ]


def test_the_swap_offers_only_free_vehicles_of_the_same_association_and_category(
    client, logged_in, site, vehicle
):
    booking = BookingFactory(vehicle=vehicle, status=S.APPROVED)
    free = VehicleFactory(site=site, plate="FR-111-EE")
    vsp = VehicleFactory(site=site, vsp=True, plate="VS-111-PP")
    taken = VehicleFactory(site=site, plate="TA-111-KE")
    BookingFactory(vehicle=taken)  # the same days
    broken = VehicleFactory(site=site, plate="BR-111-KE")
    UnavailabilityFactory(
        vehicle=broken,
        starts_at=datetime(2026, 12, 9, 23, tzinfo=UTC),
        ends_at=datetime(2026, 12, 10, 23, tzinfo=UTC),
    )
    elsewhere = VehicleFactory(
        site=SiteFactory(association=UserFactory(fleet=True).organisation), plate="EL-111-SE"
    )

    response = client.get(f"/flotte/locations/{booking.id}/confirmer")
    assert _options(response) == {vehicle.id: True, free.id: False}
    assert {vsp.id, taken.id, broken.id, elsewhere.id}.isdisjoint(_options(response))

    response = client.post(f"/flotte/locations/{booking.id}/confirmer", data={"vehicle_id": str(free.id)})
    assert response.status_code == 302
    assert booking.status == S.CONFIRMED and booking.vehicle_id == free.id
    reason = db.session.scalar(select(BookingTransition.reason).where(BookingTransition.action == "confirm"))
    assert reason == "Véhicule changé : Renault Clio (AB-123-CD) remplacé par Renault Clio (FR-111-EE)."


def test_a_swap_to_a_vehicle_taken_meanwhile_is_a_field_error(client, logged_in, site, vehicle):
    booking = BookingFactory(vehicle=vehicle, status=S.APPROVED)
    taken = VehicleFactory(site=site, plate="TA-111-KE")
    BookingFactory(vehicle=taken)  # another booking holds it on the same days
    response = client.post(f"/flotte/locations/{booking.id}/confirmer", data={"vehicle_id": str(taken.id)})
    assert response.status_code == 422
    assert field_error(response, "vehicle_id") == (
        "Erreur : Ce véhicule vient d'être pris sur cette période : choisissez-en un autre."
    )
    assert "Le formulaire contient 1 erreur" in text_of(response)
    assert booking.status == S.APPROVED and booking.vehicle_id == vehicle.id


def test_a_swap_to_another_associations_vehicle_is_refused(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle, status=S.APPROVED)
    elsewhere = VehicleFactory(
        site=SiteFactory(association=UserFactory(fleet=True).organisation), plate="EL-111-SE"
    )
    for vehicle_id in (elsewhere.id, 999_999):
        response = client.post(
            f"/flotte/locations/{booking.id}/confirmer", data={"vehicle_id": str(vehicle_id)}
        )
        assert response.status_code == 422
        assert "Ce véhicule ne peut pas être proposé pour cette location." in field_error(
            response, "vehicle_id"
        )
    assert booking.status == S.APPROVED and booking.vehicle_id == vehicle.id


def test_confirming_an_already_confirmed_booking_is_explained_on_the_booking_page(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    response = client.post(f"/flotte/locations/{booking.id}/confirmer", data={"vehicle_id": str(vehicle.id)})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/locations/{booking.id}"
    assert (
        f"Action impossible : la location {booking.reference} est « confirmée » "
        "(réservation confirmée par l'association n'est pas permis à ce stade)."
    ) in flash_after(client)


# --- Check-out ----------------------------------------------------------------------------------


def test_the_check_out_form_shows_the_last_reading_and_the_contract_to_print(
    client, logged_in, vehicle, person
):
    booking = BookingFactory(vehicle=vehicle, beneficiary=person)
    response = client.get(f"/flotte/locations/{booking.id}/remise")
    assert response.status_code == 200
    page = text_of(response)
    assert "Dernier relevé : 45 000 km. Le compteur ne peut pas indiquer moins." in page
    assert "Prénom Locataire" in page and "06 11 22 33 44" in page
    assert f'href="/flotte/locations/{booking.id}/contrat"' in response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert 'aria-describedby="odometer_km-hint"' in body
    assert "<legend>État vérifié avec la personne</legend>" in body
    for level in ("vide", "1/8", "1/2 (4/8)", "plein"):
        assert f">{level}</option>" in body


def test_check_out_records_the_handover_and_starts_the_rental(client, logged_in, vehicle, person):
    booking = BookingFactory(vehicle=vehicle, beneficiary=person)
    response = client.post(f"/flotte/locations/{booking.id}/remise", data=handover_form(tyres_ok=None))
    assert response.status_code == 302
    assert booking.status == S.IN_PROGRESS
    handover = db.session.scalar(select(Handover))
    assert (handover.kind, handover.odometer_km, handover.fuel_eighths) == (HandoverKind.CHECK_OUT, 45_300, 8)
    assert handover.bodywork_ok and not handover.tyres_ok and handover.papers_in_vehicle
    assert handover.deposit_received and handover.contract_signed
    assert handover.damage_notes == "Rayure sur la portière arrière gauche"
    assert handover.recorded_by_id == logged_in.id
    assert vehicle.current_odometer_km == 45_300
    assert (
        db.session.scalar(select(OdometerReading.source).order_by(OdometerReading.id.desc()))
        == OdometerSource.HANDOVER
    )
    assert f"Le véhicule AB-123-CD est remis : la location {booking.reference} est en cours." in flash_after(
        client
    )


def test_a_check_out_odometer_below_the_last_reading_is_refused_next_to_the_field(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    response = client.post(f"/flotte/locations/{booking.id}/remise", data=handover_form(odometer_km="44 999"))
    assert response.status_code == 422
    # One rule, one owner, one message: the fleet's odometer rule.
    assert field_error(response, "odometer_km").startswith(
        "Erreur : Le kilométrage ne peut pas baisser : le dernier relevé indique 45 000 km (le "
    )
    assert booking.status == S.CONFIRMED
    assert count(Handover) == 0 and count(OdometerReading) == 1


def test_a_check_out_without_the_signed_contract_is_refused(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    response = client.post(f"/flotte/locations/{booking.id}/remise", data=handover_form(contract_signed=None))
    assert response.status_code == 422
    assert (
        "Le contrat doit être imprimé et signé par les deux parties avant la remise du véhicule."
        in field_error(response, "contract_signed")
    )
    assert booking.status == S.CONFIRMED and count(Handover) == 0


def test_a_check_out_without_odometer_or_fuel_level_is_explained(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    response = client.post(
        f"/flotte/locations/{booking.id}/remise", data=handover_form(odometer_km="", fuel_eighths="")
    )
    assert response.status_code == 422
    assert "Saisissez le kilométrage affiché au compteur." in field_error(response, "odometer_km")
    assert "Indiquez le niveau lu sur la jauge, de vide à plein." in field_error(response, "fuel_eighths")
    assert "Le formulaire contient 2 erreurs" in text_of(response)


def test_checking_out_a_booking_not_yet_confirmed_is_explained_not_an_error(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle, status=S.APPROVED)
    for method in ("get", "post"):
        response = client.open(f"/flotte/locations/{booking.id}/remise", method=method, data=handover_form())
        assert response.status_code == 303
        assert response.headers["Location"] == f"/locations/{booking.id}"
        assert (
            f"La location {booking.reference} n'est pas encore confirmée : confirmez-la d'abord."
            in flash_after(client)
        )
    assert booking.status == S.APPROVED and count(Handover) == 0


# --- Return -------------------------------------------------------------------------------------


@pytest.fixture
def running(vehicle, person, fleet_user):
    booking = BookingFactory(
        vehicle=vehicle,
        beneficiary=person,
        status=S.IN_PROGRESS,
        starts_at=datetime(2026, 11, 16, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 23, 16, tzinfo=UTC),
    )
    db.session.add(
        Handover(
            booking=booking,
            kind=HandoverKind.CHECK_OUT,
            odometer_km=45_300,
            fuel_eighths=6,
            contract_signed=True,
        )
    )
    OdometerReadingFactory(
        vehicle=vehicle, read_on=date(2026, 11, 16), km=45_300, source=OdometerSource.HANDOVER
    )
    return booking


def test_the_return_form_shows_the_check_out_reading(client, logged_in, running):
    page = text_of(client.get(f"/flotte/locations/{running.id}/retour"))
    assert "Au départ : 45 300 km. Le compteur ne peut pas indiquer moins." in page
    assert "Carburant ou charge 3/4 (6/8)" in page


def test_the_return_records_the_handover_and_ends_the_rental(client, logged_in, running):
    response = client.post(
        f"/flotte/locations/{running.id}/retour",
        data=handover_form(
            odometer_km="45800",
            fuel_eighths="5",
            deposit_received=None,
            contract_signed=None,
            incident_report="Crevaison réparée par la personne",
        ),
    )
    assert response.status_code == 302
    assert running.status == S.RETURNED
    back = running.return_handover
    assert (back.odometer_km, back.fuel_eighths, back.incident_report) == (
        45_800,
        5,
        "Crevaison réparée par la personne",
    )
    assert running.vehicle.current_odometer_km == 45_800
    assert f"la location {running.reference} est terminée" in flash_after(client)


def test_a_return_odometer_below_the_check_out_is_refused(client, logged_in, running):
    response = client.post(f"/flotte/locations/{running.id}/retour", data=handover_form(odometer_km="45 299"))
    assert response.status_code == 422
    assert "Le kilométrage ne peut pas baisser : le dernier relevé indique 45 300 km" in field_error(response, "odometer_km")
    assert running.status == S.IN_PROGRESS and running.return_handover is None


# --- No-show and cancel -------------------------------------------------------------------------


def test_a_no_show_closes_the_booking_with_the_reason(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    assert "Précisions (facultatif)" in text_of(client.get(f"/flotte/locations/{booking.id}/absent"))
    response = client.post(f"/flotte/locations/{booking.id}/absent", data={"reason": "Appelée deux fois"})
    assert response.status_code == 302
    assert booking.status == S.NO_SHOW
    assert db.session.scalar(
        select(BookingTransition.reason).where(BookingTransition.action == "no_show")
    ) == ("Appelée deux fois")
    assert "personne non présentée" in flash_after(client)


def test_a_no_show_during_the_rental_is_explained_not_an_error(client, logged_in, running):
    response = client.post(f"/flotte/locations/{running.id}/absent", data={"reason": ""})
    assert response.status_code == 303
    assert f"Action impossible : la location {running.reference} est « en cours »" in flash_after(client)
    assert running.status == S.IN_PROGRESS


def test_cancelling_without_a_reason_is_refused_next_to_the_field(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    response = client.post(f"/flotte/locations/{booking.id}/annuler", data={"reason": "   "})
    assert response.status_code == 422
    assert field_error(response, "reason") == "Erreur : Indiquez la raison : la personne la lira."
    assert booking.status == S.CONFIRMED


def test_cancelling_with_a_reason_frees_the_vehicle(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    response = client.post(f"/flotte/locations/{booking.id}/annuler", data={"reason": "Véhicule accidenté"})
    assert response.status_code == 302
    assert booking.status == S.CANCELLED
    transition = db.session.scalar(select(BookingTransition).where(BookingTransition.action == "cancel"))
    assert (transition.reason, transition.actor_id) == ("Véhicule accidenté", logged_in.id)
    assert f"La location {booking.reference} est annulée" in flash_after(client)


def test_cancelling_a_finished_rental_is_explained(client, logged_in, vehicle):
    booking = returned_booking(vehicle, datetime(2026, 11, 13, 16, tzinfo=UTC))
    response = client.get(f"/flotte/locations/{booking.id}/annuler")
    assert response.status_code == 303
    assert "est « terminée »" in flash_after(client)


# --- Payments -----------------------------------------------------------------------------------


def pay(client, booking, **overrides):
    data = {
        "kind": "rental",
        "amount": "12,50",
        "method": "cash",
        "paid_on": "2026-11-23",
        "receipt_number": "R-0001",
    }
    data.update(overrides)
    return client.post(f"/flotte/locations/{booking.id}/paiements", data=data)


def test_a_payment_in_euros_with_a_comma_is_recorded_in_cents_and_lowers_the_balance(
    client, logged_in, vehicle
):
    booking = BookingFactory(vehicle=vehicle, price_cents=2000)
    page = text_of(client.get(f"/flotte/locations/{booking.id}/paiements"))
    assert "Reste à payer 20,00 €" in page and "Aucun paiement pour l'instant." in page

    response = pay(client, booking)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/flotte/locations/{booking.id}/paiements"
    payment = db.session.scalar(select(Payment))
    assert (payment.kind, payment.amount_cents, payment.receipt_number) == (
        PaymentKind.RENTAL,
        1250,
        "R-0001",
    )
    page = text_of(client.get(response.headers["Location"]))
    assert "Le paiement est enregistré : location, 12,50 €, reçu n° R-0001." in page
    assert "Déjà payé 12,50 €" in page and "Reste à payer 7,50 €" in page
    assert "23 novembre 2026 Location espèces 12,50 € R-0001" in page

    pay(client, booking, amount="7.50", receipt_number="R-0002", method="card")
    assert "Reste à payer rien : la location est payée" in text_of(client.get(response.headers["Location"]))


def test_a_deposit_and_its_refund_change_the_deposit_held(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle, deposit_cents=15000)
    assert (
        pay(client, booking, kind="deposit", amount="150", method="cheque", receipt_number="C-1").status_code
        == 302
    )
    assert "Caution détenue par l'association 150,00 €" in text_of(client.get(f"/flotte/locations/{booking.id}/paiements"))
    response = pay(client, booking, kind="deposit_refund", amount="150,01", receipt_number="C-2")
    assert response.status_code == 422
    assert "On ne peut pas rendre plus que la caution reçue." in field_error(response, "amount")
    assert (
        pay(client, booking, kind="deposit_refund", amount="150,00", receipt_number="C-2").status_code == 302
    )
    assert booking.deposit_held_cents == 0
    assert "Caution détenue par l'association 0,00 €" in text_of(client.get(f"/flotte/locations/{booking.id}/paiements"))


def test_payment_refusals_are_shown_next_to_their_fields(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    pay(client, booking)
    response = pay(client, booking, amount="3")
    assert response.status_code == 422
    assert "Ce numéro de reçu est déjà utilisé." in field_error(response, "receipt_number")
    response = pay(client, booking, amount="douze euros", receipt_number="R-0009")
    assert "Saisissez un montant en euros, par exemple 12,50." in field_error(response, "amount")
    response = pay(client, booking, amount="0", receipt_number="R-0009")
    assert "Le montant doit être supérieur à zéro." in field_error(response, "amount")
    response = pay(client, booking, paid_on="2026-11-24", receipt_number="R-0009")
    assert "La date du paiement ne peut pas être dans le futur." in field_error(response, "paid_on")
    assert count(Payment) == 1


# --- Contract, booking page panel, home page, vehicle page ---------------------------------------


def test_the_contract_names_the_parties_the_vehicle_and_the_terms_and_is_logged(
    client, logged_in, vehicle, person
):
    booking = BookingFactory(vehicle=vehicle, beneficiary=person, price_cents=2000, deposit_cents=15000)
    page = text_of(client.get(f"/flotte/locations/{booking.id}/contrat"))
    assert f"Contrat de location {booking.reference}" in page
    assert "Prénom Locataire, tél. 06 11 22 33 44" in page
    assert "vérifiés par son référent le 13 novembre 2026" in page
    assert "Immatriculation AB-123-CD" in page
    assert "Départ 7 décembre 2026 à 09:00" in page and "Prix 20,00 € (5 jours)" in page
    assert "Pour l'association" in page and "La personne locataire" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "booking"))
    assert (event.object_id, event.actor_id) == (booking.id, logged_in.id)


def test_the_booking_page_offers_fleet_staff_the_moves_its_status_allows(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle)
    page = client.get(f"/locations/{booking.id}").get_data(as_text=True)
    assert "Pour l'association" in page
    for endpoint in ("remise", "absent", "annuler", "contrat", "paiements"):
        assert f'href="/flotte/locations/{booking.id}/{endpoint}"' in page, endpoint
    assert f"/flotte/locations/{booking.id}/confirmer" not in page
    assert f"/flotte/locations/{booking.id}/retour" not in page


def test_the_fleet_home_flags_overdue_returns_and_lists_today_and_what_to_confirm(client, logged_in, site):
    late = BookingFactory(
        vehicle=VehicleFactory(site=site, plate="LA-111-TE"),
        status=S.IN_PROGRESS,
        starts_at=datetime(2026, 11, 16, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 20, 16, tzinfo=UTC),
    )
    pickup = BookingFactory(
        vehicle=VehicleFactory(site=site, plate="PI-111-CK"),
        starts_at=datetime(2026, 11, 23, 13, tzinfo=UTC),
        ends_at=datetime(2026, 11, 27, 16, tzinfo=UTC),
    )
    back_today = BookingFactory(
        vehicle=VehicleFactory(site=site, plate="BA-111-CK"),
        status=S.IN_PROGRESS,
        starts_at=datetime(2026, 11, 18, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 23, 16, tzinfo=UTC),
    )
    approved = BookingFactory(vehicle=VehicleFactory(site=site, plate="AP-111-PR"), status=S.APPROVED)
    foreign_late = BookingFactory(
        vehicle=VehicleFactory(site=SiteFactory(association=UserFactory(fleet=True).organisation)),
        status=S.IN_PROGRESS,
        starts_at=datetime(2026, 11, 16, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 20, 16, tzinfo=UTC),
    )
    response = client.get("/accueil")
    overdue = section(response, "overdue-title")
    assert "1 véhicule n'est pas rendu à l'heure prévue" in overdue
    assert f"{late.reference} — en retard : retour prévu le 20 novembre 2026 à 17:00" in overdue
    assert f'href="/flotte/locations/{late.id}/retour"' in response.get_data(as_text=True)
    assert foreign_late.reference not in text_of(response)
    today = section(response, "today-title")
    assert f"{pickup.reference} — 23 novembre 2026 à 14:00" in today
    assert f"{back_today.reference} — 23 novembre 2026 à 17:00" in today
    assert late.reference not in today
    assert approved.reference in section(response, "to-confirm-title")


def test_the_fleet_home_says_when_nothing_is_late(client, logged_in, site):
    assert "Aucun retour en retard." in section(client.get("/accueil"), "overdue-title")


def test_the_vehicle_page_lists_its_bookings_newest_first(client, logged_in, vehicle):
    old = returned_booking(vehicle, datetime(2026, 10, 16, 15, tzinfo=UTC))
    upcoming = BookingFactory(vehicle=vehicle)
    other = BookingFactory(vehicle=VehicleFactory(site=vehicle.site))
    bookings = section(client.get(f"/flotte/vehicules/{vehicle.id}"), "bookings-title")
    assert re.search(
        rf"{upcoming.reference} 7 décembre 2026 à 09:00 11 décembre 2026 à 17:00 Confirmée"
        rf".*{old.reference} .* Terminée",
        bookings,
    )
    assert other.reference not in bookings


# --- Unavailability over a booking --------------------------------------------------------------


def declare_unavailability(client, vehicle, first="2026-12-10", last="2026-12-12"):
    return client.post(
        f"/flotte/vehicules/{vehicle.id}/indisponibilites/nouvelle",
        data={"first_day": first, "last_day": last, "kind": "repair", "reason": "Embrayage"},
    )


def test_an_unavailability_over_a_booking_is_refused_naming_the_booking(client, logged_in, vehicle):
    booking = BookingFactory(vehicle=vehicle, status=S.APPROVED)
    response = declare_unavailability(client, vehicle)
    assert response.status_code == 422
    assert field_error(response, "first_day") == (
        f"Erreur : Le véhicule est réservé sur cette période (location {booking.reference}) : "
        "confirmez-la avec un autre véhicule ou annulez-la d'abord."
    )
    assert count(Unavailability) == 0


def test_an_unavailability_over_a_cancelled_booking_or_next_to_one_is_accepted(client, logged_in, vehicle):
    BookingFactory(vehicle=vehicle, status=S.CANCELLED)
    assert declare_unavailability(client, vehicle).status_code == 302
    BookingFactory(
        vehicle=vehicle,
        starts_at=datetime(2026, 12, 14, 8, tzinfo=UTC),
        ends_at=datetime(2026, 12, 15, 16, tzinfo=UTC),
    )
    assert declare_unavailability(client, vehicle, "2026-12-13", "2026-12-13").status_code == 302
    assert count(Unavailability) == 2


def test_when_only_the_database_sees_the_booking_the_unavailability_is_still_refused(
    app, vehicle, fleet_user, monkeypatch
):
    BookingFactory(vehicle=vehicle)
    # The check in Python misses the booking, as if it had been made just after the check.
    monkeypatch.setattr(BookingHoldings, "holding_references", lambda self, *period: [])
    starts_at, ends_at = day_span(date(2026, 12, 10), date(2026, 12, 12))
    with pytest.raises(fleet_services.FleetError) as refused:
        fleet_services.add_unavailability(
            vehicle, starts_at, ends_at, UnavailabilityKind.REPAIR, None, fleet_user
        )
    assert refused.value.field == "first_day"
    assert refused.value.message == "Le véhicule vient d'être réservé sur cette période."
    db.session.rollback()
    assert count(Unavailability) == 0


# --- Admins and page weight ---------------------------------------------------------------------


def test_an_admin_sees_every_associations_bookings_and_may_hand_over(client, auth, vehicle, foreign_booking):
    mine = BookingFactory(vehicle=vehicle)
    auth.login(UserFactory(admin=True))
    page = text_of(client.get("/flotte/locations/"))
    assert mine.reference in page and foreign_booking.reference in page
    assert client.get(f"/flotte/locations/{foreign_booking.id}/remise").status_code == 200


def test_the_list_does_not_query_once_per_row(app, client, logged_in, site):
    statements = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def queries() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            assert client.get("/flotte/locations/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
        return len(statements)

    BookingFactory(vehicle=VehicleFactory(site=site))
    few = queries()
    for status in (S.APPROVED, S.CONFIRMED, S.IN_PROGRESS, S.APPROVED, S.CONFIRMED):
        BookingFactory(vehicle=VehicleFactory(site=site), status=status)
    assert queries() == few


# --- Every choice offered is checked again on submission ---------------------------------------


def _confirm_with(client, booking, vehicle_id):
    return client.post(f"/flotte/locations/{booking.id}/confirmer", data={"vehicle_id": str(vehicle_id)})


def test_a_swap_to_a_vehicle_whose_insurance_ends_before_the_return_is_refused(client, logged_in, site, vehicle):
    booking = BookingFactory(vehicle=vehicle, status=S.APPROVED)
    lapsing = VehicleFactory(site=site, plate="AS-111-SU", insurance_expires_on=booking.starts_on)
    assert lapsing.id not in _options(client.get(f"/flotte/locations/{booking.id}/confirmer"))
    moves_before = count(BookingTransition)
    response = _confirm_with(client, booking, lapsing.id)
    assert response.status_code == 422
    assert "Ce véhicule ne peut pas être proposé pour cette location." in field_error(response, "vehicle_id")
    assert booking.status == S.APPROVED and booking.vehicle_id == vehicle.id
    assert count(BookingTransition) == moves_before


def test_a_swap_to_a_vehicle_still_out_on_an_overdue_rental_is_refused(client, logged_in, site, vehicle):
    booking = BookingFactory(vehicle=vehicle, status=S.APPROVED)
    late = VehicleFactory(site=site, plate="LA-111-TE")
    BookingFactory(
        vehicle=late,
        status=S.IN_PROGRESS,
        starts_at=datetime(2026, 11, 2, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 20, 16, tzinfo=UTC),
    )
    assert late.id not in _options(client.get(f"/flotte/locations/{booking.id}/confirmer"))
    response = _confirm_with(client, booking, late.id)
    assert response.status_code == 422
    assert "Ce véhicule ne peut pas être proposé pour cette location." in field_error(response, "vehicle_id")
    assert booking.status == S.APPROVED and booking.vehicle_id == vehicle.id


@pytest.mark.parametrize("vehicle_id", ["99999999999999999999", "2147483648", "-1", "abc"])
def test_a_vehicle_id_beyond_any_id_is_a_french_field_error_not_a_500(client, logged_in, vehicle, vehicle_id):
    booking = BookingFactory(vehicle=vehicle, status=S.APPROVED)
    response = _confirm_with(client, booking, vehicle_id)
    assert response.status_code == 422
    assert field_error(response, "vehicle_id")
    assert booking.status == S.APPROVED and booking.vehicle_id == vehicle.id


@pytest.mark.parametrize("site_id", ["99999999999999999999", "2147483648", "0", "-3", "x"])
def test_a_site_filter_beyond_any_id_lists_every_booking_instead_of_failing(client, logged_in, vehicle, site_id):
    booking = BookingFactory(vehicle=vehicle)
    response = client.get(f"/flotte/locations/?site={site_id}")
    assert response.status_code == 200
    assert booking.reference in text_of(response)
    assert client.get(f"/flotte/vehicules?site={site_id}").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["?mois=9999-12", "?mois=0000-01", "?mois=99999999999999999999-01", "?vue=semaine&semaine=9999-12-31", "?mois=1899-12"],
)
def test_a_month_or_week_out_of_range_shows_the_current_one(client, logged_in, site, query):
    response = client.get(f"/flotte/planning/sites/{site.id}{query}")
    assert response.status_code == 200
    assert "novembre 2026" in text_of(response).lower() or "2026" in text_of(response)
