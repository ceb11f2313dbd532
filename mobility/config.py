"""Configuration read from the environment, then from the optional instance/config.py."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from limits import parse_many

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"


class ConfigurationError(RuntimeError):
    """The service cannot start with the configuration it was given."""


# A remembered login lasts at most this many days (REMEMBER_COOKIE_DAYS may only shorten it).
MAX_REMEMBER_DAYS = 30

LOGIN_LIMIT_DEFAULTS = {
    # Failed logins for one account from one address (or from one device that logged in before).
    "LOGIN_LIMIT_PER_ACCOUNT_AND_IP": "5 per 15 minutes",
    # Failed logins for one account from anywhere, for devices that never logged in to it: each
    # step waits longer (growing delays); a password reset lifts them.
    "LOGIN_LIMIT_PER_ACCOUNT": "10 per 15 minutes; 20 per hour; 40 per day",
    # Failed logins from one address across accounts (password spraying), unknown devices only.
    "LOGIN_LIMIT_PER_IP": "30 per 15 minutes",
}


def _check_rate_limit(name: str, value: str) -> None:
    try:
        parse_many(value)
    except ValueError as exc:
        raise ConfigurationError(
            f"{name} must be limits such as '5 per 15 minutes; 20 per day', got {value!r}."
        ) from exc


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {value!r}.") from exc


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _dev_secret_key(instance_path: Path) -> str:
    """A random key kept in instance/ so development sessions survive a restart."""
    key_file = instance_path / "dev-secret-key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def build_config(instance_path: Path) -> dict:
    """Return the settings for APP_ENV (production unless told otherwise)."""
    app_env = os.environ.get("APP_ENV", "production").strip().lower()
    if app_env not in {"production", "development", "testing"}:
        raise ConfigurationError(
            f"APP_ENV must be production, development or testing, got {app_env!r}."
        )
    production = app_env == "production"

    secret_key = os.environ.get("SECRET_KEY", "")
    if not secret_key:
        if production:
            raise ConfigurationError(
                "SECRET_KEY is not set. In production the service refuses to start without it: "
                "set SECRET_KEY to a long random value (python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'), or set APP_ENV=development on a "
                "developer's machine."
            )
        secret_key = _dev_secret_key(instance_path)

    trusted_hosts = [host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",") if host.strip()]
    if production and not trusted_hosts:
        raise ConfigurationError(
            "TRUSTED_HOSTS is not set. In production the service answers only for its own host "
            "names: set TRUSTED_HOSTS to them, comma-separated (for instance mobilite.example)."
        )

    remember_days = _env_int("REMEMBER_COOKIE_DAYS", 30)
    if not 1 <= remember_days <= MAX_REMEMBER_DAYS:
        raise ConfigurationError(
            f"REMEMBER_COOKIE_DAYS must be between 1 and {MAX_REMEMBER_DAYS} days, got {remember_days}: "
            "a login is never remembered longer than that."
        )

    ratelimit_storage = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    single_process = _env_bool("RATELIMIT_SINGLE_PROCESS", False)
    if production and ratelimit_storage.startswith("memory://") and not single_process:
        raise ConfigurationError(
            "RATELIMIT_STORAGE_URI is memory:// in production: each worker process would count "
            "login attempts alone. Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (shared by "
            "all workers), or RATELIMIT_SINGLE_PROCESS=true if the service runs one process only."
        )
    login_limits = {
        name: os.environ.get(name, default) for name, default in LOGIN_LIMIT_DEFAULTS.items()
    }
    for name, value in login_limits.items():
        _check_rate_limit(name, value)
    # Exports name a person by a keyed hash: the key must be the same from run to run (stable
    # ids) and secret (nobody can recompute ids from database ids).
    export_pseudonym_key = os.environ.get("EXPORT_PSEUDONYM_KEY", "")
    if production and len(export_pseudonym_key) < 32:
        raise ConfigurationError(
            "EXPORT_PSEUDONYM_KEY is not set (or shorter than 32 characters). In production the "
            "exports' pseudonymous ids need a secret key of their own, kept from run to run: set "
            "it to a long random value (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if not export_pseudonym_key:
        export_pseudonym_key = "development-only-pseudonym-key-" + secret_key[:16]
    secrecy_threshold = _env_int("REPORTING_SECRECY_THRESHOLD", 11)
    if secrecy_threshold < 1:
        raise ConfigurationError(f"REPORTING_SECRECY_THRESHOLD must be at least 1, got {secrecy_threshold}.")

    default_db = f"sqlite:///{instance_path / 'mobility.sqlite3'}"
    database_url = normalise_database_url(os.environ.get("DATABASE_URL") or default_db)

    return {
        "APP_ENV": app_env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        # Sessions and cookies
        "SESSION_COOKIE_NAME": "mobilite_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", production),
        # No login, remembered or not, lasts longer than this (checked on the server too).
        "REMEMBER_COOKIE_DAYS": remember_days,
        "REMEMBER_COOKIE_DURATION": timedelta(days=remember_days),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("SESSION_LIFETIME_HOURS", 8)),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Number of reverse proxies in front of gunicorn whose X-Forwarded-* headers we trust.
        "TRUSTED_PROXY_COUNT": _env_int("TRUSTED_PROXY_COUNT", 0),
        # Host names the service answers for (any other Host header gets 400); None: any.
        "TRUSTED_HOSTS": trusted_hosts or None,
        # Base address of every link in messages, in a request or not: never the request's Host.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # Forms: the CSRF token lives as long as the session, so a slow form is not refused.
        "WTF_CSRF_TIME_LIMIT": None,
        # Languages and dates
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": {"fr": "Français", "en": "English"},
        # E-mail: files under instance/mail unless MAIL_SERVER is set.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Mobilité Emploi Loiret <ne-pas-repondre@mobilite.example>"
        ),
        "MAIL_FILE_DIR": os.environ.get("MAIL_FILE_DIR", str(instance_path / "mail")),
        # SMS: text files under instance/sms unless SMS_HTTP_URL (the provider's endpoint) is set.
        "SMS_FILE_DIR": os.environ.get("SMS_FILE_DIR", str(instance_path / "sms")),
        "SMS_HTTP_URL": _sms_http_url(),
        "SMS_HTTP_TOKEN": os.environ.get("SMS_HTTP_TOKEN", ""),
        "SMS_HTTP_ID_FIELD": os.environ.get("SMS_HTTP_ID_FIELD", "id"),
        "SMS_HTTP_STATUS_FIELD": os.environ.get("SMS_HTTP_STATUS_FIELD", "status"),
        "SMS_HTTP_TIMEOUT_SECONDS": _env_int("SMS_HTTP_TIMEOUT_SECONDS", 10),
        "SMS_SENDER": os.environ.get("SMS_SENDER", "MobiLoiret"),
        "SMS_MAX_LENGTH": _env_int("SMS_MAX_LENGTH", 160),
        # Said at the end of every message: how to reach the service when no association is named.
        "NOTIFY_HELP_CONTACT": os.environ.get(
            "NOTIFY_HELP_CONTACT", "mobilite-emploi@loiret.example, ou votre référent"
        ),
        # Scheduled work (flask --app wsgi scheduler run): jobs named here do nothing.
        "JOBS_DISABLED": [n.strip() for n in os.environ.get("JOBS_DISABLED", "").split(",") if n.strip()],
        # /healthz answers 503 in production when the scheduler's heartbeat is older than this.
        "SCHEDULER_HEARTBEAT_MAX_AGE_MINUTES": _env_int("SCHEDULER_HEARTBEAT_MAX_AGE_MINUTES", 10),
        # How long sent or failed messages and access-log (audit) rows are kept.
        "OUTBOX_RETENTION_DAYS": _env_int("OUTBOX_RETENTION_DAYS", 90),
        "AUDIT_RETENTION_DAYS": _env_int("AUDIT_RETENTION_DAYS", 365),
        # Référents are told this many days before a file is anonymised.
        "RETENTION_NOTICE_DAYS": _env_int("RETENTION_NOTICE_DAYS", 30),
        # Traffic fines (mobility/fines): an offence this close to a handover needs a human look;
        # the designation is due this many days after the avis was sent (Code de la route L121-6).
        "FINES_HANDOVER_MARGIN_MINUTES": _env_int("FINES_HANDOVER_MARGIN_MINUTES", 30),
        "FINES_DESIGNATION_DAYS": _env_int("FINES_DESIGNATION_DAYS", 45),
        "FINES_DUE_SOON_DAYS": _env_int("FINES_DUE_SOON_DAYS", 10),
        # Login throttling (Flask-Limiter, see mobility/auth/throttling.py). Windows slide and
        # only failures count; a device that logged in before is never held by others' failures.
        "RATELIMIT_STORAGE_URI": ratelimit_storage,
        "RATELIMIT_SINGLE_PROCESS": single_process,
        "RATELIMIT_HEADERS_ENABLED": False,
        **login_limits,
        # Links sent by e-mail
        "PASSWORD_RESET_MAX_AGE_SECONDS": _env_int("PASSWORD_RESET_MAX_AGE_SECONDS", 3600),
        "INVITATION_MAX_AGE_SECONDS": _env_int("INVITATION_MAX_AGE_SECONDS", 7 * 24 * 3600),
        "PASSWORD_MIN_LENGTH": _env_int("PASSWORD_MIN_LENGTH", 12),
        # Uploaded vehicle documents: outside static/, served only through an access check.
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(instance_path / "uploads")),
        # Request bodies above this get 413; a file between the 5 MB document limit and this
        # still reaches the form, which explains the limit next to the field.
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 6 * 1024 * 1024),
        # Personal data retention (CNIL framework for social support: 2 years after last contact).
        "RETENTION_YEARS": _env_int("RETENTION_YEARS", 2),
        # Basins, communes and tariffs are kept this long in each worker (mobility/core/reference.py).
        "REFERENCE_CACHE_SECONDS": _env_int("REFERENCE_CACHE_SECONDS", 60),
        # Bookings: a request not approved within this delay expires and frees its vehicle.
        "BOOKING_REQUEST_EXPIRY_HOURS": _env_int("BOOKING_REQUEST_EXPIRY_HOURS", 72),
        "BOOKING_DEFAULT_PICKUP_TIME": os.environ.get("BOOKING_DEFAULT_PICKUP_TIME", "09:00"),
        "BOOKING_DEFAULT_RETURN_TIME": os.environ.get("BOOKING_DEFAULT_RETURN_TIME", "17:00"),
        # Incidents: a vehicle with this many incidents within this many months is flagged.
        "INCIDENT_REPEAT_THRESHOLD": _env_int("INCIDENT_REPEAT_THRESHOLD", 3),
        "INCIDENT_REPEAT_MONTHS": _env_int("INCIDENT_REPEAT_MONTHS", 12),
        # A booking's rent (or deposit) entries may add up to at most this many times its price
        # (or deposit): a typo such as 1,000,000 € is refused, an overpayment to refund is not.
        "BOOKING_MAX_PAYMENT_FACTOR": _env_int("BOOKING_MAX_PAYMENT_FACTOR", 2),
        # Waiting queue: how long the first person waiting has to accept a freed vehicle.
        "WAITING_OFFER_HOURS": _env_int("WAITING_OFFER_HOURS", 48),
        "ODOMETER_MAX_KM_PER_DAY": _env_int("ODOMETER_MAX_KM_PER_DAY", 1000),
        # Reporting: the exports' pseudonym key, the public tables' secrecy threshold, and
        # how many days of nightly exports instance/exports/ keeps.
        "EXPORT_PSEUDONYM_KEY": export_pseudonym_key,
        "REPORTING_SECRECY_THRESHOLD": secrecy_threshold,
        "EXPORT_KEEP_DAYS": _env_int("EXPORT_KEEP_DAYS", 30),
        "EXPORT_DIR": os.environ.get("EXPORT_DIR", str(instance_path / "exports")),
        # Eligibility thresholds (mobility/booking/eligibility.py reads and checks them).
        **{name: value for name, value in os.environ.items() if name.startswith("ELIGIBILITY_")},
        # Cession paperwork delays and the free-cession ceiling (mobility/cession/rules.py).
        **{name: value for name, value in os.environ.items() if name.startswith("CESSION_")},
    }


def _sms_http_url() -> str:
    """The SMS provider's endpoint: http(s) only, never file:// or another scheme."""
    url = os.environ.get("SMS_HTTP_URL", "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise ConfigurationError(f"SMS_HTTP_URL must start with https:// (or http://), got {url!r}.")
    return url


def _engine_options(database_url: str) -> dict:
    if database_url.startswith("sqlite"):
        # A writer may wait on another for a while rather than fail with "database is locked".
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}
