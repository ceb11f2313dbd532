"""Migrations from an empty database to head and back, on the database under test."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from mobility import create_app
from mobility.extensions import db
from tests.conftest import POSTGRES_URL, base_config

SCHEMA = "migration_check"


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database of the kind under test, apart from the one the suite uses."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{SCHEMA}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


def test_migrations_upgrade_from_empty_to_head_and_downgrade_back(scratch_database_url, tmp_path):
    app = create_app(base_config(tmp_path, scratch_database_url))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"user_account", "organisation", "beneficiary", "audit_event", "commune"} <= tables
        communes = db.session.execute(text("SELECT count(*) FROM commune")).scalar()
        assert communes == 325
        db.session.remove()

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

        upgrade()
        assert db.session.execute(text("SELECT count(*) FROM employment_basin")).scalar() == 4
        db.session.remove()
        db.engine.dispose()


def test_models_and_migrations_agree(app):
    """What `flask db check` verifies: autogenerate finds nothing to add."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
