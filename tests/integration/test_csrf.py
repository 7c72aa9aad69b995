"""With CSRF checking on, every state-changing endpoint refuses a missing or wrong token with 400 and
changes nothing. The endpoints are read from the URL map, so a new one is covered without a new test."""
import pytest
from sqlalchemy import func, select

from models import Role, db
from tests.clients import browser
from tests.conftest import DEMO_LOGINS, DEMO_PASSWORD, csrf_token_from


@pytest.fixture(autouse=True)
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def state_changing_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.methods & {"POST", "PUT", "PATCH", "DELETE"} and not rule.arguments),
                  key=lambda rule: rule.rule)


def fingerprint() -> dict:
    """Per table: row count and the sum of versions (any insert, update or delete changes it)."""
    counts = {}
    for table in db.metadata.sorted_tables:
        columns = [func.count()]
        if "version" in table.c:
            columns.append(func.coalesce(func.sum(table.c.version), 0))
        counts[table.name] = tuple(db.session.execute(select(*columns).select_from(table)).one())
    return counts


def logged_in_with_token(app, role: Role):
    client = browser(app)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": DEMO_LOGINS[role], "password": DEMO_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client


def test_login_itself_needs_the_token(app):
    client = browser(app)
    response = client.post("/login", data={"email": DEMO_LOGINS[Role.manager], "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("role", [Role.manager, Role.admin])
def test_every_state_changing_endpoint_refuses_a_missing_or_wrong_token(app, role):
    client = logged_in_with_token(app, role)
    record_id = 1
    before = fingerprint()
    rules = [rule for rule in state_changing_rules(app) if rule.rule != "/login"]
    assert len(rules) > 100  # create, edit, delete, action, inline update for every model, and logout
    for rule in rules:
        for token in (None, "forged-token"):
            data = {"id": record_id, "rowid": record_id, "list_form_pk": record_id, "action": "delete",
                    "name": "x", "sku": "CSRF-X", "url": "/admin/"}
            if token:
                data["csrf_token"] = token
            method = "POST" if "POST" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS", "GET"})[0]
            response = client.open(f"{rule.rule}?id={record_id}", method=method, data=data)
            assert response.status_code == 400, (rule.rule, token, response.status_code)
    db.session.expire_all()
    assert fingerprint() == before
    assert client.get("/admin/").status_code == 200  # not even logged out


def test_the_right_token_is_accepted(app):
    client = logged_in_with_token(app, Role.manager)
    token = csrf_token_from(client.get("/admin/product/new/").get_data(as_text=True))
    form = {"sku": "CSRF-OK", "name": "With token", "division": "doors", "list_price": "1", "unit": "pcs",
            "csrf_token": token}
    assert client.post("/admin/product/new/", data=form).status_code == 302
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
