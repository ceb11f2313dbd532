from tests.factories import TEST_PASSWORD, UserFactory


def test_an_account_is_throttled_after_five_failed_attempts(app, client, auth):
    user = UserFactory()
    for _ in range(5):
        assert auth.login(user, password="wrong password").status_code == 401
    response = auth.login(user, password="wrong password")
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.get_data(as_text=True)
    # Even the right password waits until the window has passed.
    assert auth.login(user).status_code == 429


def test_throttling_one_account_does_not_block_another(app, client, auth):
    victim = UserFactory()
    other = UserFactory()
    for _ in range(6):
        auth.login(victim, password="wrong password")
    assert auth.login(other).status_code == 302


def test_successful_logins_do_not_count_towards_the_limit(app, client, auth):
    user = UserFactory()
    for _ in range(8):
        assert auth.login(user).status_code == 302
        auth.logout()


def test_the_account_lock_lifts_when_the_window_has_passed(app, client, auth, time_machine):
    user = UserFactory()
    time_machine.move_to("2026-11-23 10:00:00+00:00", tick=False)
    for _ in range(6):
        auth.login(user, password="wrong password")
    assert auth.login(user).status_code == 429
    time_machine.move_to("2026-11-23 10:16:00+00:00", tick=False)
    assert auth.login(user).status_code == 302


def test_one_address_is_throttled_across_accounts(app, client, auth):
    app.config["LOGIN_LIMIT_PER_IP"] = "10 per 15 minutes"
    for n in range(10):
        auth.login(f"someone{n}@example.org", password=TEST_PASSWORD)
    response = auth.login("someone-else@example.org", password=TEST_PASSWORD)
    assert response.status_code == 429


def test_throttling_is_shared_between_workers_through_redis(make_app):
    """With RATELIMIT_STORAGE_URI on Redis, two processes (two apps here) count together."""
    import socket
    import uuid

    import pytest

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    config = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15", "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4()}"}
    workers = [make_app(**config), make_app(**config)]
    with workers[0].app_context():
        user = UserFactory()
        email = user.email
    attempts = [workers[n % 2].test_client().post("/connexion", data={"email": email, "password": "wrong"})
                for n in range(6)]
    assert [response.status_code for response in attempts] == [401] * 5 + [429]
