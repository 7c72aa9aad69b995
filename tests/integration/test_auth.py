"""Login, logout, anonymous access and CSRF."""
import pytest
from sqlalchemy import func, select

from models import AuditEvent, Product, Role, db
from tests.conftest import DEMO_PASSWORD, csrf_token_from


def admin_urls(app) -> list[str]:
    """Every admin URL, with a record id where the page needs one (generated from the URL map)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin") and "GET" in rule.methods and not rule.arguments - {"filename"}:
            if rule.endpoint == "admin.static":
                continue
            urls.append(rule.rule + "?id=1")
    return sorted(urls)


def test_login_with_the_right_password_opens_the_panel(client):
    response = client.post("/login", data={"email": "manager@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200


def test_login_is_case_insensitive_on_the_email(client):
    response = client.post("/login", data={"email": "Manager@Example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("email", ["manager@example.com", "nobody@example.com"])
def test_wrong_credentials_get_one_generic_message(client, email):
    response = client.post("/login", data={"email": email, "password": "wrong-password"})
    assert response.status_code == 200
    assert b"Invalid e-mail or password." in response.data
    assert client.get("/admin/").status_code == 302


def test_failed_and_successful_logins_are_audited(client):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    client.post("/login", data={"email": "manager@example.com", "password": "nope-nope"})
    client.post("/login", data={"email": "manager@example.com", "password": DEMO_PASSWORD})
    actions = db.session.scalars(
        select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(2)
    ).all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before + 2
    assert actions == ["login", "login_failed"]


def test_inactive_user_cannot_log_in(client, user_of):
    user = user_of("coordinator@example.com")
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert b"Invalid e-mail or password." in response.data


def test_logout_ends_the_session(login_as):
    client = login_as(Role.coordinator)
    assert client.get("/admin/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_logout_is_not_a_get(login_as):
    client = login_as(Role.coordinator)
    assert client.get("/logout").status_code == 405
    assert client.get("/admin/").status_code == 200


def test_login_does_not_follow_an_offsite_next(client):
    response = client.post("/login?next=https://evil.example/x",
                           data={"email": "manager@example.com", "password": DEMO_PASSWORD})
    assert response.headers["Location"].endswith("/admin/")


def test_every_admin_url_sends_anonymous_users_to_login(app, client):
    urls = admin_urls(app)
    assert len(urls) > 100  # every model's list, new, edit, details, ajax and export pages
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_anonymous_posts_change_nothing(app, client):
    count = db.session.scalar(select(func.count()).select_from(Product))
    response = client.post("/admin/product/new/", data={"sku": "X-1", "name": "X", "division": "doors",
                                                       "list_price": "1", "unit": "pcs"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Product)) == count


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_login_without_csrf_token_is_refused(client, csrf_on):
    response = client.post("/login", data={"email": "manager@example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 400


def test_admin_post_without_csrf_token_is_refused_and_changes_nothing(client, csrf_on):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": "manager@example.com", "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    count = db.session.scalar(select(func.count()).select_from(Product))
    form = {"sku": "CSRF-1", "name": "No token", "division": "doors", "list_price": "10", "unit": "pcs"}
    assert client.post("/admin/product/new/", data=form).status_code == 400
    assert client.post("/admin/product/new/", data={**form, "csrf_token": "forged"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Product)) == count
    token = csrf_token_from(client.get("/admin/product/new/").get_data(as_text=True))
    assert client.post("/admin/product/new/", data={**form, "csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Product)) == count + 1
