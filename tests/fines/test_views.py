"""Fine pages: who sees a fine (fleet staff of the vehicle's association, référents of the
person's organisation; admins and everyone else 404), every read audited, the form's French
refusals with nothing saved, the designation page, the home block and the vehicle page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.extensions import db
from mobility.fines.models import Fine, FineStatus
from tests.factories import UserFactory
from tests.fines.factories import FineFactory, fleet_vehicle, rental

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FROZEN_AT = NOW


@pytest.fixture
def designated_fine(app, frozen):
    staff = UserFactory(fleet=True)
    vehicle = fleet_vehicle(staff)
    booking = rental(vehicle, datetime(2026, 10, 5, 7, 0, tzinfo=UTC), datetime(2026, 10, 9, 15, 0, tzinfo=UTC))
    person = booking.beneficiary
    fine = FineFactory(vehicle=vehicle, offence_at=datetime(2026, 10, 7, 12, 0, tzinfo=UTC), booking=booking,
                       beneficiary=person, status=FineStatus.DRIVER_IDENTIFIED)
    return staff, vehicle, booking, person, fine


FORM = {
    "notice_number": "1234567890",
    "offence_on": "2026-10-07",
    "offence_time": "14:00",
    "place": "Orléans, A10",
    "kind": "speed",
    "amount": "135",
    "notice_sent_on": "2026-10-12",
}


def _reads(fine_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "fine", AuditEvent.object_id == fine_id, AuditEvent.action == AuditAction.READ
        )
    )


def test_staff_of_the_association_see_the_fine_and_each_read_is_audited(client, auth, designated_fine):
    staff, vehicle, booking, person, fine = designated_fine
    auth.login(staff)
    page = client.get(f"/amendes/{fine.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert fine.notice_number in text and person.display_name in text and booking.reference in text
    assert "26 novembre 2026" in text and "3 jours restants" in text
    assert _reads(fine.id) == 1
    assert client.get("/amendes/").status_code == 200


def test_the_referent_of_the_persons_organisation_reads_it_without_the_plate(client, auth, designated_fine):
    staff, vehicle, booking, person, fine = designated_fine
    auth.login(person.referent)
    page = client.get(f"/amendes/{fine.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert fine.notice_number in text and vehicle.plate not in text
    assert "Confirmer le conducteur" not in text and "Enregistrer la désignation" not in text
    assert client.get(f"/amendes/{fine.id}/designation").status_code == 404
    assert _reads(fine.id) == 1


@pytest.mark.parametrize("who", ["other_staff", "admin", "other_referent", "beneficiary"])
def test_anybody_else_gets_not_found(client, auth, designated_fine, who):
    staff, vehicle, booking, person, fine = designated_fine
    user = {
        "other_staff": lambda: UserFactory(fleet=True),
        "admin": lambda: UserFactory(admin=True),
        "other_referent": lambda: UserFactory(),
        "beneficiary": lambda: UserFactory(beneficiary=True, organisation=person.organisation),
    }[who]()
    auth.login(user)
    for url in (f"/amendes/{fine.id}", f"/amendes/{fine.id}/designation"):
        assert client.get(url).status_code == 404
    assert client.post(f"/amendes/{fine.id}/clore", data={"reason": "x"}).status_code == 404
    assert _reads(fine.id) == 0


def test_the_form_records_an_avis_and_says_who_had_the_vehicle(client, auth, designated_fine):
    staff, vehicle, booking, person, fine = designated_fine
    auth.login(staff)
    assert client.get("/amendes/nouvelle").status_code == 200
    answer = client.post("/amendes/nouvelle", data={**FORM, "vehicle_id": vehicle.id, "notice_number": "99 9999 9999"},
                         follow_redirects=True)
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "le véhicule était en location" in text and booking.reference in text
    created = db.session.scalar(select(Fine).where(Fine.notice_number == "9999999999"))
    assert created.status is FineStatus.RECEIVED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"notice_number": "12345"}, "compte 10 chiffres"),
        ({"offence_on": "2026-11-24"}, "ne peuvent pas être dans le futur"),
        ({"offence_on": "2025-06-01"}, "pas encore dans la flotte"),
        ({"notice_sent_on": "2026-10-01"}, "envoyé avant l&#39;infraction"),
        ({"amount": "cent"}, "Saisissez un montant"),
        ({"offence_time": "25:00"}, "par exemple 14:30"),
    ],
)
def test_bad_input_shows_a_french_message_and_saves_nothing(client, auth, designated_fine, changes, message):
    staff, vehicle, booking, person, fine = designated_fine
    auth.login(staff)
    before = db.session.scalar(select(func.count()).select_from(Fine))
    answer = client.post("/amendes/nouvelle", data={**FORM, "vehicle_id": vehicle.id, "notice_number": "5555555555", **changes})
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Fine)) == before


def test_a_vehicle_of_another_association_cannot_be_chosen(client, auth, designated_fine):
    staff, *_ = designated_fine
    theirs = fleet_vehicle(UserFactory(fleet=True))
    auth.login(staff)
    answer = client.post("/amendes/nouvelle", data={**FORM, "vehicle_id": theirs.id})
    assert answer.status_code == 422 and "Choisissez le véhicule" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Fine).where(Fine.vehicle_id == theirs.id)) == 0


def test_the_designation_page_holds_what_the_file_holds_and_says_what_is_missing(client, auth, designated_fine):
    staff, vehicle, booking, person, fine = designated_fine
    person.licence_b_issued_on = date(2010, 6, 1)
    db.session.commit()
    auth.login(staff)
    page = client.get(f"/amendes/{fine.id}/designation")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert person.last_name in text and "17/05/1985" in text and "01/06/2010" in text and "Orléans" in text
    assert "ne contient pas : Lieu de naissance, Adresse (numéro et voie), Numéro du permis de conduire" in text
    assert "À faire au plus tard le 26 novembre 2026" in text and "3 jours restants" in text
    assert _reads(fine.id) == 1


def test_moves_from_the_page_identify_designate_and_log(client, auth, app, designated_fine):
    staff, vehicle, booking, person, fine = designated_fine
    fresh = FineFactory(vehicle=vehicle, offence_at=datetime(2026, 10, 7, 12, 0, tzinfo=UTC))
    auth.login(staff)
    assert client.post(f"/amendes/{fresh.id}/conducteur", data={"booking_id": booking.id}).status_code == 302
    refused = client.post(f"/amendes/{fresh.id}/designer", data={"reference": "", "designated_on": "2026-11-20"})
    assert refused.status_code == 422 and "Saisissez la référence" in refused.get_data(as_text=True)
    assert client.post(f"/amendes/{fresh.id}/designer",
                       data={"reference": "ANTAI-77", "designated_on": "2026-11-20"}).status_code == 302
    no_reason = client.post(f"/amendes/{fresh.id}/contester", data={"reason": ""})
    assert no_reason.status_code == 422 and "Action impossible" in no_reason.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Fine, fresh.id)
    assert stored.status is FineStatus.DESIGNATED and stored.designation_reference == "ANTAI-77"
    assert client.post(f"/amendes/{fresh.id}/clore", data={"reason": ""}).status_code == 302


def test_the_home_page_and_the_vehicle_page_show_the_fines(client, auth, designated_fine):
    staff, vehicle, booking, person, fine = designated_fine
    FineFactory(vehicle=vehicle, notice_sent_on=date(2026, 9, 1), designation_due_on=date(2026, 10, 16))
    FineFactory(vehicle=vehicle, notice_sent_on=date(2026, 11, 20), designation_due_on=date(2027, 1, 4))
    auth.login(staff)
    home = client.get("/accueil").get_data(as_text=True)
    assert "Amendes : conducteurs à désigner" in home
    assert "en retard de 38 jours" in home and "3 jours restants" in home
    assert "2027" not in home.split("fines-due-title")[1].split("</section>")[0]
    page = client.get(f"/flotte/vehicules/{vehicle.id}").get_data(as_text=True)
    assert fine.reference in page and "excès de vitesse" in page
