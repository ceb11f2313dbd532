"""Where messages go.

E-mail: readable .eml files under instance/mail/ by default, SMTP when MAIL_SERVER is set.
SMS: text files under instance/sms/ by default, an HTTP provider when SMS_HTTP_URL is set.
Every backend's send() returns a SendResult or raises; the outbox decides what a failure means.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from flask import current_app

from mobility.notify.models import Channel, OutboxMessage


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str | None = None
    delivery_status: str | None = None


class Backend(Protocol):
    def send(self, message: OutboxMessage) -> SendResult: ...


class DeliveryError(RuntimeError):
    """The provider refused or could not take the message; the outbox retries later."""


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(domain="mobilite-emploi-loiret")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _file_name(message: OutboxMessage, suffix: str) -> str:
    stamp = message.created_at.strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{message.id:06d}-{message.template}.{suffix}"


class FileEmailBackend:
    """Writes each message as an .eml file that any text editor or mail client opens."""

    def __init__(self, directory: str, sender: str):
        self.directory = Path(directory)
        self.sender = sender

    def send(self, message: OutboxMessage) -> SendResult:
        self.directory.mkdir(parents=True, exist_ok=True)
        email = build_email(message, self.sender)
        (self.directory / _file_name(message, "eml")).write_bytes(bytes(email))
        return SendResult(provider_message_id=email["Message-ID"])


# The name older code and tests know it by.
FileBackend = FileEmailBackend


class SMTPBackend:
    def __init__(self, config, sender: str):
        self.config = config
        self.sender = sender

    def send(self, message: OutboxMessage) -> SendResult:
        cfg = self.config
        smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        email = build_email(message, self.sender)
        with smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(email)
        return SendResult(provider_message_id=email["Message-ID"])


class FileSMSBackend:
    """One .txt file per SMS: the number on the first line, then the text as the phone shows it."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, message: OutboxMessage) -> SendResult:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / _file_name(message, "txt")
        path.write_text(f"{message.recipient}\n{message.body_text}", encoding="utf-8")
        return SendResult(provider_message_id=path.name)


class HTTPSMSBackend:
    """A generic SMS provider adapter: one JSON POST per message, bearer token.

    Request body: {"to": E.164, "text": ..., "sender": SMS_SENDER}. The provider answers 2xx
    with a JSON object; SMS_HTTP_ID_FIELD and SMS_HTTP_STATUS_FIELD name its id and status.
    """

    def __init__(self, config):
        self.url = config["SMS_HTTP_URL"]
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError("SMS_HTTP_URL must be an http(s) address")
        self.token = config["SMS_HTTP_TOKEN"]
        self.sender = config["SMS_SENDER"]
        self.id_field = config["SMS_HTTP_ID_FIELD"]
        self.status_field = config["SMS_HTTP_STATUS_FIELD"]
        self.timeout = config["SMS_HTTP_TIMEOUT_SECONDS"]

    def send(self, message: OutboxMessage) -> SendResult:
        body = json.dumps({"to": message.recipient, "text": message.body_text, "sender": self.sender}).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            # The URL is the operator's SMS_HTTP_URL, refused at start unless http(s)://.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # nosec B310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"SMS provider answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise DeliveryError(f"SMS provider unreachable: {type(exc).__name__}") from exc
        if not isinstance(answer, dict):
            raise DeliveryError("SMS provider answered something that is not a JSON object")
        provider_id = answer.get(self.id_field)
        status = answer.get(self.status_field)
        return SendResult(
            provider_message_id=str(provider_id)[:120] if provider_id is not None else None,
            delivery_status=str(status)[:40] if status is not None else None,
        )


def backend_for(channel: str) -> Backend:
    config = current_app.config
    if channel == Channel.SMS.value:
        if config["SMS_HTTP_URL"]:
            return HTTPSMSBackend(config)
        return FileSMSBackend(config["SMS_FILE_DIR"])
    sender = config["MAIL_DEFAULT_SENDER"]
    if config["MAIL_SERVER"]:
        return SMTPBackend(config, sender)
    return FileEmailBackend(config["MAIL_FILE_DIR"], sender)
