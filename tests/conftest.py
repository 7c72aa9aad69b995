"""Test fixtures: one migrated, demo-seeded database per run; every test inside a rolled-back transaction.

`DATABASE_URL` picks the database (SQLite in memory by default; PostgreSQL in CI). The schema is built
by the Alembic migrations, never by `create_all`, so the tests run against what production runs.
Python's clock runs from the session's moment (`tests/clock.py`, `DESK_TEST_TODAY` picks the day) and the
demo is seeded for that day; a test that reads "today" or "now" takes the `clock` fixture, which stops
time for the test.
"""
from __future__ import annotations

import re
from datetime import datetime

import flask_migrate
import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import select, text

from app import create_app
from config import TestConfig
from models import Role, User, db, utcnow
from seed.demo import seed_demo
from tests.clock import session_clock, stopped_at

DEMO_PASSWORD = TestConfig.DEMO_PASSWORD
DEMO_LOGINS = {
    Role.coordinator: "coordinator@example.com",
    Role.supervisor: "supervisor@example.com",
    Role.manager: "manager@example.com",
    Role.admin: "admin@example.com",
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "committing: the test commits for real (threads, several connections); "
        "it must clean up after itself"
    )
    travel = session_clock()
    travel.start()
    config.add_cleanup(travel.stop)


def reset_database() -> None:
    """Drop everything the previous run left, then build the schema with the migrations."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    flask_migrate.upgrade()


@pytest.fixture(scope="session")
def app():
    from tests.clients import BrowserClient

    app = create_app(TestConfig)
    app.test_client_class = BrowserClient  # every test client loads the user of its own cookie
    with app.app_context():
        reset_database()
        with stopped_at(utcnow()):  # the seed's day and hour are read from one moment
            seed_demo(db.session, DEMO_PASSWORD)
        db.session.remove()
    return app


@pytest.fixture
def clock() -> datetime:
    """Now on the session's clock (naive UTC, on the demo's day), with time stopped there for the test."""
    moment = utcnow()
    with stopped_at(moment):
        yield moment


class _ConnectionSession(FlaskSession):
    """A session that always uses the test's connection (Flask-SQLAlchemy's would pick the engine)."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture(autouse=True)
def _rollback_after_each_test(request, app):
    """Run the test in a transaction on one connection, rolled back at the end.

    Sessions join it with SAVEPOINTs, so the panel's own `commit()` calls work and leave nothing.
    """
    if request.node.get_closest_marker("committing"):
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionSession}
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def user_of():
    """The demo user with the given e-mail."""

    def find(email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))

    return find


@pytest.fixture
def login_as(client):
    """Log the test client in as the demo user of a role (or any demo e-mail)."""

    def login(who: Role | str):
        email = DEMO_LOGINS[who] if isinstance(who, Role) else who
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"login as {email} failed"
        return client

    return login


def csrf_token_from(html: str) -> str:
    """The CSRF token rendered into a page."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)
