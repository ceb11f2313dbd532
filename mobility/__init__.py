"""Mobilité Emploi Loiret: vehicle rental for people on the RSA going back to work."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from jinja2 import StrictUndefined
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from flask_babel import lazy_gettext
from mobility import commands
from mobility.core import settings as core_settings
from mobility.core import templating
from mobility.core.boundary import BoundaryRequest
from mobility.api.admin_views import bp as api_admin_bp
from mobility.api import init_api
from mobility.audit.views import bp as audit_bp
from mobility.auth.admin_views import bp as accounts_admin_bp
from mobility.auth.commune_views import bp as communes_admin_bp
from mobility.auth.loader import load_user
from mobility.auth.views import bp as auth_bp
from mobility.beneficiaries import ports as beneficiary_ports
from mobility.beneficiaries.views import bp as beneficiaries_bp
from mobility.booking.availability import BookingHoldings
from mobility.booking.commands import expire_bookings_command
from mobility.booking.eligibility_settings import settings_from_config
from mobility.booking.settings import BookingSettings
from mobility.booking.person import BookingRentalsOfPerson
from mobility.booking.planning import BookingHistory, BookingPlanning
from mobility.booking.personal_data import BookingPersonalData
from mobility.booking.views import booking_blueprints
from mobility.booking import ports as booking_ports
from mobility.cession.rules import CessionSettings
from mobility.cession.views import bp as cession_bp
from mobility.config import DEFAULT_INSTANCE_PATH, build_config
from mobility.fines.rules import FinesSettings
from mobility.extensions import babel, csrf, db, limiter, login_manager, migrate
from mobility.fleet.availability_views import bp as availability_bp
from mobility.fleet import ports as fleet_ports
from mobility.fleet.planning_views import bp as planning_bp
from mobility.fleet.settings import FleetSettings
from mobility.fleet.views import bp as fleet_bp
from mobility.fines.history import FineHistory
from mobility.fines.personal_data import FinesPersonalData
from mobility.fines.views import bp as fines_bp
from mobility.incidents.conditions import IncidentConditions, IncidentVehicleEvents
from mobility.incidents.personal_data import IncidentsPersonalData
from mobility.incidents.rules import IncidentSettings
from mobility.incidents.views import bp as incidents_bp
from mobility.main import errors
from mobility.main.views import bp as main_bp
from mobility.notify.services import deliver_after_response
from mobility.notify.views import bp as notify_admin_bp
from mobility import scheduler
from mobility.reporting.views import bp as reporting_bp


def create_app(config: dict | None = None) -> Flask:
    instance_path = Path((config or {}).get("INSTANCE_PATH", DEFAULT_INSTANCE_PATH))
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=True)
    # Values read outside a form refuse control characters (mobility.core.boundary).
    app.request_class = BoundaryRequest
    app.config.update(build_config(instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.update(config)
    if app.config["TRUSTED_PROXY_COUNT"]:
        count = app.config["TRUSTED_PROXY_COUNT"]
        # Only what the README tells the proxy to send: X-Forwarded-For and X-Forwarded-Proto.
        # X-Forwarded-Host is never trusted; links in messages do not depend on it anyway.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0)
    if app.config.get("TESTING"):
        app.jinja_env.undefined = StrictUndefined
    # A bad value stops the service at start, naming the setting, not at the first request.
    core_settings.install(app, settings_from_config(app.config))
    core_settings.install(app, BookingSettings.from_config(app.config))
    core_settings.install(app, IncidentSettings.from_config(app.config))
    core_settings.install(app, FleetSettings.from_config(app.config))
    core_settings.install(app, CessionSettings.from_config(app.config))
    core_settings.install(app, FinesSettings.from_config(app.config))

    register_extensions(app)
    plug_domains(app)
    # Ids in URLs are database integers: a 25-digit id is a 404, not an overflow (500) in SQLite.
    app.url_map.converters["int"] = DatabaseIdConverter
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    logging.getLogger("mobility").setLevel(logging.INFO)
    return app


class DatabaseIdConverter(IntegerConverter):
    """<int:…> bounded to what an INTEGER column holds; larger numbers do not match the route."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Connectez-vous pour accéder à cette page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    # The message is a lazy string: str() renders it in the request's language.
    login_manager.localize_callback = str


def plug_domains(app: Flask) -> None:
    """Give the lower floors what they declared they need from the higher ones."""
    fleet_ports.plug(
        app,
        holding_periods=(BookingHoldings(),),
        planning_sources=(BookingPlanning(),),
        vehicle_histories=(BookingHistory(),),
        vehicle_events=(FineHistory(), IncidentVehicleEvents()),
    )
    booking_ports.plug(app, handover_conditions=(IncidentConditions(),))
    beneficiary_ports.plug(
        app,
        personal_data_sources=(BookingPersonalData(), FinesPersonalData(), IncidentsPersonalData()),
        rentals_of_person=BookingRentalsOfPerson(),
    )


def select_locale() -> str:
    languages = ("fr", "en")
    if not has_request_context():
        return "fr"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        language = current_user.locale
    elif session.get("language") in languages:
        language = session["language"]
    else:
        # French first: English only for a browser that prefers it over French.
        language = request.accept_languages.best_match(languages, default="fr") or "fr"
    # British formats for dates and numbers; the "en" catalogue serves en_GB.
    return "en_GB" if language == "en" else language


def register_blueprints(app: Flask) -> None:
    for blueprint in (main_bp, auth_bp, accounts_admin_bp, communes_admin_bp, beneficiaries_bp, audit_bp, fleet_bp):
        app.register_blueprint(blueprint)
    booking_bp, booking_fleet_bp, tariffs_bp = booking_blueprints()
    for blueprint in (planning_bp, availability_bp, api_admin_bp, booking_bp, booking_fleet_bp):
        app.register_blueprint(blueprint)
    for blueprint in (tariffs_bp, notify_admin_bp, incidents_bp, cession_bp, fines_bp, reporting_bp):
        app.register_blueprint(blueprint)
    init_api(app)


def register_errorhandlers(app: Flask) -> None:
    errors.register_errorhandlers(app)


CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def register_request_hooks(app: Flask) -> None:
    # First of all before-request hooks (the limiter's and the API's included): nothing reads a
    # path or a query string holding a control character.
    app.before_request_funcs.setdefault(None, []).insert(0, errors.refuse_control_characters)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if current_user and current_user.is_authenticated:
            # Pages with personal data stay out of shared caches and the back-button cache.
            headers.setdefault("Cache-Control", "no-store")
        return response

    # Messages the request committed leave after its response has gone, never during it.
    app.after_request(deliver_after_response)


def register_template_helpers(app: Flask) -> None:
    templating.register(app)


def register_commands(app: Flask) -> None:
    commands.register(app)
    app.cli.add_command(expire_bookings_command)
    scheduler.register(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL and foreign keys for SQLite; we drive transactions ourselves (see _sqlite_begin)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """pysqlite's own BEGIN handling is broken for SAVEPOINT and locking; emit it explicitly.

    Inside a web request, and wherever a caller asks for it (execution option
    sqlite_immediate), the transaction takes the write lock at once (BEGIN IMMEDIATE):
    a request that reads then writes (a login, an audited read) would otherwise fail with
    "database is locked" as soon as another request wrote in between. Writers queue on
    the busy timeout instead. PostgreSQL, the production database, needs none of this.
    """
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get("sqlite_immediate") or has_request_context()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
