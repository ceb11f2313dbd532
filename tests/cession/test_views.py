"""Cession pages: admins create, associations follow their own, everyone else gets 404;
bad input explained next to the field with nothing saved; every change audited."""

from __future__ import annotations

import html
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from mobility.audit.models import AuditEvent
from mobility.cession.models import Cession, CessionState, Convention, PaperworkKind
from mobility.extensions import db
from mobility.fleet.models import Vehicle
from tests.cession.factories import CessionFactory, ConventionFactory
from tests.factories import BeneficiaryFactory, UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _cession_form(convention, **changes):
    data = {
        "convention_id": str(convention.id), "decision_reference": "AR-2026-0042", "decided_on": "2026-09-15",
        "plate": "cd 123 ef", "vin": "vf1rja00012345678", "make": "Renault", "model": "Kangoo",
        "first_registered_on": "2018-04-12", "category": "car", "energy": "diesel", "odometer_km": "98 000",
        "value_cents": "0", "ceded_on": "2026-11-02", "ceded_at_time": "14:30",
    }
    data.update(changes)
    return data


def _text(response) -> str:
    """The page as a person reads it: entities decoded, non-breaking spaces as spaces."""
    return html.unescape(response.get_data(as_text=True)).replace("\u202f", " ").replace("\xa0", " ")


def _download(client, url) -> bytes:
    response = client.get(url)
    data = response.data
    response.close()
    return data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_creates_a_convention_with_its_signed_pdf(frozen_today, client, auth, admin, fleet_user):
    auth.login(admin)
    response = client.post("/cessions/conventions/nouvelle", data={
        "reference": "CONV-2026-777", "association_id": str(fleet_user.organisation_id), "signed_on": "2026-01-05",
        "starts_on": "2026-01-05", "ends_on": "2028-12-31", "max_vehicles": "3", "kind": "free",
        "obligations": "Rapport annuel", "document": (io.BytesIO(PDF), "convention.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    convention = db.session.scalar(select(Convention))
    assert convention.signed_document.content_type == "application/pdf"
    page = _text(client.get(f"/cessions/conventions/{convention.id}"))
    assert "0 cédé(s) sur 3 au plus" in page
    assert _download(client, f"/cessions/conventions/{convention.id}/document") == PDF


def test_a_convention_with_an_image_instead_of_a_pdf_is_refused_and_nothing_saved(frozen_today, client, auth, admin, fleet_user):
    auth.login(admin)
    response = client.post("/cessions/conventions/nouvelle", data={
        "reference": "CONV-X", "association_id": str(fleet_user.organisation_id), "signed_on": "2026-01-05",
        "starts_on": "2026-01-05", "ends_on": "2025-12-31", "max_vehicles": "0", "kind": "priced",
        "document": (io.BytesIO(b"\x89PNG\r\n\x1a\n...."), "scan.png"),
    }, content_type="multipart/form-data")
    page = _text(response)
    assert response.status_code == 422
    assert "La fin de la convention doit venir après son début." in page
    assert "Saisissez un nombre entre 1 et 10 000." in page
    assert "Indiquez la référence de la décision du Département qui fixe le prix." in page
    assert _count(Convention) == 0


def test_admin_proposes_a_cession_normalised_and_audited(frozen_today, client, auth, admin, convention):
    auth.login(admin)
    response = client.post("/cessions/nouvelle", data=_cession_form(convention))
    assert response.status_code == 302
    cession = db.session.scalar(select(Cession))
    assert (cession.plate, cession.vin, cession.odometer_km) == ("CD-123-EF", "VF1RJA00012345678", 98000)
    assert cession.ceded_at_time.strftime("%H:%M") == "14:30"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "cession")).actor_id == admin.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vin": "VF1RJA0001234567O"}, "sauf I, O et Q"),
        ({"vin": "VF1RJA0001234"}, "17 caractères"),
        ({"plate": "AB-12-CD"}, "AB-123-CD"),
        ({"ceded_on": "2026-11-24"}, "Cette date ne peut pas être dans le futur."),
        ({"ceded_on": "2017-01-01"}, "ne peut pas précéder la première mise en circulation"),
        ({"value_cents": "-5"}, "Le montant ne peut pas être négatif"),
        ({"odometer_km": "beaucoup"}, "Saisissez un nombre entier"),
        ({"ceded_at_time": "25:99"}, "Saisissez une heure valide"),
        ({"convention_id": "99999"}, "Choisissez la convention dans la liste."),
        ({"value_cents": "301"}, "Une cession gratuite est possible jusqu'à 300 €"),
    ],
)
def test_bad_cession_input_is_explained_next_to_the_field_and_nothing_saved(frozen_today, client, auth, admin, convention, changes, message):
    auth.login(admin)
    response = client.post("/cessions/nouvelle", data=_cession_form(convention, **changes))
    assert response.status_code == 422
    page = _text(response)
    assert message in page and 'aria-invalid="true"' in page
    assert _count(Cession) == 0


def test_a_duplicate_vin_or_a_full_convention_is_refused_with_its_reason(frozen_today, client, auth, admin, convention):
    CessionFactory(convention=convention, vin="VF1RJA00012345678")
    auth.login(admin)
    page = _text(client.post("/cessions/nouvelle", data=_cession_form(convention)))
    assert "un véhicule n'est cédé qu'une fois" in page
    convention.max_vehicles = 1
    page = _text(client.post("/cessions/nouvelle", data=_cession_form(convention, vin="VF1RJA00099999999")))
    assert "déjà tous cédés ou proposés" in page
    assert _count(Cession) == 1


def test_an_association_sees_its_own_cessions_and_gets_404_for_another(frozen_today, client, auth, fleet_user, other_fleet_user, convention):
    mine = CessionFactory(convention=convention)
    theirs = CessionFactory(convention=ConventionFactory(association=other_fleet_user.organisation))
    auth.login(fleet_user)
    assert client.get(f"/cessions/{mine.id}").status_code == 200
    for url in (f"/cessions/{theirs.id}", f"/cessions/{theirs.id}/fiche", f"/cessions/conventions/{theirs.convention_id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cessions/{theirs.id}/action/accept").status_code == 404
    assert theirs.reference not in _text(client.get("/cessions/"))
    assert client.get("/cessions/nouvelle").status_code == 404  # only the Département creates


@pytest.mark.parametrize("role", ["referent", "beneficiary"])
def test_referents_and_beneficiaries_see_no_cession_page(frozen_today, client, auth, convention, role):
    cession = CessionFactory(convention=convention)
    user = UserFactory(beneficiary=True) if role == "beneficiary" else UserFactory()
    if role == "beneficiary":
        BeneficiaryFactory(user=user)
    auth.login(user)
    for url in ("/cessions/", "/cessions/conventions", "/cessions/registre", "/cessions/registre.csv",
                f"/cessions/{cession.id}", f"/cessions/{cession.id}/fiche"):
        assert client.get(url).status_code == 404, url


def test_the_association_accepts_then_the_departement_transfers_each_move_logged(frozen_today, client, auth, admin, fleet_user, convention):
    cession = CessionFactory(convention=convention)
    auth.login(fleet_user)
    assert client.post(f"/cessions/{cession.id}/action/transfer").status_code == 422  # not the association's move
    assert client.post(f"/cessions/{cession.id}/action/accept").status_code == 302
    auth.logout()
    auth.login(admin)
    assert client.post(f"/cessions/{cession.id}/action/transfer").status_code == 302
    db.session.refresh(cession)
    assert cession.state is CessionState.TRANSFERRED
    page = _text(client.get(f"/cessions/{cession.id}"))
    assert "Accepter la cession" in page and "Enregistrer la remise du véhicule" in page


def test_declining_without_a_reason_says_so_next_to_the_field(frozen_today, client, auth, fleet_user, convention):
    cession = CessionFactory(convention=convention)
    auth.login(fleet_user)
    response = client.post(f"/cessions/{cession.id}/action/decline", data={"reason": ""})
    assert response.status_code == 422 and "Indiquez la raison" in _text(response)


def test_paperwork_with_its_document_then_registration_then_in_service(frozen_today, client, auth, fleet_user, convention):
    site = SiteFactory(association=fleet_user.organisation)
    cession = CessionFactory(convention=convention, state=CessionState.TRANSFERRED)
    auth.login(fleet_user)
    page = _text(client.post(f"/cessions/{cession.id}/action/register"))
    assert "Il manque des pièces" in page
    dates = {"certificate_of_sale": "2026-10-01", "siv_declaration": "2026-10-05", "crossed_out_certificate": "2026-10-01",
             "non_pledge": "2026-09-25", "technical_inspection": "2026-09-20", "registration": "2026-10-20"}
    for kind, day in dates.items():
        data = {f"{kind}-done_on": day, f"{kind}-certificate_number": "2026AB12345",
                f"{kind}-document": (io.BytesIO(PDF), f"{kind}.pdf")}
        assert client.post(f"/cessions/{cession.id}/pieces/{kind}", data=data, content_type="multipart/form-data").status_code == 302
    assert client.post(f"/cessions/{cession.id}/action/register").status_code == 302
    response = client.post(f"/cessions/{cession.id}/mise-en-service", data={"site_id": str(site.id), "gearbox": "manual", "seats": "5"})
    assert response.status_code == 302
    vehicle = db.session.scalar(select(Vehicle))
    assert vehicle.cession_id == cession.id
    assert f"/cessions/{cession.id}" in _text(client.get(f"/flotte/vehicules/{vehicle.id}"))
    assert f"/flotte/vehicules/{vehicle.id}" in _text(client.get(f"/cessions/{cession.id}"))
    item = db.session.scalar(select(Cession).where(Cession.id == cession.id)).paperwork_of(PaperworkKind.NON_PLEDGE)
    assert _download(client, f"/cessions/{cession.id}/documents/{item.document_id}") == PDF


def test_a_document_of_the_wrong_type_is_refused_and_the_item_not_saved(frozen_today, client, auth, fleet_user, convention):
    cession = CessionFactory(convention=convention, state=CessionState.TRANSFERRED)
    auth.login(fleet_user)
    response = client.post(
        f"/cessions/{cession.id}/pieces/certificate_of_sale",
        data={"certificate_of_sale-done_on": "2026-10-01", "certificate_of_sale-document": (io.BytesIO(b"GIF89a..."), "x.gif")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "ni un PDF" in _text(response)
    db.session.refresh(cession)
    assert cession.paperwork == []


def test_another_associations_document_is_a_404(frozen_today, client, auth, fleet_user, convention):
    cession = CessionFactory(convention=convention)
    auth.login(fleet_user)
    assert client.get(f"/cessions/{cession.id}/documents/1").status_code == 404


def test_late_paperwork_shows_on_the_association_and_admin_home_pages(frozen_today, client, auth, admin, fleet_user, convention):
    CessionFactory(convention=convention, ceded_on=date(2026, 10, 1), plate="GH-321-JK")
    auth.login(fleet_user)
    page = _text(client.get("/accueil"))
    assert "Cessions : pièces en retard" in page and "GH-321-JK" in page and "En retard de 38 jour(s)" in page
    auth.logout()
    auth.login(admin)
    assert "GH-321-JK" in _text(client.get("/accueil"))


def test_the_printable_file_holds_the_cerfa_fields(frozen_today, client, auth, fleet_user, convention):
    cession = CessionFactory(convention=convention, plate="GH-321-JK")
    auth.login(fleet_user)
    page = _text(client.get(f"/cessions/{cession.id}/fiche"))
    for expected in ("GH-321-JK", cession.vin, "12/04/2018", "Département du Loiret", fleet_user.organisation.name,
                     "01/10/2026", "98 000 km", "Genre national (J.1)", "Liste de contrôle des pièces"):
        assert expected in page, expected


def test_the_register_page_and_downloads_are_scoped_and_audited(frozen_today, client, auth, fleet_user, other_fleet_user, convention):
    CessionFactory(convention=convention, plate="GH-321-JK")
    CessionFactory(convention=ConventionFactory(association=other_fleet_user.organisation), plate="ZZ-999-ZY")
    auth.login(fleet_user)
    page = _text(client.get("/cessions/registre?annee=2026&etat=pas-un-etat&convention=abc"))
    assert "GH-321-JK" in page and "ZZ-999-ZY" not in page
    response = client.get("/cessions/registre.csv")
    assert response.mimetype == "text/csv" and "GH-321-JK" in response.data.decode("utf-8-sig")
    assert "ZZ-999-ZY" not in response.data.decode("utf-8-sig")
    assert client.get("/cessions/registre.xlsx").data[:2] == b"PK"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "cession_register")) == 2


def test_a_vehicle_in_service_links_the_existing_fleet_vehicle_of_the_same_vin(frozen_today, client, auth, fleet_user, convention):
    site = SiteFactory(association=fleet_user.organisation)
    cession = CessionFactory(convention=convention, state=CessionState.REGISTERED)
    VehicleFactory(site=site, vin=cession.vin)
    auth.login(fleet_user)
    assert client.post(f"/cessions/{cession.id}/mise-en-service", data={}).status_code == 302
    assert _count(Vehicle) == 1 and db.session.scalar(select(Vehicle.cession_id)) == cession.id
