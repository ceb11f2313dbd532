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


# Sessions end when the person says so ------------------------------------------------------

SESSION_COOKIE = "mobilite_session"
REMEMBER_COOKIE = "remember_token"


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _client_with(app, **cookies):
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _answers_the_login_page(client):
    response = client.get("/accueil", follow_redirects=True)
    return response.request.path == "/connexion" and 'name="password"' in response.get_data(as_text=True)


def test_a_copied_session_cookie_is_worthless_after_logout(app, client, auth):
    user = UserFactory()
    auth.login(user)
    copy = _client_with(app, **{SESSION_COOKIE: _cookie(client, SESSION_COOKIE)})
    assert copy.get("/accueil").status_code == 200
    auth.logout()
    assert _answers_the_login_page(copy)


def test_a_copied_remember_me_cookie_is_refused_after_logout(app, client):
    user = UserFactory()
    client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    remember = _cookie(client, REMEMBER_COOKIE)
    # A browser holding only the remember-me cookie (the session cookie gone) is let in ...
    assert _client_with(app, **{REMEMBER_COOKIE: remember}).get("/accueil").status_code == 200
    client.post("/deconnexion")
    # ... until the person logs out: the token behind it is revoked on the server.
    assert _answers_the_login_page(_client_with(app, **{REMEMBER_COOKIE: remember}))


def test_logging_out_on_one_device_keeps_the_others(app):
    user = UserFactory()
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        device.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    phone.post("/deconnexion")
    assert laptop.get("/accueil").status_code == 200
    assert _answers_the_login_page(phone)


def test_a_remembered_login_lasts_thirty_days_at_most(app, client, time_machine):
    time_machine.move_to("2026-11-02 09:00:00+00:00", tick=False)
    user = UserFactory()
    response = client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    remember_header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER_COOKIE))
    assert "Expires=Wed, 02 Dec 2026 09:00:00 GMT" in remember_header
    remember = _cookie(client, REMEMBER_COOKIE)
    time_machine.move_to("2026-12-02 08:59:00+00:00", tick=False)
    assert _client_with(app, **{REMEMBER_COOKIE: remember}).get("/accueil").status_code == 200
    # The cookie kept beyond its expiry date (a copy) is refused by the server all the same.
    time_machine.move_to("2026-12-02 09:01:00+00:00", tick=False)
    assert _answers_the_login_page(_client_with(app, **{REMEMBER_COOKIE: remember}))


def test_the_remember_me_lifetime_follows_its_setting(make_app, time_machine):
    time_machine.move_to("2026-11-02 09:00:00+00:00", tick=False)
    app = make_app(REMEMBER_COOKIE_DAYS=7)
    with app.app_context():
        email = UserFactory().email
    client = app.test_client()
    client.post("/connexion", data={"email": email, "password": TEST_PASSWORD, "remember": "y"})
    remember = _cookie(client, REMEMBER_COOKIE)
    time_machine.move_to("2026-11-09 09:01:00+00:00", tick=False)
    assert _answers_the_login_page(_client_with(app, **{REMEMBER_COOKIE: remember}))


def test_a_remember_me_cookie_is_refused_after_logging_out_everywhere(app, client):
    user = UserFactory()
    client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    remember = _cookie(client, REMEMBER_COOKIE)
    other = app.test_client()
    other.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    other.post("/deconnexion-partout")
    assert _answers_the_login_page(_client_with(app, **{REMEMBER_COOKIE: remember}))


def test_the_cookies_hold_a_random_token_not_the_account_id(app, client):
    user = UserFactory()
    client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    remember = _cookie(client, REMEMBER_COOKIE)
    token = remember.split("|")[0]
    assert len(token) == 43 and token != str(user.id)
