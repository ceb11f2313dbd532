from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import User
from mobility.core.types import UTCDateTime
from mobility.core.time import utcnow
from mobility.extensions import db


class ApiToken(db.Model):
    """A bearer token of the JSON API. Only the SHA-256 of the secret is kept."""

    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint("length(token_hash) = 64", name="token_hash_is_sha256_hex"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so that an admin can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self) -> None:
        """Stop the token from working; revoking twice keeps the first date."""
        if self.revoked_at is None:
            self.revoked_at = utcnow()


class IdempotencyKey(db.Model):
    """The answer given to a write sent with an `Idempotency-Key`, to give it again on a retry.

    Keys are per account: two clients may use the same key. The fingerprint is the SHA-256
    of the method, path and body, so that a key sent again with another request is refused.
    """

    __tablename__ = "api_idempotency_key"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_api_idempotency_key_user_id_key"),
        CheckConstraint("length(key) > 0", name="key_not_empty"),
        CheckConstraint("length(fingerprint) = 64", name="fingerprint_is_sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now(), index=True
    )
