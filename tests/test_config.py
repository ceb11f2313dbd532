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
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    monkeypatch.setenv("EXPORT_PSEUDONYM_KEY", "k" * 40)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    client = app.test_client()
    assert client.get("/confidentialite", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/confidentialite", headers={"Host": "mobilite.example"}).status_code == 200


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("TRUSTED_HOSTS", "mobilite.example")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "true")
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


def _production(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("TRUSTED_HOSTS", "mobilite.example")
    monkeypatch.setenv("EXPORT_PSEUDONYM_KEY", "k" * 40)


def test_production_refuses_a_per_process_limiter_storage(monkeypatch, tmp_path):
    _production(monkeypatch)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_SINGLE_PROCESS", raising=False)
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI is memory:// in production"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_accepts_memory_storage_when_it_says_it_runs_one_process(monkeypatch, tmp_path):
    _production(monkeypatch)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "true")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["RATELIMIT_SINGLE_PROCESS"] is True


def test_production_accepts_a_shared_limiter_storage(monkeypatch, tmp_path):
    _production(monkeypatch)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["RATELIMIT_STORAGE_URI"].startswith("redis://")


@pytest.mark.parametrize("days", ["31", "365", "0"])
def test_remember_me_may_not_last_beyond_thirty_days(monkeypatch, tmp_path, days):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("REMEMBER_COOKIE_DAYS", days)
    with pytest.raises(ConfigurationError, match="REMEMBER_COOKIE_DAYS must be between 1 and 30"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_remember_me_lasts_thirty_days_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("REMEMBER_COOKIE_DAYS", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["REMEMBER_COOKIE_DURATION"].days == 30


def test_a_bad_login_limit_stops_the_service_naming_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("LOGIN_LIMIT_PER_ACCOUNT", "five a minute")
    with pytest.raises(ConfigurationError, match="LOGIN_LIMIT_PER_ACCOUNT must be limits"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_production_refuses_to_start_without_a_pseudonym_key_for_the_exports(monkeypatch, tmp_path):
    _production(monkeypatch)
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "true")
    monkeypatch.setenv("EXPORT_PSEUDONYM_KEY", "too-short")
    with pytest.raises(ConfigurationError, match="EXPORT_PSEUDONYM_KEY is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_an_sms_provider_url_that_is_not_http_stops_the_service(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("SMS_HTTP_URL", "file:///etc/passwd")
    with pytest.raises(ConfigurationError, match="SMS_HTTP_URL must start with https://"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
