"""Small helpers that tests share: reading e-mails, finding links."""

from __future__ import annotations

import email
import html
import re
from email import policy
from email.message import EmailMessage as Message
from pathlib import Path


class Mailbox:
    def __init__(self, directory: Path):
        self.directory = directory

    def messages(self) -> list[Message]:
        if not self.directory.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(self.directory.glob("*.eml"))
        ]

    def last_to(self, recipient: str) -> Message:
        matching = [m for m in self.messages() if m["To"] == recipient]
        assert matching, f"no e-mail to {recipient}"
        return matching[-1]


def body_of(message: Message) -> str:
    """The plain-text part (e-mails also carry an HTML part made from the same text)."""
    return message.get_body(preferencelist=("plain",)).get_content()


def first_link(message: Message) -> str:
    match = re.search(r"https?://\S+", body_of(message))
    assert match, "no link in the e-mail"
    return match.group(0)


def page_text(response) -> str:
    """The page as a person reads it: HTML entities decoded (&#39; is an apostrophe)."""
    return html.unescape(response.get_data(as_text=True))
