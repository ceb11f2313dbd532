"""Fixtures as in Flask's tutorial (app, client, runner, auth), on a real database.

SQLite by default (a file, migrated once, copied for each test); PostgreSQL when
TEST_DATABASE_URL is set (migrated once, emptied between tests).
"""

from __future__ import annotations

import contextvars
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

os.environ["APP_ENV"] = "testing"

from flask import has_app_context  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from mobility import create_app  # noqa: E402
from mobility.config import normalise_database_url  # noqa: E402
from mobility.core.time import today  # noqa: E402
from mobility.extensions import db  # noqa: E402
from tests.factories import TEST_PASSWORD, UserFactory  # noqa: E402
from tests.fleet.factories import SiteFactory  # noqa: E402

# Reference data loaded by the migrations: kept between tests, restored if a test changed it.
REFERENCE_TABLES = ("employment_basin", "commune")
_reference_rows: dict[str, list] = {}


def _postgres_url_for_this_worker() -> str:
    """TEST_DATABASE_URL, or under pytest-xdist a database of its own per worker."""
    url = normalise_database_url(os.environ.get("TEST_DATABASE_URL", ""))
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url_for_this_worker()
ON_CI = os.environ.get("CI", "").lower() == "true"


def base_config(tmp_path: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30}}
        if database_url.startswith("sqlite")
        else {"pool_pre_ping": True},
        "INSTANCE_PATH": str(tmp_path),
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "MAIL_SERVER": "",
        "RATELIMIT_STORAGE_URI": "memory://",
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SERVER_NAME": None,
    }


def migrate_to_head(database_url: str, tmp_path: Path) -> None:
    app = create_app(base_config(tmp_path, database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate an empty database to head once per session."""
    tmp = tmp_path_factory.mktemp("template")
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate_to_head(POSTGRES_URL, tmp)
        return POSTGRES_URL
    template = tmp / "template.sqlite3"
    migrate_to_head(f"sqlite:///{template}", tmp)
    # Fold the WAL into the main file so that a plain copy is complete.
    engine = create_engine(f"sqlite:///{template}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return template


def _reference_snapshot(connection) -> dict[str, list]:
    return {
        table: connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).mappings().all()
        for table in REFERENCE_TABLES
    }


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        names = [name for name in tables if name not in (*REFERENCE_TABLES, "alembic_version")]
        if names:
            quoted = ", ".join(f'"{name}"' for name in names)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        current = _reference_snapshot(connection)
        if not _reference_rows:
            _reference_rows.update(current)
        elif current != _reference_rows:
            connection.execute(text("TRUNCATE commune, employment_basin CASCADE"))
            for table in REFERENCE_TABLES:
                rows = [dict(row) for row in _reference_rows[table]]
                columns = ", ".join(rows[0])
                values = ", ".join(f":{column}" for column in rows[0])
                connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), rows)
    engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    if POSTGRES_URL:
        _empty_postgres(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Without this, Flask reuses the test's app context for the request, so `g` (the
    logged-in user, the locale) and the database session leak from one request, or one
    client, to the next and can hide bugs.
    """

    def open(self, *args, **kwargs):
        # What the test did happens before the request: commit it, and end the test's
        # read transaction so that it sees the request's changes afterwards.
        if has_app_context():
            db.session.commit()
        # Buffered, as a WSGI server sends it: the response is closed (and its call_on_close
        # work, such as delivering the outbox, done) before the test looks at what happened.
        kwargs.setdefault("buffered", True)
        # An empty context, as a server thread starts with: the request pushes its own app
        # context instead of reusing the test's.
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build more apps on the test's database (another worker, CSRF on, ...); all closed after."""
    apps = []

    def make(**overrides):
        app = create_app({**base_config(tmp_path, database_url), **overrides})
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


# Monday 23 November 2026, 10:00 in France: the moment a test lives in unless its module names
# another one in FROZEN_AT (an aware datetime).
MONDAY_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen_at(request) -> datetime:
    """Where `frozen` stops the clock: the module's FROZEN_AT, or MONDAY_MORNING. A package whose
    tests all live at another moment overrides this fixture in its conftest."""
    return getattr(request.module, "FROZEN_AT", MONDAY_MORNING)


@pytest.fixture
def frozen(frozen_at, time_machine):
    """The clock stopped at `frozen_at`. List it before any login: sessions are dated, and one
    signed "in the future" is refused."""
    time_machine.move_to(frozen_at, tick=False)
    return time_machine


@pytest.fixture
def frozen_today(frozen) -> date:
    """The frozen day, in France."""
    return today()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password: str = TEST_PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/connexion", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/deconnexion")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def admin(app):
    return UserFactory(admin=True)


@pytest.fixture
def admin_logged_in(auth, admin):
    auth.login(admin)
    return admin


@pytest.fixture
def fleet_user(app):
    """Staff of an association."""
    return UserFactory(fleet=True, full_name="Gestion Flotte")


@pytest.fixture
def other_fleet_user(app):
    """Staff of another association."""
    return UserFactory(fleet=True)


@pytest.fixture
def site(fleet_user):
    """A site of fleet_user's association."""
    return SiteFactory(association=fleet_user.organisation, name="Garage solidaire")


@pytest.fixture
def logged_in(auth, fleet_user):
    """fleet_user, logged in (list `frozen` before it where the clock matters)."""
    auth.login(fleet_user)
    return fleet_user


@pytest.fixture
def race_app(make_app, database_url):
    """An app on the test's database whose pool has a connection for each racing thread."""
    options = {"pool_size": 32, "max_overflow": 0, "pool_timeout": 60}
    if database_url.startswith("sqlite"):
        options["connect_args"] = {"timeout": 60}
    return make_app(SQLALCHEMY_ENGINE_OPTIONS=options)


@pytest.fixture
def mailbox(app):
    """The e-mails written by the file backend, oldest first."""
    from tests.helpers import Mailbox

    return Mailbox(Path(app.config["MAIL_FILE_DIR"]))


POSTGRES_ONLY_REASON = "PostgreSQL only: runs in the TEST_DATABASE_URL pass"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres_only" in item.keywords and not POSTGRES_URL:
            item.add_marker(pytest.mark.skip(reason=POSTGRES_ONLY_REASON))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    database = "PostgreSQL" if POSTGRES_URL else "SQLite"
    terminalreporter.write_line(f"database under test: {database}")


def pytest_sessionfinish(session, exitstatus):
    # Under CI=true a skipped PostgreSQL or browser test is a failure: nothing may hide.
    if not ON_CI or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    # A PostgreSQL-only test skipped in the SQLite pass runs in the PostgreSQL pass.
    skipped = [report for report in skipped if POSTGRES_ONLY_REASON not in str(report.longrepr)]
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped, which CI counts as failure.", red=True)
        session.exitstatus = 1
