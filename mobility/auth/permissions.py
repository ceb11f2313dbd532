"""Role checks for views. Object checks live in each package's loader (it 404s)."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from mobility.auth.models import Role


def role_required(*roles: Role):
    """Logged in with one of these roles; anyone else gets 404, as if the page did not exist."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator
