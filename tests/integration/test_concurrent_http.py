"""Two people approve the same quote at once through two gunicorn workers: exactly one wins, once.

Commits for real against the test database (gunicorn serves it from other processes), so it makes its
own records and deletes them afterwards. PostgreSQL only: SQLite runs one writer at a time.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from models import Account, AuditEvent, Product, Quote, QuoteLine, QuoteStatus, Role, Team, User, db
from tests import factories as make

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "race-password-123"
pytestmark = pytest.mark.committing


@pytest.fixture
def engine():
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises all writers, so two workers cannot race; run with a "
                    "PostgreSQL DATABASE_URL to prove one approval wins over HTTP")
    return db.engine


@pytest.fixture
def server(engine):
    """gunicorn with two workers over the test database, on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "SECRET_KEY": "race-test-secret"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def race_records(engine):
    """Two managers who can log in and a submitted quote, committed; deleted again afterwards."""
    with Session(engine) as session:
        first_event = session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))
        team = make.team(session=session)
        approvers = [make.user(Role.manager, team, session=session) for _ in range(2)]
        for approver in approvers:
            approver.set_password(PASSWORD)
        quote = make.quote(QuoteStatus.submitted, owner=make.user(Role.coordinator, team, session=session),
                           session=session)
        session.commit()
        ids = {"approvers": [(a.id, a.email) for a in approvers], "quote": quote.id, "team": team.id,
               "account": quote.account_id, "owner": quote.owner_id,
               "products": [line.product_id for line in quote.lines]}
    yield ids
    with Session(engine) as session:
        session.execute(text("SET LOCAL desk.audit_purge = 'on'"))  # the trail is append-only otherwise
        session.execute(delete(AuditEvent).where(AuditEvent.id > first_event))  # logins and the approval
        session.execute(delete(QuoteLine).where(QuoteLine.quote_id == ids["quote"]))
        session.execute(delete(Quote).where(Quote.id == ids["quote"]))
        session.execute(delete(Product).where(Product.id.in_(ids["products"])))
        session.execute(delete(Account).where(Account.id == ids["account"]))
        session.execute(update(Team).where(Team.id == ids["team"]).values(supervisor_id=None))
        session.execute(delete(User).where(User.id.in_([i for i, _ in ids["approvers"]] + [ids["owner"]])))
        session.execute(delete(Team).where(Team.id == ids["team"]))
        session.commit()


class Browser:
    """A client with its own cookies, posting forms with the page's CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=30).read().decode()

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self.opener.open(self.base + path, body, timeout=30).read().decode()

    @staticmethod
    def token(html: str) -> str:
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    def login(self, email: str) -> None:
        page = self.post("/login", {"email": email, "password": PASSWORD, "csrf_token": self.token(self.get("/login"))})
        assert "Log out" in page, f"login as {email} failed"


def test_two_clients_approving_one_quote_over_http_one_wins(server, race_records):
    quote_id = race_records["quote"]
    browsers = []
    for _id, email in race_records["approvers"]:
        browser = Browser(server)
        browser.login(email)
        browsers.append((browser, browser.token(browser.get("/admin/quote/"))))
    barrier = threading.Barrier(2)
    pages, errors = [], []

    def approve(browser, token):
        try:
            barrier.wait(timeout=10)
            pages.append(browser.post("/admin/quote/action/", {
                "action": "approve_quote", "rowid": str(quote_id), "csrf_token": token,
                "_inputs": "1", "reason": "Both approvers at once", "url": "/admin/quote/"}))
        except Exception as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=approve, args=pair) for pair in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    outcomes = sorted("1 approved" in page for page in pages)
    assert outcomes == [False, True], "exactly one of the two requests approves the quote"
    assert any("0 approved, 1 skipped" in page for page in pages)
    with Session(db.engine) as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "approve_quote", AuditEvent.entity_id == str(quote_id)))
        quote = session.get(Quote, quote_id)
        assert quote.status is QuoteStatus.approved
        assert quote.approved_by_id in [i for i, _ in race_records["approvers"]]
    assert events == 1
