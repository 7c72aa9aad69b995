"""Sessions: a fresh one on login; logout and deactivation end a user's sessions everywhere; idle and
absolute timeouts; cookie flags."""
from datetime import timedelta

import pytest

from models import Role, db
from rules import core
from tests.conftest import DEMO_LOGINS, DEMO_PASSWORD
from tests.clients import browser, logged_in
from tests.forms import form_values



def is_logged_in(client) -> bool:
    response = client.get("/admin/")
    assert response.status_code in {200, 302}
    return response.status_code == 200


@pytest.fixture
def moving_clock(clock, monkeypatch):
    """The app's clock, from the frozen one moved forward with `moving_clock.advance(minutes=...)`."""

    class Clock:
        at = clock

        def advance(self, **delta):
            self.at += timedelta(**delta)

    moving = Clock()
    monkeypatch.setattr(core, "clock", lambda: moving.at)
    return moving


def test_login_starts_a_fresh_session(client):
    with client.session_transaction() as before_login:
        before_login["planted"] = "by someone else"
        before_login["csrf_token"] = "known-to-an-attacker"
    client.post("/login", data={"email": DEMO_LOGINS[Role.manager], "password": DEMO_PASSWORD})
    with client.session_transaction() as after_login:
        assert "planted" not in after_login
        assert after_login.get("csrf_token") != "known-to-an-attacker"
        assert "_user_id" in after_login


def test_logout_ends_the_users_sessions_on_every_browser(app):
    laptop, phone = logged_in(app, "coordinator@example.com"), logged_in(app, "coordinator@example.com")
    other = logged_in(app, "supervisor@example.com")
    assert is_logged_in(phone)
    assert laptop.post("/logout").status_code == 302
    assert not is_logged_in(laptop) and not is_logged_in(phone)
    assert is_logged_in(other)
    assert is_logged_in(logged_in(app, "coordinator@example.com"))  # logging in again works


def test_deactivating_a_user_ends_their_sessions(app, user_of):
    coordinator = logged_in(app, "coordinator@example.com")
    admin = logged_in(app, DEMO_LOGINS[Role.admin])
    user = user_of("coordinator@example.com")
    url = f"/admin/app_user/edit/?id={user.id}"
    form = form_values(admin.get(url).get_data(as_text=True))
    form.pop("active", None)  # the checkbox unticked
    assert admin.post(url, data=form).status_code == 302
    assert not is_logged_in(coordinator)
    db.session.expire_all()
    assert user_of("coordinator@example.com").active is False


def test_an_idle_session_expires_after_30_minutes(app, moving_clock):
    client = logged_in(app, "coordinator@example.com")
    moving_clock.advance(minutes=29)
    assert is_logged_in(client)  # activity restarts the idle clock
    moving_clock.advance(minutes=29)
    assert is_logged_in(client)
    moving_clock.advance(minutes=31)
    response = client.get("/admin/sales_order/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session expired. Please log in again." in page
    moving_clock.advance(minutes=1)
    assert not is_logged_in(client)


def test_an_active_session_ends_after_12_hours(app, moving_clock):
    client = logged_in(app, "coordinator@example.com")
    for _ in range(11 * 60 // 20 + 2):  # busy every 20 minutes, for 11 h 40 min
        moving_clock.advance(minutes=20)
        assert is_logged_in(client)
    moving_clock.advance(minutes=21)  # 12 h 01 min after login
    assert not is_logged_in(client)


def test_timeouts_follow_the_configuration(app, moving_clock, monkeypatch):
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 5)
    client = logged_in(app, "coordinator@example.com")
    moving_clock.advance(minutes=6)
    assert not is_logged_in(client)


def test_session_cookie_flags(app, client, monkeypatch):
    response = client.post("/login", data={"email": DEMO_LOGINS[Role.manager], "password": DEMO_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    secure = browser(app).post("/login", data={"email": DEMO_LOGINS[Role.manager],
                                                    "password": DEMO_PASSWORD},
                                    base_url="https://desk.example")
    assert "Secure" in secure.headers["Set-Cookie"]
