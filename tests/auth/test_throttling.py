import re
import socket
import uuid

import pytest

from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import first_link

ATTACKER = "203.0.113.9"
HOME = "198.51.100.7"


def _attempt(app, email, password="wrong password", address=HOME, client=None):
    client = client or app.test_client()
    return client.post(
        "/connexion", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def _fail_from(app, email, addresses, times=5):
    for address in addresses:
        for _ in range(times):
            assert _attempt(app, email, address=address).status_code == 401


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


def test_failures_from_another_address_do_not_lock_the_person_out(app):
    user = UserFactory()
    _fail_from(app, user.email, [ATTACKER])
    assert _attempt(app, user.email, address=ATTACKER).status_code == 429
    assert _attempt(app, user.email, password=TEST_PASSWORD, address=HOME).status_code == 302


def test_failures_spread_over_many_addresses_never_hold_a_device_that_logged_in_before(app):
    user = UserFactory()
    browser = app.test_client()
    assert _attempt(app, user.email, password=TEST_PASSWORD, client=browser).status_code == 302
    browser.post("/deconnexion")
    _fail_from(app, user.email, ["203.0.113.1", "203.0.113.2"])
    # A device that never logged in to the account waits (the guesses came from everywhere) ...
    assert _attempt(app, user.email, password=TEST_PASSWORD, address=HOME).status_code == 429
    # ... the person's own browser does not, from any address.
    assert _attempt(app, user.email, password=TEST_PASSWORD, address="192.0.2.50", client=browser).status_code == 302


def test_a_known_device_that_fails_is_throttled_on_its_own(app):
    user = UserFactory()
    browser = app.test_client()
    _attempt(app, user.email, password=TEST_PASSWORD, client=browser)
    browser.post("/deconnexion")
    for _ in range(5):
        assert _attempt(app, user.email, client=browser).status_code == 401
    assert _attempt(app, user.email, client=browser).status_code == 429


def test_the_account_wide_limit_waits_longer_at_each_step(app, time_machine):
    user = UserFactory()
    time_machine.move_to("2026-11-23 10:00:00+00:00", tick=False)
    _fail_from(app, user.email, ["203.0.113.1", "203.0.113.2"])
    assert _attempt(app, user.email, password=TEST_PASSWORD, address=HOME).status_code == 429
    # First step: 10 failures in 15 minutes.
    time_machine.move_to("2026-11-23 10:16:00+00:00", tick=False)
    _fail_from(app, user.email, ["203.0.113.3", "203.0.113.4"])
    # Second step: 20 failures in an hour, so 15 minutes are no longer enough.
    time_machine.move_to("2026-11-23 10:32:00+00:00", tick=False)
    assert _attempt(app, user.email, password=TEST_PASSWORD, address=HOME).status_code == 429
    time_machine.move_to("2026-11-23 11:01:00+00:00", tick=False)
    assert _attempt(app, user.email, password=TEST_PASSWORD, address=HOME).status_code == 302


def test_a_successful_password_reset_lifts_the_locks_of_the_account(app, mailbox):
    user = UserFactory()
    _fail_from(app, user.email, [HOME, "203.0.113.1"])
    assert _attempt(app, user.email, password=TEST_PASSWORD, address=HOME).status_code == 429
    client = app.test_client()
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    link = first_link(mailbox.last_to(user.email))
    path = re.sub(r"^https?://[^/]+", "", link)
    new_password = "une toute nouvelle phrase"
    assert client.post(path, data={"password": new_password, "confirm": new_password}).status_code == 302
    assert _attempt(app, user.email, password=new_password, address=HOME).status_code == 302


def test_the_limiter_keys_never_hold_the_email_address(app, caplog):
    user = UserFactory()
    with caplog.at_level("INFO"):
        _fail_from(app, user.email, [HOME])
        assert _attempt(app, user.email).status_code == 429
    assert caplog.records, "the limiter logs the refused attempt"
    assert user.email not in caplog.text


def test_throttling_is_shared_between_workers_through_redis(make_app):
    """With RATELIMIT_STORAGE_URI on Redis, two processes (two apps here) count together."""
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
    # The account-wide count too (10 in 15 minutes, the refused attempt included), from another
    # address, on both workers.
    spread = [workers[n % 2].test_client().post("/connexion", data={"email": email, "password": "wrong"},
                                                environ_base={"REMOTE_ADDR": ATTACKER})
              for n in range(4)]
    assert [response.status_code for response in spread] == [401] * 4
    late = workers[0].test_client().post("/connexion", data={"email": email, "password": TEST_PASSWORD},
                                         environ_base={"REMOTE_ADDR": HOME})
    assert late.status_code == 429
