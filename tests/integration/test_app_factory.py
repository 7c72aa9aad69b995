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
