from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from mobility.core.types import UTCDateTime, str_enum
from mobility.core.time import utcnow
from mobility.extensions import db


class OutboxStatus(enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Channel(enum.Enum):
    EMAIL = "email"
    SMS = "sms"


class ContactChoice(enum.Enum):
    """How a person wants to hear from the service (None on a file: follow the details it has)."""

    EMAIL = "email"
    SMS = "sms"
    BOTH = "both"


class OutboxMessage(db.Model):
    """A message waiting to leave; written in the same transaction as the change it reports.

    Delivery is at least once: a message is claimed (its next attempt pushed past a lease),
    sent, then marked sent. A process that dies between the send and the mark leaves it
    pending, so it leaves again once the lease ends; the deduplication key keeps the event
    that made it from queueing it twice.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("channel IN ('email', 'sms')", name="channel_known"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    # An e-mail address or an E.164 phone number.
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Kind of message, for tests and statistics (never the recipient's data).
    template: Mapped[str] = mapped_column(String(80))
    # The plain values the template was rendered with (links, counts, references): no names.
    context: Mapped[dict | None] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(2), default="fr", server_default="fr")
    # Lets a job that runs twice queue a message once.
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=text("CURRENT_TIMESTAMP")
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    provider_message_id: Mapped[str | None] = mapped_column(String(120))
    delivery_status: Mapped[str | None] = mapped_column(String(40))

    @property
    def is_email(self) -> bool:
        return self.channel == Channel.EMAIL.value
