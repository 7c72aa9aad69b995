"""Sales Support Desk: the application factory.

`create_app` reads like a table of contents; each step below is one named piece of wiring.
"""
from __future__ import annotations

from flask import Flask, jsonify, redirect, url_for
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.engine import Engine

from config import INSTANCE_DIR, Config, config_from_environment
from extensions import babel, csrf, db, login_manager, migrate
from ops.logs import register_logging
from ops.metrics import register_metrics


def create_app(config: type[Config] | None = None) -> Flask:
    """Build the panel for one configuration (the environment's when none is given)."""
    config = config or config_from_environment()
    config.check()
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), static_folder=None)
    app.config.from_object(config)
    register_logging(app)
    register_metrics(app)
    register_extensions(app)
    register_security_headers(app)
    register_auth(app)
    register_sessions(app)
    register_admin(app)
    register_account(app)
    register_desk(app)
    register_health(app)
    register_errors(app)
    register_audit(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Database, migrations, CSRF protection and translations."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"))
    csrf.init_app(app)
    from admin.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)


def register_security_headers(app: Flask) -> None:
    """Content-Security-Policy with nonces, no framing, nosniff, Referrer-Policy, HSTS over HTTPS."""
    from admin.headers import register_security_headers as register

    register(app)


def register_auth(app: Flask) -> None:
    """Flask-Login, the /login and /logout pages, and login throttling."""
    from admin.auth import auth
    from admin.throttle import register_login_throttle

    login_manager.init_app(app)
    app.register_blueprint(auth)
    register_login_throttle(app)
    app.add_url_rule("/", "root", lambda: redirect(url_for("admin.index")))


def register_sessions(app: Flask) -> None:
    """Idle and absolute session timeouts; logout and deactivation end a user's sessions everywhere."""
    from admin.sessions import register_session_limits

    register_session_limits(app)


def register_admin(app: Flask) -> None:
    """Flask-Admin with a generated view for every mapped model."""
    from admin.registry import build_admin

    build_admin(app)


def register_account(app: Flask) -> None:
    """"My account", where users change their own password."""
    from admin.account import register_my_account

    register_my_account(app)
def register_desk(app: Flask) -> None:
    """Language setting, locale formatting, and the management report."""
    from admin.i18n import init_i18n
    from admin.report import report

    init_i18n(app)
    app.register_blueprint(report)


def register_health(app: Flask) -> None:
    """`/healthz`: answers 200 when the app can reach its database, 503 when it cannot."""

    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            app.logger.exception("health check: database unreachable")
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")


def register_errors(app: Flask) -> None:
    """Friendly pages for refused, missing and failed requests; no stack traces outside debugging."""
    from admin.errors import register_error_pages

    register_error_pages(app)


def register_audit(app: Flask) -> None:
    """Refused requests go to the audit trail (edits, deletes and actions write their own events)."""
    from admin.audit import record_refusals

    record_refusals(app)


def register_commands(app: Flask) -> None:
    """`flask seed`, `create-user`, `demo`, `mark-overdue` and `roll-up`."""
    from admin.commands import create_user, demo, mark_overdue, roll_up
    from seed.commands import seed

    for command in (seed, create_user, demo, mark_overdue, roll_up):
        app.cli.add_command(command)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, and let SQLAlchemy own transactions (real SAVEPOINTs)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")

