"""Login throttling that slows guessing without letting anyone lock a person out.

Only failed attempts count, in sliding windows, in the limiter's storage (shared by all
workers in production: see config):

- per account and address together (LOGIN_LIMIT_PER_ACCOUNT_AND_IP): someone failing from
  another address does not hold back the person at theirs;
- per account from anywhere (LOGIN_LIMIT_PER_ACCOUNT), slower and in growing steps (15 minutes,
  an hour, a day), against guessing spread over many addresses;
- per address across accounts (LOGIN_LIMIT_PER_IP), against password spraying.

A browser that logged in to the account before carries a signed "known device" cookie
(OWASP's device cookies): its attempts count for that device alone, so the two wider limits,
which others can fill, never hold it. A successful password reset lifts every lock of the
account, since the keys include the account's session version, which the reset bumps.

Keys hold a keyed hash of the e-mail address, never the address itself (the limiter logs keys).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from mobility.auth.services import find_user_by_email, normalise_email
from mobility.extensions import client_ip

DEVICE_COOKIE_NAME = "mobilite_appareil"
DEVICE_COOKIE_DAYS = 180


def _attempted_email() -> str:
    # getlist: the raw value, whatever it holds (the login form gives its own message).
    values = request.form.getlist("email")
    return normalise_email(values[0] if values else "")[:254]


def account_digest(email: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"login-account:" + normalise_email(email).encode(), hashlib.sha256).hexdigest()[:32]


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="mobility.login-device")


def device_cookie_value(email: str) -> str:
    """A new known-device cookie for this account (set after a successful login)."""
    return _device_serializer().dumps({"account": account_digest(email), "device": secrets.token_urlsafe(16)})


def known_device() -> str | None:
    """The device id when this browser logged in before to the account it now tries."""
    if "login_device" not in g:
        g.login_device = None
        raw = request.cookies.get(DEVICE_COOKIE_NAME)
        if raw:
            try:
                data = _device_serializer().loads(raw, max_age=DEVICE_COOKIE_DAYS * 86400)
            except BadSignature:
                data = None
            if isinstance(data, dict) and data.get("account") == account_digest(_attempted_email()):
                g.login_device = str(data.get("device"))
    return g.login_device


def _account_key() -> str:
    """The account's digest and its session version: a password reset bumps the version, so the
    account starts again with clean counters."""
    if "login_account_key" not in g:
        email = _attempted_email()
        user = find_user_by_email(email) if email else None
        g.login_account_key = f"{account_digest(email)}:{user.session_version if user else 0}"
    return g.login_account_key


def account_and_address_key() -> str:
    device = known_device()
    if device is not None:
        return f"device:{device}:{_account_key()}"
    return f"account:{_account_key()}:ip:{client_ip()}"


def account_key() -> str:
    return f"account:{_account_key()}"


def on_known_device() -> bool:
    return known_device() is not None


def failed_login(response) -> bool:
    # A successful login redirects; anything else (wrong password, invalid form) counts.
    return response.status_code != 302


def limit_per_account_and_ip() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_IP"]


def limit_per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def limit_per_ip() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]
