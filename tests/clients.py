"""Several people at once: test clients that each load their own user, like separate browsers."""
from flask import g
from flask.testing import FlaskClient

from tests.conftest import DEMO_PASSWORD


class BrowserClient(FlaskClient):
    """A test client whose requests load the user of its own cookie.

    The test's pushed app context is shared by every client's requests, so Flask-Login's per-request
    user cache (`g._login_user`) would otherwise hand one client's user to the next.
    """

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def browser(app) -> BrowserClient:
    return BrowserClient(app, app.response_class, use_cookies=True)


def logged_in(app, email: str, password: str = DEMO_PASSWORD) -> BrowserClient:
    """A new browser, logged in as `email`."""
    client = browser(app)
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"login as {email} failed"
    return client
