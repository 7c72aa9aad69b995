"""Configuration from the environment.

`Config` is what runs in development and production; `TestConfig` is what the test suite uses.
Every setting can be given as an environment variable of the same name.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def engine_options(database_uri: str) -> dict:
    """SQLAlchemy engine settings: a checked connection pool sized from the environment.

    Per worker process: DB_POOL_SIZE connections kept open (default 5), DB_MAX_OVERFLOW more under a
    burst (default 10), each replaced after DB_POOL_RECYCLE seconds (default 1800, before idle-connection
    timeouts of proxies and firewalls), and a request waits at most DB_POOL_TIMEOUT seconds (default 30)
    for a free one. SQLite keeps SQLAlchemy's own pool for its file or memory database.
    """
    options = {"pool_pre_ping": True}
    if not database_uri.startswith("sqlite"):
        options.update(
            pool_size=env_int("DB_POOL_SIZE", 5),
            max_overflow=env_int("DB_MAX_OVERFLOW", 10),
            pool_recycle=env_int("DB_POOL_RECYCLE", 1800),
            pool_timeout=env_int("DB_POOL_TIMEOUT", 30),
        )
    return options


class Config:
    """Settings read from the environment when the class is first used."""

    ENV_NAME = os.environ.get("APP_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sales_desk.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # set by check() from the database URI (engine_options)
    SQLALCHEMY_RECORD_QUERIES = env_bool("SQLALCHEMY_RECORD_QUERIES")
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", 30))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", 12))
    FORCE_HTTPS = env_bool("FORCE_HTTPS")  # redirect http:// to https:// (when no proxy does it)
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", 0))  # reverse proxies in front that set X-Forwarded-*
    # Unset: memory:// outside production (one process); production must name it (see check()).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")  # panels sharing one Redis keep apart
    RATELIMIT_HEADERS_ENABLED = True  # X-RateLimit-* and, on 429, Retry-After
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute; 20 per hour")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per minute; 200 per hour")
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
    BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "en")
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "pl")
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_ALLOW = os.environ.get("METRICS_ALLOW", "127.0.0.1, ::1")  # addresses or networks that may read /metrics
    ADMIN_PAGE_SIZE = int(os.environ.get("ADMIN_PAGE_SIZE", 20))

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a configuration that is unsafe for its environment; derive the pool settings."""
        cls.SQLALCHEMY_ENGINE_OPTIONS = engine_options(cls.SQLALCHEMY_DATABASE_URI)
        if not cls.SECRET_KEY:
            if cls.ENV_NAME == "production":
                raise ConfigError(
                    "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
                    "random string (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)."
                )
            cls.SECRET_KEY = "dev-only-not-secret"
        if not cls.RATELIMIT_STORAGE_URI:
            if cls.ENV_NAME == "production":
                raise ConfigError(
                    "RATELIMIT_STORAGE_URI is not set. Point it at Redis (e.g. `redis://127.0.0.1:6379/0`) so "
                    "every worker and host counts failed logins together, or set it to `memory://` explicitly "
                    "for a single-process server (each worker counts on its own in memory)."
                )
            cls.RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)


class TestConfig(Config):
    """Isolated settings for the test suite; DATABASE_URL still selects the database."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///:memory:")
    WTF_CSRF_ENABLED = False
    # The suite logs in hundreds of times from one address; the throttling tests set their own limits.
    LOGIN_LIMIT_PER_ACCOUNT = LOGIN_LIMIT_PER_ADDRESS = "100000 per minute"
    DEMO_PASSWORD = "demo-password-123"


def config_from_environment() -> type[Config]:
    """The configuration class that APP_ENV names."""
    return ProductionConfig if os.environ.get("APP_ENV") == "production" else Config
