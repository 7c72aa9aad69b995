"""Login and logout. Every admin page requires a logged-in, active user."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l, gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from werkzeug.security import check_password_hash, generate_password_hash

from admin.generate import StorableValue
from admin.saved_views import load_user_with_views
from extensions import login_manager
from models import User, db, utcnow
from rules.core import record_event

auth = Blueprint("auth", __name__)

# Checked when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("no such user")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[StorableValue(), DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session id `<user id>:<session epoch>`; a raised epoch ends old sessions."""
    user_id, _sep, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = load_user_with_views(int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("admin.index")


@auth.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on valid credentials start a fresh session."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None:
            check_password_hash(_UNKNOWN_USER_HASH, form.password.data)
        elif user.active and user.check_password(form.password.data):
            user.last_login_at = utcnow()
            record_event(db.session, user=user, action="login", entity="app_user",
                         entity_id=user.id, remote_addr=request.remote_addr)
            db.session.commit()
            session.clear()  # a fresh session: nothing from before login carries over,
            g.pop("csrf_token", None)  # not even the CSRF token cached for this request
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        record_event(db.session, user=None, action="login_failed", entity="app_user",
                     entity_id=user.id if user else None, after={"email": email[:254]},
                     remote_addr=request.remote_addr)
        db.session.commit()
        flash(_("Invalid e-mail or password."), "danger")
    elif request.method == "POST" and form.errors:
        flash(_("Invalid e-mail or password."), "danger")
    return render_template("auth/login.html", form=form)


@auth.route("/logout", methods=["POST"])
def logout():
    """End the session (state changes only by POST, with the CSRF token)."""
    if current_user.is_authenticated:
        record_event(db.session, user=current_user, action="logout", entity="app_user",
                     entity_id=current_user.id, remote_addr=request.remote_addr)
        db.session.commit()
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))
