import hashlib

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from mobility.api import services as tokens
from mobility.api.models import ApiToken
from mobility.auth.models import Role
from mobility.extensions import db
from tests.api.factories import api_token, bearer
from tests.factories import UserFactory


def test_a_token_is_stored_as_its_sha256_only(app):
    token, secret = api_token()
    row = db.session.scalar(select(ApiToken).where(ApiToken.id == token.id))
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:8]
    stored = " ".join(str(value) for value in db.session.execute(select(ApiToken.__table__)).one())
    assert secret not in stored


def test_two_tokens_never_share_a_secret(app):
    user = UserFactory(admin=True)
    _, first = api_token(user, "un")
    _, second = api_token(user, "deux")
    assert first != second and len(first) >= 40


def test_a_beneficiary_account_cannot_get_a_token(app):
    with force_locale("fr"), pytest.raises(tokens.ApiTokenError, match="professionnels"):
        tokens.issue_token(UserFactory(beneficiary=True), "Mon jeton")


def test_a_deactivated_account_cannot_get_a_token(app):
    with force_locale("fr"), pytest.raises(tokens.ApiTokenError, match="désactivé"):
        tokens.issue_token(UserFactory(active=False), "Mon jeton")


def test_a_token_without_a_name_is_refused(app):
    with force_locale("fr"), pytest.raises(tokens.ApiTokenError, match="nom"):
        tokens.issue_token(UserFactory(admin=True), "   ")


def test_a_valid_token_records_when_it_was_last_used(client, time_machine):
    time_machine.move_to("2026-11-23 10:00:00+00:00", tick=False)
    token, secret = api_token()
    assert client.get("/api/v1/vehicles", headers=bearer(secret)).status_code == 200
    db.session.refresh(token)
    assert token.last_used_at.isoformat() == "2026-11-23T10:00:00+00:00"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer pas-un-vrai-jeton"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "x" * 5000},
    ],
    ids=["missing", "empty", "unknown", "other-scheme", "oversized"],
)
def test_requests_without_a_valid_token_get_a_json_401(client, headers):
    response = client.get("/api/v1/vehicles", headers=headers)
    assert response.status_code == 401
    assert response.is_json
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]["status"] == 401
    assert "jeton" in response.json["error"]["message"].lower()


def test_a_revoked_token_stops_working_at_once(client):
    token, secret = api_token()
    assert client.get("/api/v1/vehicles", headers=bearer(secret)).status_code == 200
    token.revoke()
    db.session.commit()
    response = client.get("/api/v1/vehicles", headers=bearer(secret))
    assert response.status_code == 401
    assert response.is_json


def test_a_token_stops_working_when_its_account_is_deactivated(client):
    token, secret = api_token()
    token.user.active = False
    db.session.commit()
    assert client.get("/api/v1/vehicles", headers=bearer(secret)).status_code == 401


def test_a_token_acts_with_its_accounts_role_so_a_beneficiary_account_gets_403(client):
    # A token made while the account was staff, whose account is now a beneficiary's.
    token, secret = api_token(UserFactory())
    token.user.role = Role.BENEFICIARY
    db.session.commit()
    response = client.get("/api/v1/vehicles", headers=bearer(secret))
    assert response.status_code == 403
    assert response.json["error"]["message"] == "L'API est réservée aux professionnels."


def test_a_session_cookie_does_not_open_the_api(client, auth):
    admin = UserFactory(admin=True)
    auth.login(admin)
    response = client.get("/api/v1/vehicles")
    assert response.status_code == 401


def test_the_cli_prints_a_token_once_and_stores_its_hash(app, runner):
    user = UserFactory(admin=True, email="plan@example.org")
    result = runner.invoke(args=["create-api-token", "PLAN@example.org", "--name", "Tableau de bord"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    token = db.session.scalar(select(ApiToken))
    assert token.user_id == user.id
    assert token.name == "Tableau de bord"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert tokens.authenticate(secret) == user


def test_the_cli_refuses_an_unknown_email_without_a_stack_trace(app, runner):
    result = runner.invoke(args=["create-api-token", "personne@example.org"])
    assert result.exit_code != 0
    assert "No account" in result.output
    assert "Traceback" not in result.output


def test_the_cli_refuses_a_beneficiary_account(app, runner):
    UserFactory(beneficiary=True, email="benef@example.org")
    result = runner.invoke(args=["create-api-token", "benef@example.org"])
    assert result.exit_code != 0
    assert "réservée aux professionnels" in result.output
    assert db.session.scalar(select(ApiToken)) is None
