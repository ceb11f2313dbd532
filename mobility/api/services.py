"""API tokens: issue, authenticate, revoke. The secret is shown once and stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from mobility.api.models import ApiToken
from mobility.auth.models import Role, User
from mobility.core.time import utcnow
from mobility.extensions import db

PREFIX_LENGTH = 8
# last_used_at is written at most this often, so that a busy client does not write on every call.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for this staff account, and its secret (to show once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise ApiTokenError(_("Donnez un nom au jeton."))
    if len(name) > 80:
        raise ApiTokenError(_("Le nom du jeton ne doit pas dépasser 80 caractères."))
    if not user.active:
        raise ApiTokenError(_("Ce compte est désactivé."))
    if user.role is Role.BENEFICIARY:
        raise ApiTokenError(_("L'API est réservée aux professionnels."))
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_secret(secret), prefix=secret[:PREFIX_LENGTH])
    db.session.add(token)
    db.session.flush()
    return token, secret


def authenticate(secret: str) -> User | None:
    """The active user behind an unrevoked token, or None. Marks the token as used."""
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.is_revoked or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
    return token.user


def all_tokens() -> list[ApiToken]:
    """Every token, unrevoked first, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken).order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )


def get_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)
