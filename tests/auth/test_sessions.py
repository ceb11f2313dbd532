from mobility.extensions import db
from tests.factories import TEST_PASSWORD, UserFactory

NEW_PASSWORD = "une phrase de passe toute neuve"


def test_logging_out_everywhere_ends_every_other_session(app, auth):
    user = UserFactory()
    phone = app.test_client()
    laptop = app.test_client()
    for device in (phone, laptop):
        device.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
        assert device.get("/accueil").status_code == 200
    phone.post("/deconnexion-partout")
    assert laptop.get("/accueil").status_code == 302
    assert phone.get("/accueil").status_code == 302


def test_changing_the_password_logs_out_other_devices_but_keeps_this_one(app):
    user = UserFactory()
    phone = app.test_client()
    laptop = app.test_client()
    for device in (phone, laptop):
        device.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    response = phone.post(
        "/compte",
        data={"pw-current_password": TEST_PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert phone.get("/accueil").status_code == 200
    assert laptop.get("/accueil").status_code == 302


def test_changing_the_password_needs_the_current_one(client, auth):
    user = UserFactory()
    auth.login(user)
    response = client.post(
        "/compte",
        data={"pw-current_password": "wrong", "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert "Le mot de passe actuel est incorrect." in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(user).status_code == 302


def test_deactivating_an_account_ends_its_sessions(app, client, auth):
    user = UserFactory()
    auth.login(user)
    user.active = False
    db.session.commit()
    assert client.get("/accueil").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client):
    user = UserFactory()
    response = client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
