"""The base view every screen inherits: login required, generated defaults, safe forms."""
from __future__ import annotations

from enum import Enum

from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import Select2Field
from flask_admin.model import typefmt
from flask_admin.model.form import converts
from flask_login import current_user
from wtforms import validators

from admin.generate import ModelShape
from models import Choice


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


class DeskModelView(LoginRequiredMixin, ModelView):
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

    # Generated from the model when left as None (see admin.generate.ModelShape).
    GENERATED = {
        "column_list": ModelShape.list_columns,
        "column_details_list": ModelShape.details_columns,
        "column_searchable_list": ModelShape.searchable_columns,
        "column_filters": ModelShape.filter_columns,
        "form_columns": ModelShape.form_columns,
        "form_ajax_refs": ModelShape.ajax_refs,
    }

    def __init__(self, model, session, **kwargs):
        shape = ModelShape(model)
        for attribute, generate in self.GENERATED.items():
            if getattr(self, attribute, None) is None:
                setattr(self, attribute, generate(shape))
        self.column_labels = {**shape.labels(), **(self.column_labels or {})}
        super().__init__(model, session, **kwargs)
