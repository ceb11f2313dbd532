"""Accounts: creation, authentication, passwords, e-mailed links. No request, no flash."""

from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from mobility.auth.models import ROLE_ORGANISATION_KINDS, Organisation, Role, User, organisation_basin
from mobility.auth.passwords import hash_password, needs_rehash, verify_password
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.notify.services import external_url, queue_email
from mobility.territory import cached as territory


class AccountError(Exception):
    """A domain refusal, with a message for the person (already translated by the caller)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class EmailAlreadyUsed(AccountError):
    pass


class RoleNotAllowedInOrganisation(AccountError):
    pass


class InvalidLink(Exception):
    """The link is unknown, altered, already used or expired."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def basins_of(organisation_id: int) -> list[territory.Basin]:
    """An organisation's basins by name: its links read by id, their names from the basins
    cached per process (a home page shows them on every visit)."""
    ids = set(
        db.session.scalars(
            select(organisation_basin.c.basin_id).where(organisation_basin.c.organisation_id == organisation_id)
        )
    )
    return [basin for basin in territory.basins() if basin.id in ids]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same time either way)."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def check_role_fits_organisation(role: Role, organisation: Organisation) -> None:
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise RoleNotAllowedInOrganisation(
            _("Ce rôle n'est pas possible dans une organisation de ce type."), field="role"
        )


def create_user(
    *,
    email: str,
    full_name: str,
    role: Role,
    organisation: Organisation,
    password: str | None = None,
    locale: str | None = None,
) -> User:
    email = normalise_email(email)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise EmailAlreadyUsed(_("Un compte existe déjà avec cette adresse e-mail."), field="email")
    check_role_fits_organisation(role, organisation)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        organisation=organisation,
        locale=locale,
        password_hash=hash_password(password) if password else None,
        password_changed_at=utcnow() if password else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """New password; every other session of this user stops working."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.revoke_sessions()


# E-mailed links -----------------------------------------------------------------------------

_RESET = "password-reset"
_INVITE = "invitation"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"mobility.{purpose}")


def _fingerprint(user: User) -> str:
    # Changes when the password does, so a link works once only.
    material = f"{user.password_hash or ''}:{user.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


def make_link_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"user": user.id, "fp": _fingerprint(user)})


def load_link_token(token: str, purpose: str) -> User:
    max_age = current_app.config[
        "PASSWORD_RESET_MAX_AGE_SECONDS" if purpose == _RESET else "INVITATION_MAX_AGE_SECONDS"
    ]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidLink(expired=True) from exc
    except BadSignature as exc:
        raise InvalidLink() from exc
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        raise InvalidLink()
    return user


def load_reset_token(token: str) -> User:
    return load_link_token(token, _RESET)


def load_invitation_token(token: str) -> User:
    return load_link_token(token, _INVITE)


def send_password_reset(user: User) -> None:
    link = external_url("auth.reset_password", token=make_link_token(user, _RESET))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"] // 60
    queue_email(
        recipient=user.email,
        template="password_reset",
        language=user.locale,
        user=user,
        link=link,
        minutes=minutes,
    )


def send_password_reset_to(email: str) -> bool:
    """Queue a reset e-mail if an active account has this address; True when one was queued."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return False
    send_password_reset(user)
    return True


def send_invitation(user: User, invited_by: User | None) -> None:
    link = external_url("auth.accept_invitation", token=make_link_token(user, _INVITE))
    days = current_app.config["INVITATION_MAX_AGE_SECONDS"] // 86400
    queue_email(
        recipient=user.email,
        template="invitation",
        language=user.locale,
        user=user,
        invited_by=invited_by,
        link=link,
        days=days,
    )
