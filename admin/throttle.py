"""Login throttling (Flask-Limiter): failed logins are counted per account and per address.

The counts live where RATELIMIT_STORAGE_URI says: Redis (e.g. `redis://host:6379/0`) shares them between
every worker and host; `memory://` (the default outside production) keeps them per process, so with N
workers an account gets up to N times its limit. Production refuses to start without it (config.py).
"""
from __future__ import annotations

from flask import Flask, current_app, request

from extensions import limiter


def submitted_account() -> str:
    """The throttling key of a login attempt: the e-mail it tried, whoever sent it."""
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def failed(response) -> bool:
    """A login that did not succeed (success answers with a redirect into the panel)."""
    return response.status_code != 302


def register_login_throttle(app: Flask) -> None:
    """Limit POST /login per account and per address; too many failures answer 429."""
    limiter.init_app(app)
    login = app.view_functions["auth.login"]
    per_account = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=submitted_account,
                                methods=["POST"], deduct_when=failed, scope="login-account")
    per_address = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
                                methods=["POST"], deduct_when=failed, scope="login-address")
    app.view_functions["auth.login"] = per_address(per_account(login))
