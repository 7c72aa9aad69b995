"""The application factory and its configuration."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from config import Config, ConfigError, ProductionConfig, TestConfig

ROOT = Path(__file__).resolve().parents[2]


def test_test_config_is_isolated(app):
    assert app.config["TESTING"] is True
    assert app.config["SECRET_KEY"] == TestConfig.SECRET_KEY


def test_production_without_secret_key_is_an_error(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_development_without_secret_key_starts(monkeypatch):
    class Dev(Config):
        SECRET_KEY = None

    app = create_app(Dev)
    assert app.config["SECRET_KEY"]


def _run_factory(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "APP_ENV", "DATABASE_URL"}}
    env.update(env_overrides)
    code = "from app import create_app; a = create_app(); print(a.config['SQLALCHEMY_DATABASE_URI'])"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_database_url_comes_from_the_environment(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    result = _run_factory({"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == url


def test_default_database_is_sqlite_in_the_instance_folder():
    result = _run_factory({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("sqlite:///")
    assert result.stdout.strip().endswith("instance/sales_desk.sqlite")


def test_production_environment_refuses_to_start_without_secret_key():
    result = _run_factory({"APP_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_pool_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "2")
    monkeypatch.setenv("DB_POOL_RECYCLE", "600")
    monkeypatch.setenv("DB_POOL_TIMEOUT", "7")

    class Pooled(Config):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://desk@db.example/desk"

    app = create_app(Pooled)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {
        "pool_pre_ping": True, "pool_size": 3, "max_overflow": 2, "pool_recycle": 600, "pool_timeout": 7}
    with app.app_context():
        from models import db

        pool = db.engine.pool
        assert (pool.size(), pool._max_overflow, pool._recycle, pool._timeout) == (3, 2, 600, 7)


def test_pool_defaults_and_sqlite(monkeypatch):
    for name in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_RECYCLE", "DB_POOL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    from config import engine_options

    assert engine_options("postgresql+psycopg://desk@db/desk") == {
        "pool_pre_ping": True, "pool_size": 5, "max_overflow": 10, "pool_recycle": 1800, "pool_timeout": 30}
    assert engine_options("sqlite:///:memory:") == {"pool_pre_ping": True}


# --- Login throttling's storage in production ------------------------------------------------------

def test_production_without_a_rate_limit_storage_refuses_to_start(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-production-secret")
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", None)
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI is not set") as refused:
        create_app(ProductionConfig)
    assert "redis://127.0.0.1:6379/0" in str(refused.value) and "`memory://` explicitly" in str(refused.value)


def test_production_with_memory_storage_set_explicitly_starts(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-production-secret")
    monkeypatch.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", "memory://")
    assert create_app(ProductionConfig).config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_development_counts_in_memory_by_default(monkeypatch):
    class Dev(Config):
        RATELIMIT_STORAGE_URI = None

    assert create_app(Dev).config["RATELIMIT_STORAGE_URI"] == "memory://"


def _run_production(env_overrides: dict) -> subprocess.CompletedProcess:
    # In a process of its own: the login limiter is one per process, and a test app must keep its storage.
    return _run_factory({"APP_ENV": "production", "SECRET_KEY": "a-production-secret",
                         "RATELIMIT_STORAGE_URI": "", **env_overrides})


def test_production_environment_refuses_to_start_without_rate_limit_storage():
    result = _run_production({})
    assert result.returncode != 0
    assert "RATELIMIT_STORAGE_URI is not set. Point it at Redis (e.g. `redis://127.0.0.1:6379/0`)" in result.stderr


def test_production_environment_starts_with_redis_rate_limit_storage():
    result = _run_production({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert result.returncode == 0, result.stderr
