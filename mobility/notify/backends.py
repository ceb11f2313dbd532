"""Where messages go: readable files in development, SMTP when MAIL_SERVER is set."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

from mobility.notify.models import OutboxMessage


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(domain="mobilite-emploi-loiret")
    email.set_content(message.body_text)
    return email


class FileBackend:
    """Writes each message as an .eml file that any text editor or mail client opens."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, message: OutboxMessage, sender: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = message.created_at.strftime("%Y%m%d-%H%M%S")
        path = self.directory / f"{stamp}-{message.id:06d}-{message.template}.eml"
        path.write_bytes(bytes(build_email(message, sender)))


class SMTPBackend:
    def __init__(self, config):
        self.config = config

    def send(self, message: OutboxMessage, sender: str) -> None:
        cfg = self.config
        smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(build_email(message, sender))


def current_backend():
    config = current_app.config
    if config["MAIL_SERVER"]:
        return SMTPBackend(config)
    return FileBackend(config["MAIL_FILE_DIR"])
