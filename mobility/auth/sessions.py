"""Login sessions kept on the server, so that they end when the person says so.

The signed session cookie and the remember-me cookie hold only a random token; the
`user_session` row behind it says whether it still counts. Logging out revokes the row, so a
copy of either cookie is worthless afterwards. No request, no session object here: views call
these and pass the token to Flask-Login.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from mobility.auth.models import User, UserSession
from mobility.core.time import utcnow
from mobility.extensions import db

# A token is 43 URL-safe characters (32 random bytes); anything else is not ours.
_TOKEN_LENGTH = 43


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_lifetime() -> timedelta:
    """The longest any login lasts, remembered or not (REMEMBER_COOKIE_DAYS)."""
    return timedelta(days=current_app.config["REMEMBER_COOKIE_DAYS"])


def start_session(user: User, remember: bool) -> str:
    """A new login for this user: returns its token, also attached to the user object."""
    now = utcnow()
    # The person's ended logins are of no further use: keep the table to live sessions.
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(UserSession.revoked_at.is_not(None), UserSession.expires_at <= now),
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=_hash(token),
            session_version=user.session_version,
            remember=remember,
            created_at=now,
            expires_at=now + session_lifetime(),
        )
    )
    db.session.flush()
    user.session_token = token
    return token


def user_for_token(token: str) -> User | None:
    """The active user of a live session (not revoked, not expired, same session version)."""
    if not isinstance(token, str) or len(token) != _TOKEN_LENGTH:
        return None
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == _hash(token),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow(),
            UserSession.session_version == User.session_version,
            User.active.is_(True),
        )
    )
    if user is not None:
        user.session_token = token
    return user


def current_session(user: User) -> UserSession | None:
    if not user.session_token:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == _hash(user.session_token)))


def end_session(user: User) -> None:
    """Revoke the session this user object was loaded through (its cookies stop working)."""
    record = current_session(user)
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
    user.session_token = None
