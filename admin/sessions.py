"""Session limits: an idle timeout and an absolute one, and ending a user's sessions everywhere.

A session is a signed cookie, so it cannot be deleted on the server; it is ended by raising the user's
`session_epoch`, which the user loader (admin/auth.py) compares with the epoch the session was issued under.
"""
from __future__ import annotations

from datetime import timezone

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import user_logged_in, user_logged_out
from sqlalchemy import event, update

from models import User, db
from rules import core

STARTED, SEEN = "_started", "_seen"
# Requests that neither need a session nor keep one alive.
UNTRACKED_ENDPOINTS = frozenset({"static", "admin.static", "desk.static", "healthz"})


def timestamp() -> float:
    """Now, as seconds since the epoch (from the rules' clock, so tests can move it)."""
    return core.now().replace(tzinfo=timezone.utc).timestamp()


def start_session_clock(sender, user, **extra) -> None:
    """On login: the session's absolute and idle clocks start now."""
    session[STARTED] = session[SEEN] = timestamp()


def end_sessions_everywhere(user: User) -> None:
    """Raise the user's session epoch: every session issued before now stops working, on every server."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_epoch=User.session_epoch + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire(user)


def end_sessions_on_logout(sender, user, **extra) -> None:
    if user is not None and getattr(user, "id", None) is not None:
        end_sessions_everywhere(user)


@event.listens_for(User.active, "set")
def _end_sessions_on_deactivation(user: User, value, old, initiator) -> None:
    """A deactivated user's sessions end (and stay ended if the account is reactivated)."""
    if old is True and not value:
        user.session_epoch = (user.session_epoch or 0) + 1


def session_expiry() -> str | None:
    """Why the current session has expired ("idle" or "absolute"), or None."""
    if "_user_id" not in session:
        return None
    now = timestamp()
    config = current_app.config
    started, seen = session.get(STARTED, 0), session.get(SEEN, 0)
    if now - started > config["SESSION_MAX_HOURS"] * 3600:
        return "absolute"
    if now - seen > config["IDLE_TIMEOUT_MINUTES"] * 60:
        return "idle"
    return None


def enforce_session_limits():
    """Before each request: end an expired session (back to the login page), else note the activity."""
    if request.endpoint in UNTRACKED_ENDPOINTS or request.endpoint is None:
        return None
    if session_expiry() is None:
        if "_user_id" in session:
            session[SEEN] = timestamp()
        return None
    session.clear()  # this browser only; the user's other sessions keep their own clocks
    flash(gettext("Your session expired. Please log in again."), "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def register_session_limits(app: Flask) -> None:
    """Idle and absolute timeouts on every request; logout ends the user's sessions everywhere."""
    user_logged_in.connect(start_session_clock, app)
    user_logged_out.connect(end_sessions_on_logout, app)
    app.before_request(enforce_session_limits)
