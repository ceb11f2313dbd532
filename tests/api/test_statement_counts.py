"""An API list reads what it answers once: the token's user and each person's basin are not
read again after the request's commit (the access-log rows, the token's last use)."""

from __future__ import annotations

from sqlalchemy import event

from mobility.extensions import db
from tests.api.factories import api_token, bearer
from tests.booking.factories import eligible_beneficiary
from tests.factories import UserFactory


def _statements(app, client, url, headers) -> list[str]:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return seen


def test_people_of_three_basins_cost_the_same_statements_as_people_of_one(app, client):
    referent = UserFactory()
    _, secret = api_token(referent)
    headers = bearer(secret)
    client.get("/api/v1/vehicles", headers=headers)  # the token's first use is written down
    for _ in range(3):
        eligible_beneficiary(referent=referent, commune_insee="45234")  # Orléans
    one_basin = _statements(app, client, "/api/v1/beneficiaries", headers)
    eligible_beneficiary(referent=referent, commune_insee="45208")  # Montargis
    eligible_beneficiary(referent=referent, commune_insee="45155")  # Gien
    three_basins = _statements(app, client, "/api/v1/beneficiaries", headers)
    answer = client.get("/api/v1/beneficiaries", headers=headers).get_json()
    assert {person["basin"] for person in answer["beneficiaries"]} == {"orleans", "montargis", "gien"}
    listed = "\n".join(statement.split("\n")[0][:120] for statement in three_basins)
    assert len(three_basins) == len(one_basin), listed


def test_the_token_user_is_read_once_per_request(app, client):
    referent = UserFactory()
    _, secret = api_token(referent)
    headers = bearer(secret)
    client.get("/api/v1/vehicles", headers=headers)  # the token's first use is written down
    statements = _statements(app, client, "/api/v1/vehicles", headers)
    reads_of_accounts = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM user_account" in s]
    assert reads_of_accounts == [], "\n".join(reads_of_accounts)
