from __future__ import annotations

from mobility.auth.models import User
from mobility.extensions import db


def load_user(session_id: str) -> User | None:
    """Flask-Login loader: the session names "id:version"; an old version is logged out."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
