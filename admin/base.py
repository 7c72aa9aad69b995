"""The base view every screen inherits: login required, generated defaults, safe forms."""
from __future__ import annotations

from enum import Enum

import re

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import Select2Field
from flask_admin.model import typefmt
from flask_admin.model.form import converts
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import validators

from admin.actions import RuleActionsMixin
from admin.generate import ModelShape
from models import Choice, db


def choice_formatter(view, value: Choice, name: str) -> str:
    return value.label


def _type_formatters(base: dict) -> dict:
    # Choice first: Flask-Admin takes the first isinstance match, and Enum would show the raw name.
    return {Choice: choice_formatter, **base}


class DeskModelConverter(AdminModelConverter):
    """Enum columns become select boxes showing each state's label."""

    @converts("sqlalchemy.sql.sqltypes.Enum")
    def convert_enum(self, column, field_args, **extra):
        enum_class = column.type.enum_class
        choices = [(member.value, str(member)) for member in enum_class]
        accepted = [value for value, _label in choices]
        if column.nullable:
            field_args["allow_blank"] = True
            accepted.append(None)
        self._nullable_common(column, field_args)
        field_args["choices"] = choices
        field_args["validators"].append(validators.AnyOf(accepted))
        field_args["coerce"] = lambda v: v.value if isinstance(v, Enum) else (v or None)
        return Select2Field(**field_args)


class LoginRequiredMixin:
    """Anonymous users are sent to the login page; views declare nothing to get this."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)


class DeskModelView(LoginRequiredMixin, RuleActionsMixin, ModelView):
    """The generated view. Attributes left as None are filled in from the model's columns.

    A per-entity override is a subclass that sets only what differs, e.g. `column_list`.
    """

    page_size = 20
    can_set_page_size = True
    can_view_details = True
    can_export = True
    export_types = ["csv"]
    details_modal = False
    edit_modal = False
    create_modal = False
    column_display_pk = False
    model_form_converter = DeskModelConverter
    column_type_formatters = _type_formatters(typefmt.BASE_FORMATTERS)
    column_type_formatters_detail = _type_formatters(typefmt.DETAIL_FORMATTERS)
    column_type_formatters_export = _type_formatters(typefmt.EXPORT_FORMATTERS)
    column_default_sort = ("id", True)
    named_filter_urls = True  # `flt0_status_equals=...`: readable, and stable for saved views
    # Set to the logged-in user on create when the form does not ask for them.
    creator_fields = ("owner_id", "requested_by_id", "author_id")

    # Generated from the model when left as None (see admin.generate.ModelShape).
    GENERATED = {
        "column_list": ModelShape.list_columns,
        "column_details_list": ModelShape.details_columns,
        "column_searchable_list": ModelShape.searchable_columns,
        "column_filters": ModelShape.filter_columns,
        "form_columns": ModelShape.form_columns,
        "form_ajax_refs": ModelShape.ajax_refs,
        "form_args": ModelShape.form_args,
    }

    def __init__(self, model, session, **kwargs):
        shape = ModelShape(model)
        for attribute, generate in self.GENERATED.items():
            if getattr(self, attribute, None) is None:
                setattr(self, attribute, generate(shape))
        self.column_labels = {**shape.labels(), **(self.column_labels or {})}
        super().__init__(model, session, **kwargs)

    def on_model_change(self, form, model, is_created: bool) -> None:
        if is_created:
            for field in self.creator_fields:
                if hasattr(model, field) and getattr(model, field) is None:
                    setattr(model, field, current_user.id)
        super().on_model_change(form, model, is_created)

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, IntegrityError):
            db.session.rollback()  # before anything (the locale, the user) touches the session again
            flash(gettext("Not saved: %(problem)s", problem=describe_integrity_error(exc)), "error")
            return True
        return super().handle_view_exception(exc)


def describe_integrity_error(exc: IntegrityError) -> str:
    """A database constraint violation in words a user can act on (no SQL, no stack trace)."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    message = str(exc.orig)
    if not name:
        found = re.search(r"constraint failed: (\S+)", message)
        name = found.group(1) if found else ""
    if "UNIQUE" in message.upper() or name.startswith("uq_"):
        column = name.split(".")[-1] if "." in name else name.rsplit("_", 1)[-1]
        return gettext("another record already has this %(field)s.", field=column.replace("_", " "))
    if "FOREIGN KEY" in message.upper() or name.startswith("fk_"):
        return gettext("it refers to a record that does not exist or is still in use.")
    if name.startswith("ck_"):
        return gettext("the value breaks the rule “%(rule)s”.", rule=_humanize_check(name))
    return gettext("a required value is missing or invalid.")


def _humanize_check(name: str) -> str:
    """`ck_quote_line_quantity_positive` → 'quantity positive' (the longest table name wins)."""
    for table in sorted(db.metadata.tables, key=len, reverse=True):
        prefix = f"ck_{table}_"
        if name.startswith(prefix):
            return name[len(prefix):].replace("_", " ")
    return name.replace("_", " ")
