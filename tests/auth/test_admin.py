import pytest
from sqlalchemy import func, select

from mobility.auth.models import Organisation, Role, User
from mobility.extensions import db
from mobility.territory.models import Commune, EmploymentBasin
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import page_text


def _basin(code: str) -> EmploymentBasin:
    return db.session.scalar(select(EmploymentBasin).where(EmploymentBasin.code == code))


def test_admin_creates_a_mission_locale_covering_two_basins(client, admin_logged_in):
    response = client.post(
        "/admin/organisations/nouvelle",
        data={"name": "Mission locale test", "kind": "prescriber", "is_mission_locale": "y",
              "basins": [_basin("montargis").id, _basin("gien").id]},
    )
    assert response.status_code == 302
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == "Mission locale test"))
    assert organisation.is_mission_locale
    assert [b.name for b in organisation.basins] == ["Gien", "Montargis"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "prescriber"}, "Saisissez le nom de l'organisation."),
        ({"name": "x" * 161, "kind": "prescriber"}, "ne doit pas dépasser 160 caractères"),
        ({"name": "Asso", "kind": "association", "is_mission_locale": "y"}, "Une Mission locale est un organisme prescripteur."),
        ({"name": "Asso", "kind": "banque"}, "Choisissez un type d'organisation dans la liste."),
        ({"name": "Asso", "kind": "association", "basins": ["999"]}, "Choisissez les bassins d'emploi dans la liste."),
        ({"name": "Asso", "kind": "association", "basins": ["9" * 30]}, "Choisissez les bassins d'emploi dans la liste."),
        ({"name": "Asso", "kind": "association", "basins": ["deux"]}, "Choisissez les bassins d'emploi dans la liste."),
        ({"name": "Asso\x00ciation", "kind": "association"}, "caractère invisible non autorisé"),
        ({"name": "Asso", "kind": "associ\x00ation"}, "Choisissez un type d'organisation dans la liste."),
    ],
)
def test_bad_organisation_input_is_explained_and_saves_nothing(client, admin_logged_in, data, message):
    before = db.session.scalar(select(func.count()).select_from(Organisation))
    response = client.post("/admin/organisations/nouvelle", data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == before


def test_two_organisations_cannot_share_a_name(client, admin_logged_in):
    OrganisationFactory(name="France Travail Gien")
    response = client.post("/admin/organisations/nouvelle", data={"name": "France Travail Gien", "kind": "prescriber"})
    assert response.status_code == 422
    assert "Une organisation porte déjà ce nom." in page_text(response)


def test_a_fleet_account_must_belong_to_an_association(client, admin_logged_in):
    prescriber = OrganisationFactory()
    response = client.post(
        "/admin/utilisateurs/nouveau",
        data={"email": "x@example.org", "full_name": "X", "role": "fleet", "organisation_id": prescriber.id},
    )
    assert response.status_code == 422
    assert "Ce rôle n'est pas possible dans une organisation de ce type." in page_text(response)
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_an_email_already_used_is_refused(client, admin_logged_in):
    UserFactory(email="pris@example.org")
    response = client.post(
        "/admin/utilisateurs/nouveau",
        data={"email": "PRIS@example.org", "full_name": "X", "role": "referent",
              "organisation_id": OrganisationFactory().id},
    )
    assert response.status_code == 422
    assert "Un compte existe déjà avec cette adresse e-mail." in page_text(response)


def test_deactivating_a_staff_account_logs_it_out(app, client, admin_logged_in):
    staff = UserFactory()
    other_device = app.test_client()
    other_device.post("/connexion", data={"email": staff.email, "password": "correct horse battery staple"})
    assert other_device.get("/accueil").status_code == 200
    response = client.post(
        f"/admin/utilisateurs/{staff.id}",
        data={"email": staff.email, "full_name": staff.full_name, "role": "referent",
              "organisation_id": staff.organisation_id},
    )
    assert response.status_code == 302
    assert other_device.get("/accueil").status_code == 302


def test_an_admin_cannot_remove_their_own_admin_rights(client, admin_logged_in):
    response = client.post(
        f"/admin/utilisateurs/{admin_logged_in.id}",
        data={"email": admin_logged_in.email, "full_name": admin_logged_in.full_name, "role": "referent",
              "organisation_id": admin_logged_in.organisation_id, "active": "y"},
    )
    assert response.status_code == 422
    db.session.refresh(admin_logged_in)
    assert admin_logged_in.role is Role.ADMIN


def test_beneficiary_accounts_are_not_managed_by_admins(client, admin_logged_in):
    person = UserFactory(beneficiary=True)
    assert client.get(f"/admin/utilisateurs/{person.id}").status_code == 404
    assert person.email not in client.get("/admin/utilisateurs").get_data(as_text=True)


def test_admin_moves_a_commune_to_another_basin(client, admin_logged_in):
    response = client.post("/admin/communes/45155", data={"basin_id": _basin("montargis").id})
    assert response.status_code == 302
    assert db.session.get(Commune, "45155").basin.code == "montargis"


def test_an_unknown_basin_or_commune_is_refused(client, admin_logged_in):
    assert client.post("/admin/communes/45155", data={"basin_id": 999}).status_code == 422
    assert db.session.get(Commune, "45155").basin.code == "gien"
    assert client.get("/admin/communes/99999").status_code == 404


def test_the_commune_list_filters_by_basin_and_name(client, admin_logged_in):
    page = client.get("/admin/communes/?bassin=gien").get_data(as_text=True)
    assert "31 communes" in page
    page = client.get("/admin/communes/?q=Pithiviers").get_data(as_text=True)
    assert "Pithiviers-le-Vieil" in page


@pytest.mark.parametrize("trait", [{}, {"fleet": True}, {"beneficiary": True}])
def test_admin_pages_answer_404_to_other_roles(client, auth, trait):
    auth.login(UserFactory(**trait))
    for url in ("/admin/organisations", "/admin/utilisateurs", "/admin/communes/", "/admin/utilisateurs/nouveau"):
        assert client.get(url).status_code == 404, url


# Every choice offered is checked again on submission -----------------------------------------

def _user_data(organisation, **overrides):
    data = {"email": "nouvelle@example.org", "full_name": "Compte Nouveau", "role": "referent",
            "organisation_id": str(organisation.id), "active": "y"}
    data.update(overrides)
    return data


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"organisation_id": "9" * 30}, "Choisissez une organisation dans la liste."),
        ({"organisation_id": "2147483648"}, "Choisissez une organisation dans la liste."),
        ({"organisation_id": "une"}, "Choisissez une organisation dans la liste."),
        ({"organisation_id": "424242"}, "Choisissez une organisation dans la liste."),
        ({"role": "beneficiary"}, "Choisissez un rôle dans la liste."),
        ({"role": "superadmin"}, "Choisissez un rôle dans la liste."),
        ({"full_name": "Compte\x00Nouveau"}, "caractère invisible non autorisé"),
        ({"email": "nouvelle\x00@example.org"}, "caractère invisible non autorisé"),
    ],
)
def test_a_staff_account_with_a_value_the_page_did_not_offer_is_refused(client, admin_logged_in, overrides, field_message):
    organisation = OrganisationFactory()
    before = _users()
    response = client.post("/admin/utilisateurs/nouveau", data=_user_data(organisation, **overrides))
    assert response.status_code == 422
    assert field_message in page_text(response)
    assert _users() == before


def test_editing_an_account_refuses_an_organisation_id_too_large(client, admin_logged_in):
    user = UserFactory()
    response = client.post(f"/admin/utilisateurs/{user.id}", data=_user_data(user.organisation, organisation_id="9" * 25))
    assert response.status_code == 422
    assert "Choisissez une organisation dans la liste." in page_text(response)


def test_a_commune_cannot_be_moved_to_a_basin_the_page_did_not_offer(client, admin_logged_in):
    for value in ("9" * 30, "bassin", "424242"):
        response = client.post("/admin/communes/45208", data={"basin_id": value})
        assert response.status_code == 422
        assert "Choisissez un bassin d'emploi dans la liste." in page_text(response)
    assert db.session.get(Commune, "45208").basin.code == "montargis"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/utilisateurs?organisation=" + "9" * 30,
        "/admin/utilisateurs?page=" + "9" * 30,
        "/admin/communes/?page=" + "9" * 30,
        "/admin/communes/?bassin=",
    ],
)
def test_admin_lists_take_out_of_range_numbers_as_absent(client, admin_logged_in, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/admin/communes/?bassin=%00", "/admin/communes/?q=Orl%00", "/admin/communes/%00"])
def test_admin_lists_refuse_control_characters_with_a_french_page(client, admin_logged_in, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "caractère invisible non autorisé" in page_text(response)
