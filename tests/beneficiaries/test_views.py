from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.beneficiaries.models import Beneficiary
from mobility.extensions import db
from tests.factories import BeneficiaryFactory, UserFactory
from tests.helpers import first_link, page_text

VALID = {
    "first_name": "Prénom",
    "last_name": "Fiche Exemple",
    "birth_date": "1990-04-12",
    "email": "personne.b@example.org",
    "phone": "06 12 34 56 78",
    "commune_insee": "45208",
    "rsa_checked_now": "y",
    "has_licence_b": "y",
    "licence_b_issued_on": "2012-09-03",
    "licence_b_expires_on": "2027-09-03",
    "driving_rights_checked_now": "y",
    "cer_valid_until": "2027-05-31",
}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Beneficiary))


def test_referent_creates_a_file_with_checked_facts_stamped_with_their_name_and_the_date(
    client, referent_logged_in
):
    response = client.post("/beneficiaires/nouveau", data={**VALID, "referent_id": referent_logged_in.id})
    assert response.status_code == 302
    beneficiary = db.session.scalar(select(Beneficiary))
    assert beneficiary.commune.name == "Montargis"
    assert beneficiary.basin.name == "Montargis"
    assert beneficiary.organisation_id == referent_logged_in.organisation_id
    assert beneficiary.rsa_checked_on == date(2026, 11, 23)
    assert beneficiary.rsa_checked_by_id == referent_logged_in.id
    assert beneficiary.driving_rights_checked_by_id == referent_logged_in.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Prénom Fiche Exemple" in page
    assert "vérifié le 23 novembre 2026 par " + referent_logged_in.full_name in page


def test_the_file_keeps_a_french_phone_number_and_no_licence_dates_without_a_licence(client, referent_logged_in):
    data = {**VALID, "referent_id": referent_logged_in.id, "phone": "+33 6 12 34 56 78"}
    del data["has_licence_b"]
    client.post("/beneficiaires/nouveau", data=data)
    beneficiary = db.session.scalar(select(Beneficiary))
    assert beneficiary.licence_b_issued_on is None
    assert beneficiary.licence_b_expires_on is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Saisissez le prénom."),
        ("last_name", "  ", "Saisissez le nom."),
        ("first_name", "x" * 81, "ne doit pas dépasser 80 caractères"),
        ("birth_date", "", "Saisissez la date de naissance."),
        ("birth_date", "2030-01-01", "La date de naissance ne peut pas être dans le futur."),
        ("birth_date", "12/13/1990", "date"),
        ("birth_date", "2015-01-01", "au moins 16 ans"),
        ("email", "personne@", "Saisissez une adresse e-mail valide"),
        ("phone", "12345", "numéro de téléphone français à 10 chiffres"),
        ("phone", "06 12 34 56 78 90 12 34 56", "Le numéro est trop long."),
        ("commune_insee", "75056", "Choisissez une commune du Loiret dans la liste."),
        ("commune_insee", "", "Choisissez la commune de résidence."),
        ("licence_b_issued_on", "", "Saisissez la date de délivrance du permis B."),
        ("licence_b_expires_on", "2010-01-01", "La fin de validité doit être après la date de délivrance."),
    ],
)
def test_bad_input_gives_the_form_back_with_a_french_message_and_saves_nothing(
    client, referent_logged_in, field, value, message
):
    response = client.post(
        "/beneficiaires/nouveau", data={**VALID, "referent_id": referent_logged_in.id, field: value}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page or "error-message" in page
    assert _count() == 0


def test_a_referent_of_another_organisation_cannot_be_chosen(client, referent_logged_in):
    outsider = UserFactory()
    response = client.post("/beneficiaires/nouveau", data={**VALID, "referent_id": outsider.id})
    assert response.status_code == 422
    assert "Choisissez un référent de votre organisation dans la liste." in response.get_data(as_text=True)
    assert _count() == 0


def test_a_referent_of_another_organisation_gets_404_on_a_file(client, auth):
    beneficiary = BeneficiaryFactory()
    outsider = UserFactory()
    auth.login(outsider)
    for url in (
        f"/beneficiaires/{beneficiary.id}",
        f"/beneficiaires/{beneficiary.id}/modifier",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/beneficiaires/{beneficiary.id}/modifier", data=VALID).status_code == 404
    assert client.post(f"/beneficiaires/{beneficiary.id}/invitation").status_code == 404
    db.session.rollback()
    assert db.session.get(Beneficiary, beneficiary.id).first_name == "Prénom"


def test_a_colleague_of_the_same_organisation_sees_and_edits_the_file(client, auth):
    beneficiary = BeneficiaryFactory()
    colleague = UserFactory(organisation=beneficiary.organisation)
    auth.login(colleague)
    assert client.get(f"/beneficiaires/{beneficiary.id}").status_code == 200


@pytest.mark.parametrize("trait", [{"fleet": True}, {"admin": True}, {"beneficiary": True}])
def test_other_roles_get_404_on_files(client, auth, trait):
    beneficiary = BeneficiaryFactory()
    auth.login(UserFactory(**trait))
    assert client.get(f"/beneficiaires/{beneficiary.id}").status_code == 404
    assert client.get("/beneficiaires").status_code == 404


def test_the_list_shows_only_the_organisations_files_and_searches_by_name(client, auth):
    mine = BeneficiaryFactory(last_name="Fiche-Alpha")
    BeneficiaryFactory(referent=mine.referent, last_name="Fiche-Beta")
    BeneficiaryFactory(last_name="Ailleurs-Test")
    auth.login(mine.referent)
    page = client.get("/beneficiaires").get_data(as_text=True)
    assert "Fiche-Alpha" in page and "Fiche-Beta" in page
    assert "Ailleurs-Test" not in page
    page = client.get("/beneficiaires?q=alpha").get_data(as_text=True)
    assert "Fiche-Alpha" in page and "Fiche-Beta" not in page


def test_reading_and_changing_a_file_writes_audit_rows_naming_fields_not_values(client, auth):
    beneficiary = BeneficiaryFactory()
    referent_logged_in = beneficiary.referent
    auth.login(referent_logged_in)
    client.get(f"/beneficiaires/{beneficiary.id}")
    data = {**VALID, "referent_id": referent_logged_in.id, "first_name": "Nouveau"}
    assert client.post(f"/beneficiaires/{beneficiary.id}/modifier", data=data).status_code == 302
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_id, e.actor_id) for e in events] == [
        (AuditAction.READ, beneficiary.id, referent_logged_in.id),
        (AuditAction.UPDATE, beneficiary.id, referent_logged_in.id),
    ]
    assert "first_name" in events[1].fields
    assert "Nouveau" not in events[1].fields
    assert events[0].ip_address == "127.0.0.1"


def test_a_refused_change_writes_no_audit_row_and_changes_nothing(client, auth):
    beneficiary = BeneficiaryFactory()
    auth.login(beneficiary.referent)
    data = {**VALID, "referent_id": beneficiary.referent_id, "first_name": "", "last_name": "Changé"}
    assert client.post(f"/beneficiaires/{beneficiary.id}/modifier", data=data).status_code == 422
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE)
    ) == 0
    assert db.session.get(Beneficiary, beneficiary.id).last_name != "Changé"


def test_referent_invites_the_person_who_then_sees_their_own_data(client, auth, mailbox, app):
    beneficiary = BeneficiaryFactory(email="personne@example.org")
    auth.login(beneficiary.referent)
    response = client.post(f"/beneficiaires/{beneficiary.id}/invitation", follow_redirects=True)
    assert "Une invitation a été envoyée à personne@example.org." in response.get_data(as_text=True)
    auth.logout()
    link = urlsplit(first_link(mailbox.last_to("personne@example.org"))).path
    password = "ma phrase de passe secrète"
    client.post(link, data={"password": password, "confirm": password})
    auth.login("personne@example.org", password=password)
    page = client.get("/mes-donnees").get_data(as_text=True)
    assert beneficiary.display_name in page
    assert "Orléans" in page


def test_inviting_without_an_email_explains_what_to_do(client, auth, mailbox):
    beneficiary = BeneficiaryFactory(email=None)
    auth.login(beneficiary.referent)
    response = client.post(f"/beneficiaires/{beneficiary.id}/invitation", follow_redirects=True)
    assert "Ajoutez d'abord une adresse e-mail" in page_text(response)
    assert mailbox.messages() == []


def test_a_beneficiary_sees_only_their_own_file(client, auth):
    own = BeneficiaryFactory(last_name="Moi-Test")
    BeneficiaryFactory(last_name="Autre-Test", referent=own.referent)
    account = UserFactory(beneficiary=True, organisation=own.organisation)
    own.user = account
    db.session.commit()
    auth.login(account)
    page = client.get("/mes-donnees").get_data(as_text=True)
    assert "Moi-Test" in page and "Autre-Test" not in page
    assert client.get(f"/beneficiaires/{own.id}").status_code == 404


# The input boundary and the offered choices, checked again on submission ----------------------

@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "Pré\x00nom", "caractère invisible non autorisé"),
        ("last_name", "Fiche\x00", "caractère invisible non autorisé"),
        ("last_name", "Fiche\r\nExemple", "caractère invisible non autorisé"),
        ("commune_insee", "45208\x00", "caractère invisible non autorisé"),
        ("commune_insee", "75056", "Choisissez une commune du Loiret dans la liste."),
        ("referent_id", "9" * 30, "Choisissez un référent de votre organisation dans la liste."),
        ("referent_id", "un autre", "Choisissez un référent de votre organisation dans la liste."),
        ("birth_date", "9999-01-01", "La date de naissance ne peut pas être dans le futur."),
    ],
)
def test_input_outside_the_boundary_or_not_offered_gets_the_forms_message_and_saves_nothing(
    client, referent_logged_in, field, value, message
):
    response = client.post("/beneficiaires/nouveau", data={**VALID, "referent_id": referent_logged_in.id, field: value})
    assert response.status_code == 422
    assert message in page_text(response)
    assert _count() == 0


def test_a_referent_of_another_organisation_is_not_offered_and_is_refused(client, referent_logged_in):
    stranger = UserFactory()
    response = client.post("/beneficiaires/nouveau", data={**VALID, "referent_id": stranger.id})
    assert response.status_code == 422
    assert "Choisissez un référent de votre organisation dans la liste." in page_text(response)
    assert _count() == 0


def test_a_nul_in_an_edited_file_changes_nothing(client, referent_logged_in):
    beneficiary = BeneficiaryFactory(referent=referent_logged_in, last_name="Avant")
    response = client.post(
        f"/beneficiaires/{beneficiary.id}/modifier",
        data={**VALID, "referent_id": referent_logged_in.id, "last_name": "Apr\x00s"},
    )
    assert response.status_code == 422
    assert "caractère invisible non autorisé" in page_text(response)
    db.session.refresh(beneficiary)
    assert beneficiary.last_name == "Avant"


def test_a_search_with_a_control_character_gets_a_french_400_page(client, referent_logged_in):
    response = client.get("/beneficiaires?q=Fiche%00")
    assert response.status_code == 400
    page = page_text(response)
    assert "Le paramètre « q » contient un caractère invisible non autorisé" in page
    assert "Traceback" not in page


def test_a_page_number_too_large_for_the_database_shows_the_first_page(client, referent_logged_in):
    BeneficiaryFactory(referent=referent_logged_in, last_name="Visible")
    response = client.get("/beneficiaires?page=" + "9" * 30)
    assert response.status_code == 200
    assert "Visible" in page_text(response)
