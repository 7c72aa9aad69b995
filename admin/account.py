"""Account security: "My account" (change your own password) and, in the users admin, the acting
admin's current password before setting a password or changing an e-mail or role."""
from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from sqlalchemy import inspect
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from admin.passwords import StrongPassword
from models import db
from rules.core import record_event

class UnboundPasswordField(PasswordField):
    """A password typed into a record's form that is never copied onto the record itself."""

    def populate_obj(self, obj, name) -> None:
        pass


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))])


class MyAccountView(BaseView):
    """"My account": change your own password; your other sessions end, this one continues."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def is_visible(self) -> bool:
        return False  # linked from the user's name in the navigation bar, not a menu entry

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = ChangePasswordForm()
        if form.validate_on_submit():
            user = current_user._get_current_object()
            if user.check_password(form.current_password.data):
                self.change_password(user, form.new_password.data)
                flash(_("Your password was changed. Your other sessions have ended."), "info")
                return redirect(url_for(".index"))
            form.current_password.errors = [_("Your current password is not right.")]
        return self.render("auth/account.html", form=form)

    @staticmethod
    def change_password(user, password: str) -> None:
        user.set_password(password)
        user.session_epoch += 1
        record_event(db.session, user=user, action="password_changed", entity="app_user",
                     entity_id=user.id, remote_addr=request.remote_addr)
        db.session.commit()
        session.clear()
        login_user(user)  # a new session under the new epoch


def register_my_account(app: Flask) -> None:
    """Add "My account" at /admin/my-account/."""
    app.extensions["admin"][0].add_view(MyAccountView(name=_l("My account"), endpoint="my_account",
                                                      url="/admin/my-account"))


class ReauthenticationRequired(Exception):
    """The acting user's current password was needed and not given correctly."""


class ConfirmWithPasswordMixin:
    """Users admin: setting a password, or changing an e-mail or role, needs the acting admin's password."""

    sensitive_columns = ("email", "role")

    def _with_password_fields(self, form_class):
        return type(form_class.__name__, (form_class,), {
            "new_password": UnboundPasswordField(
                _l("Set a new password"), validators=[Optional(), StrongPassword()],
                description=_l("Leave empty to keep the current one. The user's sessions end.")),
            "current_password": UnboundPasswordField(
                _l("Your current password"), validators=[Length(max=200)],
                description=_l("Needed to set a password, or to change an e-mail or role.")),
        })

    def get_create_form(self):
        return self._with_password_fields(super().get_create_form())

    def get_edit_form(self):
        return self._with_password_fields(super().get_edit_form())

    def needs_reauthentication(self, form, model, is_created: bool) -> bool:
        state = inspect(model)
        return bool(is_created or form.new_password.data
                    or any(state.attrs[name].history.has_changes() for name in self.sensitive_columns))

    def on_model_change(self, form, model, is_created: bool) -> None:
        if self.needs_reauthentication(form, model, is_created):
            if not current_user.check_password(form.current_password.data or ""):
                message = _("Enter your current password to set a password or change an e-mail or role.")
                form.current_password.errors = [message]
                raise ReauthenticationRequired(message)
        if form.new_password.data:
            model.set_password(form.new_password.data)
            model.session_epoch = (model.session_epoch or 0) + 1
        super().on_model_change(form, model, is_created)

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, ReauthenticationRequired):
            db.session.rollback()
            flash(_("Not saved: %(problem)s", problem=str(exc)), "error")
            return True
        return super().handle_view_exception(exc)
