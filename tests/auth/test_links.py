"""Password reset and invitation links sent by e-mail."""

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory
from tests.helpers import body_of, first_link

NEW_PASSWORD = "une phrase de passe toute neuve"


def _path(link: str) -> str:
    return urlsplit(link).path


def test_forgotten_password_sends_a_link_that_sets_a_new_password(client, auth, mailbox):
    user = UserFactory(email="personne.a@example.org")
    response = client.post("/mot-de-passe-oublie", data={"email": "personne.a@example.org"})
    assert response.status_code == 302
    message = mailbox.last_to("personne.a@example.org")
    assert "nouveau mot de passe" in message["Subject"]
    link = _path(first_link(message))

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert auth.login(user, password=NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_only_once(client, mailbox):
    UserFactory(email="personne.a@example.org")
    client.post("/mot-de-passe-oublie", data={"email": "personne.a@example.org"})
    link = _path(first_link(mailbox.last_to("personne.a@example.org")))
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = client.get(link)
    assert response.status_code == 404
    assert "Lien non valable" in response.get_data(as_text=True)


def test_an_expired_reset_link_is_refused_with_a_way_to_ask_again(client, mailbox, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc), tick=False)
    UserFactory(email="personne.a@example.org")
    client.post("/mot-de-passe-oublie", data={"email": "personne.a@example.org"})
    link = _path(first_link(mailbox.last_to("personne.a@example.org")))
    time_machine.move_to(datetime(2026, 11, 23, 11, 1, tzinfo=timezone.utc), tick=False)
    response = client.get(link)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "Ce lien a expiré" in page
    assert "/mot-de-passe-oublie" in page


def test_a_tampered_link_is_refused(client, mailbox):
    UserFactory(email="personne.a@example.org")
    client.post("/mot-de-passe-oublie", data={"email": "personne.a@example.org"})
    link = _path(first_link(mailbox.last_to("personne.a@example.org")))
    assert client.get(link[:-3] + "abc").status_code == 404


def test_asking_for_an_unknown_address_says_the_same_and_sends_nothing(client, mailbox):
    response = client.post("/mot-de-passe-oublie", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "Si un compte existe pour cette adresse" in response.get_data(as_text=True)
    assert mailbox.messages() == []


def test_new_password_must_be_long_enough_and_confirmed(client, mailbox):
    UserFactory(email="personne.a@example.org")
    client.post("/mot-de-passe-oublie", data={"email": "personne.a@example.org"})
    link = _path(first_link(mailbox.last_to("personne.a@example.org")))
    short = client.post(link, data={"password": "court", "confirm": "court"})
    assert short.status_code == 422
    assert "au moins 12 caractères" in short.get_data(as_text=True)
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})
    assert mismatch.status_code == 422
    assert "ne sont pas identiques" in mismatch.get_data(as_text=True)


def test_admin_invites_a_referent_who_sets_a_first_password(client, auth, mailbox):
    admin = UserFactory(admin=True)
    mission_locale = OrganisationFactory(name="Mission locale de test", mission_locale=True)
    auth.login(admin)
    response = client.post(
        "/admin/utilisateurs/nouveau",
        data={
            "email": "Nouvelle.Referente@Example.org",
            "full_name": "Nouvelle Référente",
            "role": "referent",
            "organisation_id": mission_locale.id,
            "active": "y",
        },
    )
    assert response.status_code == 302
    auth.logout()
    message = mailbox.last_to("nouvelle.referente@example.org")
    assert "Votre accès" in message["Subject"]
    assert "valable 7 jours" in body_of(message)
    link = _path(first_link(message))
    page = client.get(link)
    assert "Bienvenue" in page.get_data(as_text=True)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert auth.login("nouvelle.referente@example.org", password=NEW_PASSWORD).status_code == 302
    assert "Espace référent" in client.get("/accueil").get_data(as_text=True)


def test_an_invitation_expires_after_seven_days(client, mailbox, time_machine, app):
    from mobility.auth.services import send_invitation
    from mobility.extensions import db

    time_machine.move_to(datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc), tick=False)
    user = UserFactory(invited=True, email="new@example.org")
    send_invitation(user, invited_by=None)
    db.session.commit()
    from mobility.notify.services import deliver_pending

    deliver_pending()
    link = _path(first_link(mailbox.last_to("new@example.org")))
    time_machine.move_to(datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc) + timedelta(days=7, minutes=1))
    assert client.get(link).status_code == 410


def test_the_email_is_written_in_the_recipients_language(client, mailbox):
    UserFactory(email="personne.en@example.org", locale="en")
    client.post("/mot-de-passe-oublie", data={"email": "personne.en@example.org"})
    message = mailbox.last_to("personne.en@example.org")
    assert message["Subject"] == "Your new password — Mobilité Emploi Loiret"


def test_a_forged_host_header_never_reaches_the_reset_link(client, mailbox):
    UserFactory(email="personne.a@example.org")
    client.post(
        "/mot-de-passe-oublie", data={"email": "personne.a@example.org"}, headers={"Host": "evil.example"}
    )
    link = first_link(mailbox.last_to("personne.a@example.org"))
    assert urlsplit(link).netloc == "127.0.0.1:5000"
    assert "evil.example" not in body_of(mailbox.last_to("personne.a@example.org"))


def test_a_forged_forwarded_host_behind_the_proxy_never_reaches_the_link(make_app, mailbox):
    app = make_app(TRUSTED_PROXY_COUNT=1, PUBLIC_BASE_URL="https://mobilite.example")
    UserFactory(email="personne.a@example.org")
    app.test_client().post(
        "/mot-de-passe-oublie",
        data={"email": "personne.a@example.org"},
        headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    )
    link = first_link(mailbox.last_to("personne.a@example.org"))
    assert urlsplit(link).netloc == "mobilite.example"
    assert link.startswith("https://mobilite.example/")


def test_an_invitation_sent_from_a_forged_host_links_to_the_public_address(client, mailbox):
    admin = UserFactory(admin=True)
    forged = {"Host": "evil.example"}
    client.post("/connexion", data={"email": admin.email, "password": TEST_PASSWORD}, headers=forged)
    client.post(
        "/admin/utilisateurs/nouveau",
        data={
            "email": "invitee@example.org",
            "full_name": "Personne Invitée",
            "role": "admin",
            "organisation_id": admin.organisation_id,
            "active": "y",
        },
        headers=forged,
    )
    link = first_link(mailbox.last_to("invitee@example.org"))
    assert urlsplit(link).netloc == "127.0.0.1:5000"
