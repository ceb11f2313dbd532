import pytest

from mobility import create_app
from mobility.config import ConfigurationError, normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_refuses_to_start_without_trusted_hosts(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    with pytest.raises(ConfigurationError, match="TRUSTED_HOSTS is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_answers_only_for_its_trusted_hosts(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("TRUSTED_HOSTS", "mobilite.example, www.mobilite.example")
    monkeypatch.setenv("EXPORT_PSEUDONYM_KEY", "k" * 40)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    client = app.test_client()
    assert client.get("/confidentialite", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/confidentialite", headers={"Host": "mobilite.example"}).status_code == 200


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("TRUSTED_HOSTS", "mobilite.example")
    monkeypatch.setenv("EXPORT_PSEUDONYM_KEY", "k" * 40)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_keeps_a_generated_key_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) > 40


def test_the_default_database_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'mobility.sqlite3'}"


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_a_bad_app_env_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "prod")
    with pytest.raises(ConfigurationError, match="APP_ENV must be"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
