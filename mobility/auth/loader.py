from __future__ import annotations

from mobility.auth.models import User
from mobility.auth.sessions import user_for_token


def load_user(session_token: str) -> User | None:
    """Flask-Login loader, for the session and the remember-me cookie alike: both carry the
    token of a server-side session; a revoked, expired or outdated one is logged out."""
    return user_for_token(session_token)
