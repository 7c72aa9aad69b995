"""Login throttling, the password policy, "My account", and re-entering your password in the users admin."""
import pytest
from sqlalchemy import func, select

from admin.passwords import password_problem
from extensions import limiter
from models import AuditEvent, Role, User, db
from tests.clients import browser, logged_in
from tests.conftest import DEMO_LOGINS, DEMO_PASSWORD
from tests.forms import form_values

STRONG = "harbour-lantern-1987-quiet"


@pytest.fixture
def throttled(app, monkeypatch):
    """Low login limits and fresh counters."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per minute")
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "6 per minute")
    limiter.reset()
    yield
    limiter.reset()


def attempt(client, email, password="wrong-password", address="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_brute_force_on_one_account_gets_429(app, throttled):
    client = browser(app)
    for _ in range(3):
        assert attempt(client, "manager@example.com").status_code == 200
    refused = attempt(client, "manager@example.com", address="10.0.0.2")  # from elsewhere too
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert "manager@example.com" not in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0  # tells a client when to come back
    # even the right password waits: the account is throttled, not the guess
    assert attempt(client, "manager@example.com", DEMO_PASSWORD, address="10.0.0.3").status_code == 429
    # another account is not
    assert attempt(client, "supervisor@example.com", DEMO_PASSWORD, address="10.0.0.4").status_code == 302


def test_brute_force_from_one_address_gets_429(app, throttled):
    client = browser(app)
    for n in range(6):
        assert attempt(client, f"guess{n}@example.com").status_code == 200
    assert attempt(client, "someone-else@example.com").status_code == 429
    assert attempt(client, "x@example.com", address="10.9.9.9").status_code == 200


def test_successful_logins_are_not_counted(app, throttled):
    for _ in range(5):
        assert attempt(browser(app), "manager@example.com", DEMO_PASSWORD).status_code == 302


@pytest.mark.parametrize("password, refused", [
    ("short-1", "at least 12"), ("password1234", "too common"), ("qwertyuiop123", "too common"),
    ("aaaaaaaaaaaa", "too common"), (STRONG, None),
])
def test_password_policy(password, refused):
    problem = password_problem(password)
    assert (problem is None) if refused is None else (refused in problem)


def test_create_user_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "weak@example.com", "--name", "Weak", "--role", "coordinator",
        "--password", "password1234"])
    assert result.exit_code != 0 and "Password refused" in result.output
    assert db.session.scalar(select(User).where(User.email == "weak@example.com")) is None


# --- My account --------------------------------------------------------------------------------------

def change_own_password(client, current, new, confirm=None):
    return client.post("/admin/my-account/", data={"current_password": current, "new_password": new,
                                                "confirm": confirm or new})


def test_changing_your_password_needs_the_current_one(app):
    client = logged_in(app, "coordinator@example.com")
    page = change_own_password(client, "not-my-password", STRONG).get_data(as_text=True)
    assert "Your current password is not right." in page
    assert client.post("/logout").status_code == 302
    assert logged_in(app, "coordinator@example.com")  # the old password still works


def test_a_weak_new_password_is_refused(app):
    client = logged_in(app, "coordinator@example.com")
    page = change_own_password(client, DEMO_PASSWORD, "password1234").get_data(as_text=True)
    assert "too common" in page
    assert logged_in(app, "coordinator@example.com")


def test_changing_your_password_ends_your_other_sessions(app):
    here, elsewhere = logged_in(app, "coordinator@example.com"), logged_in(app, "coordinator@example.com")
    response = change_own_password(here, DEMO_PASSWORD, STRONG)
    assert response.status_code == 302
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302
    assert logged_in(app, "coordinator@example.com", STRONG)
    assert attempt(browser(app), "coordinator@example.com", DEMO_PASSWORD).status_code == 200  # refused
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "password_changed")) == 1


def test_my_account_needs_a_login(client):
    assert "/login" in client.get("/admin/my-account/").headers["Location"]


# --- Users admin ---------------------------------------------------------------------------------------

def edit_user(admin, user, **changes):
    url = f"/admin/app_user/edit/?id={user.id}"
    form = form_values(admin.get(url).get_data(as_text=True))
    return admin.post(url, data={**form, **changes})


@pytest.mark.parametrize("change", [{"role": "manager"}, {"email": "renamed@example.com"},
                                    {"new_password": STRONG}])
def test_sensitive_user_changes_need_the_admins_password(app, user_of, change):
    admin = logged_in(app, DEMO_LOGINS[Role.admin])
    user = user_of("coordinator@example.com")
    kept = (user.email, user.role, user.password_hash, user.version)
    for given in ({}, {"current_password": "not-the-admins-password"}):
        response = edit_user(admin, user, **change, **given)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Enter your current password" in page
        for name, value in change.items():
            if name != "new_password":
                assert form_values(page)[name] == value  # the typed input stays
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.email, user.role, user.password_hash, user.version) == kept


def test_an_admin_sets_a_password_with_their_own(app, user_of):
    coordinator = logged_in(app, "coordinator@example.com")
    admin = logged_in(app, DEMO_LOGINS[Role.admin])
    user = user_of("coordinator@example.com")
    response = edit_user(admin, user, role="supervisor", new_password=STRONG, current_password=DEMO_PASSWORD)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).role is Role.supervisor
    assert coordinator.get("/admin/").status_code == 302  # their sessions ended
    assert logged_in(app, "coordinator@example.com", STRONG)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update",
                                                       AuditEvent.entity == "app_user")
                              .order_by(AuditEvent.id.desc()).limit(1))
    assert event.after["role"] == "supervisor" and event.after["password_hash"] == "(hidden)"


def test_other_user_fields_need_no_password(app, user_of):
    admin = logged_in(app, DEMO_LOGINS[Role.admin])
    user = user_of("coordinator@example.com")
    assert edit_user(admin, user, name="Anna W.").status_code == 302


@pytest.mark.parametrize("change", [{"role": "manager"}, {"active": ""}])
def test_an_admin_cannot_lock_themselves_out(app, user_of, change):
    admin = logged_in(app, DEMO_LOGINS[Role.admin])
    me = user_of(DEMO_LOGINS[Role.admin])
    response = edit_user(admin, me, **change, current_password=DEMO_PASSWORD)
    assert "ask another admin" in response.get_data(as_text=True)
    db.session.expire_all()
    me = db.session.get(User, me.id)
    assert me.role is Role.admin and me.active


def test_an_admin_cannot_delete_themselves(app, user_of):
    admin = logged_in(app, DEMO_LOGINS[Role.admin])
    me = user_of(DEMO_LOGINS[Role.admin])
    response = admin.post("/admin/app_user/delete/", data={"id": me.id}, follow_redirects=True)
    assert "ask another admin" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, me.id) is not None
