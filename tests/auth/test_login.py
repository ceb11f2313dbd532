from datetime import datetime, timezone

import pytest

from mobility.auth.models import Role
from mobility.extensions import db
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.mark.parametrize(
    ("trait", "heading"),
    [
        ({"admin": True}, "Administration du dispositif"),
        ({"role": Role.REFERENT}, "Espace référent"),
        ({"fleet": True}, "Espace gestion de flotte"),
        ({"beneficiary": True}, "Bonjour"),
    ],
)
def test_each_role_lands_on_its_home_page_after_login(client, auth, trait, heading):
    user = UserFactory(**trait)
    response = auth.login(user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accueil"
    page = client.get("/accueil")
    assert heading in page.get_data(as_text=True)


def test_login_records_the_time_of_last_login(client, auth, app, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc), tick=False)
    user = UserFactory()
    auth.login(user)
    db.session.refresh(user)
    assert user.last_login_at == datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)


def test_login_is_case_insensitive_on_the_email(client, auth):
    UserFactory(email="personne.a@example.org")
    assert auth.login("  Personne.A@Example.ORG ").status_code == 302


def test_wrong_password_is_refused_with_a_message_that_does_not_say_which_part_was_wrong(client, auth):
    user = UserFactory()
    response = auth.login(user, password="not the password")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/accueil").status_code == 302  # still logged out


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, auth):
    response = auth.login("nobody@example.org")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_deactivated_account_cannot_log_in(client, auth):
    user = UserFactory(active=False)
    assert auth.login(user).status_code == 401


def test_invited_account_without_password_cannot_log_in(client, auth):
    user = UserFactory(invited=True)
    assert auth.login(user, password="").status_code == 422
    assert auth.login(user, password="anything at all").status_code == 401


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "password": ""}, "Saisissez votre adresse e-mail."),
        ({"email": "pas-une-adresse", "password": "x"}, "Saisissez une adresse e-mail valide"),
        ({"email": "a@example.org", "password": ""}, "Saisissez votre mot de passe."),
        ({"email": "a" * 250 + "@example.org", "password": "x"}, "ne doit pas dépasser 254 caractères"),
    ],
)
def test_malformed_login_form_is_answered_in_french_next_to_the_field(client, data, message):
    response = client.post("/connexion", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page


def test_logout_ends_the_session(client, auth):
    user = UserFactory()
    auth.login(user)
    assert client.get("/accueil").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/accueil").status_code == 302


def test_login_redirects_to_the_page_asked_for_but_never_to_another_site(client, auth):
    user = UserFactory()
    response = client.post(
        "/connexion?next=/compte", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/compte"
    auth.logout()
    response = client.post(
        "/connexion?next=https://evil.example/", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/accueil"
    auth.logout()
    response = client.post(
        "/connexion?next=//evil.example/", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/accueil"


def test_login_starts_a_new_session(client, auth):
    user = UserFactory()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login(user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_password_is_stored_as_an_argon2id_hash(app):
    user = UserFactory()
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash
