"""Incident pages: who sees what (404 for anyone else), the person's report from the phone, the
return form that compares the condition and opens an incident for a new damage."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from mobility.audit.models import AuditEvent
from mobility.booking.models import BookingStatus, Handover, HandoverKind
from mobility.extensions import db
from mobility.incidents import services
from mobility.incidents.models import ConditionPhoto, Incident, IncidentKind
from mobility.incidents.photos import clean_photo
from mobility.incidents.services import IncidentReport
from tests.factories import UserFactory
from tests.incidents.conftest import jpeg_with_gps_and_camera


def _incident(rental_in_progress) -> Incident:
    incident = services.report_incident(
        rental_in_progress["vehicle"], rental_in_progress["booking"],
        IncidentReport(IncidentKind.ACCIDENT, datetime(2026, 12, 8, 14, 0, tzinfo=UTC), "Orléans", "Choc arrière."),
        [clean_photo(jpeg_with_gps_and_camera())], rental_in_progress["staff"],
    )
    db.session.commit()
    return incident


@pytest.mark.parametrize("who", ["staff", "referent"])
def test_the_association_staff_and_the_persons_referent_see_the_incident(rental_in_progress, client, auth, who):
    incident = _incident(rental_in_progress)
    auth.login(rental_in_progress[who])
    response = client.get(f"/sinistres/{incident.id}")
    assert response.status_code == 200
    assert "Choc arrière." in response.text
    photo = client.get(f"/sinistres/photos/{incident.photos[0].id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert b"PhoneMaker" not in photo.data
    assert db.session.scalar(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.object_type == "incident", AuditEvent.object_id == incident.id)
    ) >= 2


@pytest.mark.parametrize("who", ["other_staff", "other_referent", "admin"])
def test_anyone_else_gets_not_found(rental_in_progress, client, auth, who):
    incident = _incident(rental_in_progress)
    people = {"other_staff": rental_in_progress["other_staff"], "other_referent": UserFactory(organisation=rental_in_progress["referent"].organisation),
              "admin": UserFactory(admin=True)}
    db.session.commit()
    auth.login(people[who])
    assert client.get(f"/sinistres/{incident.id}").status_code == 404
    assert client.get(f"/sinistres/photos/{incident.photos[0].id}").status_code == 404
    assert client.get(f"/sinistres/{incident.id}/declaration").status_code == 404


def test_the_person_reports_from_the_phone_and_sees_the_emergency_number(rental_in_progress, client, auth):
    rental_in_progress["association"].emergency_phone = "02 38 12 34 56"
    db.session.commit()
    auth.login(rental_in_progress["person_user"])
    page = client.get("/sinistres/signaler")
    assert page.status_code == 200
    assert 'capture="environment"' in page.text and 'accept="image/*"' in page.text
    assert "02 38 12 34 56" in page.text
    response = client.post("/sinistres/signaler", data={
        "kind": "breakdown", "occurred_on": "2026-12-09", "occurred_time": "10:30", "place": "RD 2020, Saran",
        "description": "Le moteur s'est arrêté.", "stops_vehicle": "y",
        "photos": (io.BytesIO(jpeg_with_gps_and_camera()), "IMG_0001.jpg"),
    }, content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "L'association a reçu votre signalement." in response.text
    assert "02 38 12 34 56" in response.text and "15 (Samu)" in response.text
    incident = db.session.scalar(db.select(Incident))
    assert incident.booking_id == rental_in_progress["booking"].id and incident.stops_vehicle
    assert incident.photos[0].original_filename == "photo-1.jpg"


def test_a_report_with_a_file_that_is_not_an_image_saves_nothing(rental_in_progress, client, auth):
    auth.login(rental_in_progress["person_user"])
    response = client.post("/sinistres/signaler", data={
        "kind": "vandalism", "occurred_on": "2026-12-09", "occurred_time": "08:00", "place": "Orléans",
        "description": "Vitre brisée.", "photos": (io.BytesIO(b"MZ\x90\x00 not an image"), "photo.jpg"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Ce fichier n&#39;est pas une photo" in response.text
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def test_a_report_in_the_future_is_refused_in_french(rental_in_progress, client, auth):
    auth.login(rental_in_progress["person_user"])
    response = client.post("/sinistres/signaler", data={
        "kind": "accident", "occurred_on": "2026-12-09", "occurred_time": "23:00", "place": "Orléans",
        "description": "Accrochage.",
    })
    assert response.status_code == 422
    assert "ne peut pas être dans le futur" in response.text
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0


def test_a_person_without_a_rental_in_progress_is_told_so(rental_in_progress, client, auth):
    rental_in_progress["booking"].status = BookingStatus.RETURNED
    db.session.commit()
    auth.login(rental_in_progress["person_user"])
    assert "pas de location en cours" in client.get("/sinistres/signaler").text


def _checked_out(rental_in_progress):
    db.session.add(Handover(booking=rental_in_progress["booking"], kind=HandoverKind.CHECK_OUT, odometer_km=1000, fuel_eighths=8,
                            bodywork_ok=True, contract_signed=True, recorded_by_id=rental_in_progress["staff"].id))
    db.session.commit()


def test_check_out_photos_are_stored_without_metadata_and_shown_at_the_return(rental_in_progress, client, auth, app):
    booking = rental_in_progress["booking"]
    booking.status = BookingStatus.CONFIRMED
    db.session.commit()
    auth.login(rental_in_progress["staff"])
    response = client.post(f"/flotte/locations/{booking.id}/remise", data={
        "odometer_km": "1000", "fuel_eighths": "8", "bodywork_ok": "y", "contract_signed": "y",
        "photos": [(io.BytesIO(jpeg_with_gps_and_camera()), "a.jpg"), (io.BytesIO(jpeg_with_gps_and_camera()), "b.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    photos = db.session.scalars(db.select(ConditionPhoto)).all()
    assert len(photos) == 2 and all(p.handover_id for p in photos)
    page = client.get(f"/flotte/locations/{booking.id}/retour")
    assert "Photos au départ" in page.text
    assert f"/sinistres/photos/{photos[0].id}" in page.text
    served = client.get(f"/sinistres/photos/{photos[0].id}")
    assert Image.open(io.BytesIO(served.data)).getexif().get(0x010F) is None


def test_a_new_damage_at_the_return_opens_an_incident_in_the_same_step(rental_in_progress, client, auth):
    _checked_out(rental_in_progress)
    auth.login(rental_in_progress["staff"])
    response = client.post(f"/flotte/locations/{rental_in_progress['booking'].id}/retour", data={
        "odometer_km": "1200", "fuel_eighths": "6", "damage_notes": "Rayure sur la portière avant droite.",
        "new_damage": "y", "photos": (io.BytesIO(jpeg_with_gps_and_camera()), "c.jpg"),
    }, content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "Sinistre ouvert pour le dégât nouveau : S-000001" in response.text
    incident = db.session.scalar(db.select(Incident))
    assert incident.description == "Rayure sur la portière avant droite."
    assert incident.handover_id is not None and len(incident.photos) == 1
    assert rental_in_progress["booking"].status == BookingStatus.RETURNED


def test_a_bad_photo_at_the_return_saves_neither_the_return_nor_the_incident(rental_in_progress, client, auth):
    _checked_out(rental_in_progress)
    auth.login(rental_in_progress["staff"])
    response = client.post(f"/flotte/locations/{rental_in_progress['booking'].id}/retour", data={
        "odometer_km": "1200", "fuel_eighths": "6", "damage_notes": "Rayure.", "new_damage": "y",
        "photos": (io.BytesIO(b"just text"), "c.jpg"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Ce fichier n&#39;est pas une photo" in response.text
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 0
    assert rental_in_progress["booking"].status == BookingStatus.IN_PROGRESS


def test_a_new_damage_without_description_is_asked_for(rental_in_progress, client, auth):
    _checked_out(rental_in_progress)
    auth.login(rental_in_progress["staff"])
    response = client.post(f"/flotte/locations/{rental_in_progress['booking'].id}/retour", data={
        "odometer_km": "1200", "fuel_eighths": "6", "new_damage": "y"})
    assert response.status_code == 422
    assert "Décrivez le dégât" in response.text


def test_staff_take_the_vehicle_off_the_road_with_a_replacement_from_the_form(rental_in_progress, client, auth):
    auth.login(rental_in_progress["staff"])
    page = client.get(f"/sinistres/nouveau?location={rental_in_progress['booking'].id}")
    assert rental_in_progress["spare"].plate in page.text
    response = client.post(f"/sinistres/nouveau?location={rental_in_progress['booking'].id}", data={
        "kind": "accident", "occurred_on": "2026-12-09", "occurred_time": "09:00", "place": "Orléans",
        "description": "Choc avant.", "stops_vehicle": "y", "until_on": "2026-12-20", "continuation": "replace",
        "replacement_vehicle_id": str(rental_in_progress["spare"].id),
    })
    assert response.status_code == 303
    db.session.expire_all()
    assert rental_in_progress["booking"].vehicle_id == rental_in_progress["spare"].id
    assert db.session.scalar(db.select(Incident)).unavailability_id is not None


def test_the_vehicle_page_lists_incidents_and_flags_repeated_ones(rental_in_progress, client, auth, app):
    for hour in (8, 9, 10):
        services.report_incident(
            rental_in_progress["vehicle"], rental_in_progress["booking"],
            IncidentReport(IncidentKind.OTHER, datetime(2026, 12, 8, hour, 0, tzinfo=UTC), "Orléans", "Rayure."),
            [], rental_in_progress["staff"],
        )
    db.session.commit()
    auth.login(rental_in_progress["staff"])
    page = client.get(f"/flotte/vehicules/{rental_in_progress['vehicle'].id}")
    assert "S-000003" in page.text and "Incidents répétés : 3 incidents en 12 mois" in page.text


def test_staff_set_the_emergency_number_and_the_claim_delay_of_their_association(rental_in_progress, client, auth):
    from mobility.incidents.models import IncidentPolicy

    auth.login(rental_in_progress["staff"])
    refused = client.post("/sinistres/reglages", data={"emergency_phone": "12", "claim_working_days": "3",
                                                       "deductible_borne_by": "association"})
    assert refused.status_code == 422
    assert "10 chiffres" in refused.text and "minimum légal" in refused.text
    assert db.session.get(IncidentPolicy, rental_in_progress["association"].id) is None
    saved = client.post("/sinistres/reglages", data={"emergency_phone": "0238123456", "claim_working_days": "7",
                                                     "deductible_borne_by": "beneficiary"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert rental_in_progress["association"].emergency_phone == "02 38 12 34 56"
    assert db.session.get(IncidentPolicy, rental_in_progress["association"].id).claim_working_days == 7


def test_the_claim_form_refuses_a_declaration_before_the_incident_and_saves_nothing(rental_in_progress, client, auth):
    from mobility.incidents.models import InsuranceClaim

    incident = _incident(rental_in_progress)
    auth.login(rental_in_progress["staff"])
    page = client.get(f"/sinistres/{incident.id}/declaration")
    assert "au plus tard le 15 déc" in page.text, page.text[page.text.find("plus tard"):][:80]
    response = client.post(f"/sinistres/{incident.id}/declaration", data={
        "declared_on": "2026-12-07", "deductible_borne_by": "association", "repair_cost": "450"})
    assert response.status_code == 422
    assert "La déclaration ne peut pas précéder l&#39;incident (le 08/12/2026)." in response.text
    assert db.session.scalar(db.select(db.func.count(InsuranceClaim.id))) == 0
    saved = client.post(f"/sinistres/{incident.id}/declaration", data={
        "declared_on": "2026-12-09", "insurer_reference": "AX-77", "deductible_borne_by": "association",
        "repair_cost": "450", "deductible": "150,50"})
    assert saved.status_code == 303
    claim = db.session.scalar(db.select(InsuranceClaim))
    assert (claim.repair_cost_cents, claim.deductible_cents, claim.insurer_reference) == (45000, 15050, "AX-77")
