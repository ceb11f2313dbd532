"""SMS and the choice of channel: numbers normalised, one SMS with its link, the provider adapter."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from mobility.extensions import db
from mobility.notify.contacts import Contact
from mobility.notify.models import Channel, ContactChoice, OutboxMessage, OutboxStatus
from mobility.notify.phones import InvalidPhone, is_mobile, normalise_phone
from mobility.notify.rendering import fit_sms
from mobility.notify.services import deliver_pending, queue_for, queue_sms
from tests.factories import UserFactory

LINK = "https://mobilite.example/locations/123"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("06 12 34 56 78", "+33612345678"), ("07.56.12.34.56", "+33756123456"), ("+33 6 12 34 56 78", "+33612345678"),
     ("0033612345678", "+33612345678"), ("02 38 25 45 45", "+33238254545")],
)
def test_french_numbers_are_stored_in_e164(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12", "06 12 34", "not a number", "", "+33 1 23"])
def test_impossible_numbers_are_refused(typed):
    with pytest.raises(InvalidPhone):
        normalise_phone(typed)


def test_only_mobiles_receive_sms():
    assert is_mobile("+33612345678") and is_mobile("+33756123456")
    assert not is_mobile("+33238254545")  # a landline in Orléans
    assert not is_mobile(None)


@pytest.mark.parametrize(
    ("contact", "channels"),
    [
        (Contact(email="a@example.org", phone="+33612345678"), [Channel.EMAIL, Channel.SMS]),
        (Contact(email="a@example.org"), [Channel.EMAIL]),
        (Contact(phone="+33612345678"), [Channel.SMS]),
        (Contact(email="a@example.org", phone="+33612345678", choice=ContactChoice.SMS), [Channel.SMS]),
        (Contact(email="a@example.org", phone="+33612345678", choice=ContactChoice.EMAIL), [Channel.EMAIL]),
        # SMS chosen but only a landline: the e-mail still goes, the person is not left out.
        (Contact(email="a@example.org", phone="+33238254545", choice=ContactChoice.SMS), [Channel.EMAIL]),
        (Contact(phone="+33238254545"), []),
    ],
)
def test_the_channels_follow_the_choice_and_the_details_that_exist(contact, channels):
    assert contact.channels() == channels


def test_a_long_text_is_cut_to_one_sms_and_keeps_its_link_whole():
    text = "Rappel : votre véhicule vous attend demain à 9 h au site de la gare de Montargis, " * 3
    sms = fit_sms(text, LINK, 160)
    assert len(sms) <= 160
    assert sms.endswith(" " + LINK)
    assert "…" in sms


def test_a_short_text_is_left_whole():
    assert fit_sms("Bonjour", LINK, 160) == f"Bonjour {LINK}"


def test_an_sms_is_written_as_a_file_by_default(app):
    queue_sms(recipient="+33612345678", template="password_reset", user=UserFactory(), link=LINK, minutes=60)
    db.session.commit()
    assert deliver_pending() == 1
    files = list(Path(app.config["SMS_FILE_DIR"]).glob("*.txt"))
    assert len(files) == 1
    number, text = files[0].read_text(encoding="utf-8").split("\n", 1)
    assert number == "+33612345678"
    assert LINK in text and len(text) <= 160
    assert "Mobilité Emploi Loiret" in text  # who sends it


def test_a_person_who_chose_both_gets_an_email_and_an_sms(app, mailbox):
    user = UserFactory()
    contact = Contact(email="both@example.org", phone="06 12 34 56 78", choice=ContactChoice.BOTH)
    contact = Contact.of(contact.email, contact.phone, None, contact.choice)
    queue_for(contact, template="password_reset", dedup_key="both:1", user=user, link=LINK, minutes=60)
    queue_for(contact, template="password_reset", dedup_key="both:1", user=user, link=LINK, minutes=60)
    db.session.commit()
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.channel, m.recipient) for m in rows] == [("email", "both@example.org"), ("sms", "+33612345678")]


class _Provider(BaseHTTPRequestHandler):
    received: list = []
    answer_status = 200

    def do_POST(self):  # noqa: N802 - the standard library's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((self.headers["Authorization"], body))
        self.send_response(type(self).answer_status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "prov-42", "status": "queued"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_provider(app):
    _Provider.received = []
    _Provider.answer_status = 200
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    app.config.update(
        SMS_HTTP_URL=f"http://127.0.0.1:{server.server_port}/v1/messages", SMS_HTTP_TOKEN="test-token",
        SMS_SENDER="MobiLoiret",
    )
    yield _Provider
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_the_http_provider_gets_the_number_text_and_token_and_its_id_is_kept(app, sms_provider):
    queue_sms(recipient="+33612345678", template="password_reset", user=UserFactory(), link=LINK, minutes=60)
    db.session.commit()
    assert deliver_pending() == 1
    (authorization, body), = sms_provider.received
    assert authorization == "Bearer test-token"
    assert body["to"] == "+33612345678" and body["sender"] == "MobiLoiret" and LINK in body["text"]
    message = db.session.scalar(select(OutboxMessage))
    assert message.status is OutboxStatus.SENT
    assert (message.provider_message_id, message.delivery_status) == ("prov-42", "queued")


def test_a_provider_error_is_retried_later(app, sms_provider):
    sms_provider.answer_status = 503
    queue_sms(recipient="+33612345678", template="password_reset", user=UserFactory(), link=LINK, minutes=60)
    db.session.commit()
    assert deliver_pending() == 0
    db.session.rollback()
    message = db.session.scalar(select(OutboxMessage))
    assert message.status is OutboxStatus.PENDING and message.attempts == 1
    assert "503" in message.last_error
