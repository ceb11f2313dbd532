"""Requests never send: what they committed leaves once the response has gone."""

from __future__ import annotations

import pytest
from flask import has_request_context
from sqlalchemy import event

from mobility.extensions import db
from mobility.notify import backends
from tests.factories import UserFactory


@pytest.fixture
def sends(monkeypatch):
    """Each send, with whether it happened while a request was still being answered."""
    seen: list[bool] = []
    real_send = backends.FileEmailBackend.send

    def spying_send(self, message):
        seen.append(has_request_context())
        return real_send(self, message)

    monkeypatch.setattr(backends.FileEmailBackend, "send", spying_send)
    return seen


@pytest.mark.parametrize("known", [True, False], ids=["known address", "unknown address"])
def test_forgot_password_sends_nothing_inside_the_request(app, mailbox, sends, known):
    user = UserFactory()
    email = user.email if known else "nobody@example.org"
    client = app.test_client()
    # Unbuffered, the response is not yet closed: this is the moment the person gets the answer.
    response = client.post("/mot-de-passe-oublie", data={"email": email}, buffered=False)
    assert response.status_code == 302
    assert sends == [] and mailbox.messages() == []
    response.close()  # the server has sent the response and closes it
    assert sends == ([False] if known else [])
    assert len(mailbox.messages()) == (1 if known else 0)


def test_a_failing_mail_server_after_the_response_does_not_change_the_answer(app, mailbox):
    user = UserFactory()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    response = app.test_client().post("/mot-de-passe-oublie", data={"email": user.email})
    assert response.status_code == 302
    assert mailbox.messages() == []  # left in the outbox for the scheduler's next minute



def _statements_during_the_request(app, email: str) -> list[str]:
    """The SQL statements a forgot-password POST runs before its response is closed."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    client = app.test_client()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post("/mot-de-passe-oublie", data={"email": email}, buffered=False)
        during = list(statements)
        response.close()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 302
    return during


def test_forgot_password_does_the_same_work_in_the_request_for_any_address(app):
    """Known or unknown, the request runs the same statements: no lookup, no outbox row."""
    user = UserFactory()
    known = _statements_during_the_request(app, user.email)
    unknown = _statements_during_the_request(app, "nobody@example.org")
    assert known == unknown
    assert not any(statement.lstrip().upper().startswith(("INSERT", "UPDATE")) for statement in known)
