"""Security headers on every kind of page, a friendly 413, and no stack traces (failures are logged)."""
import logging
import re

import pytest
from sqlalchemy import select

from models import Role, SalesOrder, db
from tests.clients import browser, logged_in
from tests.conftest import DEMO_LOGINS


def order_id() -> int:
    return db.session.scalar(select(SalesOrder.id).order_by(SalesOrder.id).limit(1))


PAGES = {  # page type → (who, path)
    "login": (None, "/login"),
    "dashboard": (Role.manager, "/admin/"),
    "list": (Role.manager, "/admin/sales_order/"),
    "details": (Role.manager, "/admin/sales_order/details/?id={id}"),
    "edit": (Role.manager, "/admin/sales_order/edit/?id={id}"),
    "create": (Role.manager, "/admin/sales_order/new/"),
    "export": (Role.manager, "/admin/sales_order/export/csv/"),
    "lookup": (Role.manager, "/admin/sales_order/ajax/lookup/?name=account&query="),
    "my account": (Role.manager, "/admin/my-account/"),
    "refused": (Role.coordinator, "/admin/approval_policy/"),
    "missing": (Role.manager, "/admin/no-such-page/"),
    "redirect": (None, "/admin/"),
    "health": (None, "/healthz"),
    "static": (None, "/static/desk/desk.js"),
}


@pytest.mark.parametrize("page", PAGES)
def test_security_headers_on_every_page_type(app, page):
    who, path = PAGES[page]
    client = logged_in(app, DEMO_LOGINS[who]) if who else browser(app)
    response = client.get(path.format(id=order_id()))
    response.get_data()
    response.close()
    assert response.status_code in {200, 302, 403, 404}
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'", csp)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_every_response_gets_a_new_nonce_and_the_page_uses_it(app):
    client = logged_in(app, DEMO_LOGINS[Role.manager])
    nonces = []
    for _ in range(2):
        response = client.get(f"/admin/sales_order/edit/?id={order_id()}")
        nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
        html = response.get_data(as_text=True)
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_hsts_over_https(app):
    response = browser(app).get("/login", base_url="https://desk.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_too_large_request_gets_a_friendly_413(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    client = logged_in(app, DEMO_LOGINS[Role.manager])
    response = client.post("/admin/product/new/", data={"name": "x" * 5000})
    assert response.status_code == 413
    assert "larger than the panel accepts" in response.get_data(as_text=True)


def test_a_failure_is_a_friendly_page_and_a_log_line_never_a_trace(app, monkeypatch, caplog):
    def broken():
        raise RuntimeError("secret internals")

    monkeypatch.setitem(app.view_functions, "healthz", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level(logging.ERROR):
        response = browser(app).get("/healthz")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "The error was logged" in page
    assert "secret internals" not in page and "Traceback" not in page
    assert any("secret internals" in (r.exc_text or str(r.exc_info)) for r in caplog.records)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_debug_is_off_outside_development(app):
    assert not app.debug
    from config import ProductionConfig
    assert not getattr(ProductionConfig, "DEBUG", False)
