"""The base view every screen inherits: login required, generated defaults, safe forms."""
from __future__ import annotations

import re
from enum import Enum

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_admin import expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.model.ajax import DEFAULT_PAGE_SIZE
from flask_admin.model.fields import AjaxSelectField
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import Select2Field
from flask_admin.model import typefmt
from flask_admin.model.form import converts
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.expression import True_
from wtforms import ValidationError, validators

from admin.access import (
    BULK_EDIT, CREATE, DELETE, EDIT, EXPORT, IMPORT, MODEL_SCOPES, READ, UNDECLARED, Scope, scope_clause,
)
from admin.actions import RuleActionsMixin
from admin.audit import AuditMixin
from admin.bulk import BulkDataMixin
from admin.errors import PAGES
from admin.filters import DeskFilterConverter
from admin.generate import ModelShape, StorableValue, label_for
from admin.listing import FastListMixin
from admin.i18n import LOCALE_FORMATTERS, remembered_per_locale
from admin.queues import QueueFiltersMixin
from admin.saved_views import SavedViewsMixin
from models import Choice, db
from models.bulk import member_of
from models.values import text_problem


choice_formatter = remembered_per_locale(lambda value: gettext(value.label))


def _type_formatters(base: dict, by_locale: dict | None = None) -> dict:
    # Choice first: Flask-Admin takes the first isinstance match, and Enum would show the raw name.
    return {Choice: choice_formatter, **base, **(by_locale or {})}


class DeskModelConverter(AdminModelConverter):
    """Every column's field checks first that its value is one the column stores (text without NUL, numbers
    it holds, e-mail addresses in e-mail columns); enum columns become select boxes showing each state's label."""

    def convert(self, model, mapper, name, prop, field_args, hidden_pk):
        columns = getattr(prop, "columns", None)
        if columns and not hasattr(prop, "direction"):
            field_args = dict(field_args or {})
            field_args["validators"] = [StorableValue(columns[0]), *field_args.get("validators", ())]
        return super().convert(model, mapper, name, prop, field_args, hidden_pk)

    @converts("sqlalchemy.sql.sqltypes.Enum")
    def convert_enum(self, column, field_args, **extra):
        enum_class = column.type.enum_class
        choices = [(member.value, lazy_gettext(member.label)) for member in enum_class]
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


# Which verb each Flask-Admin endpoint needs (actions are checked per action).
VERB_OF_ENDPOINT = {
    "index_view": READ, "details_view": READ, "ajax_lookup": READ, "action_view": READ,
    "create_view": CREATE, "edit_view": EDIT, "ajax_update": EDIT, "delete_view": DELETE,
    "export": EXPORT, "import_view": IMPORT, "bulk_edit_view": BULK_EDIT,
    "save_view": READ,  # a saved view of a list is the user's own (admin/saved_views.py)
}


def row_scope(model):
    """The WHERE clause of the rows of `model` the logged-in user may see (per the model's view)."""
    scope, unowned = MODEL_SCOPES.get(model, (Scope.TEAM, frozenset()))
    return scope_clause(model, scope, current_user, unowned_roles=unowned)


def sees_every_row(model) -> bool:
    """Whether the logged-in user may see every row of `model` (their scope is no condition at all)."""
    return isinstance(row_scope(model), True_)


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """Related-record pickers offer, and accept, only rows the user may see (no other team's account)."""

    def get_query(self):
        return super().get_query().filter(row_scope(self.model))

    def get_list(self, term, offset=0, limit=DEFAULT_PAGE_SIZE):
        return [] if text_problem(term) else super().get_list(term, offset, limit)  # no row holds such text

    def get_one(self, pk):
        with db.session.no_autoflush:
            return self.get_query().filter(self.model.id == int(pk)).one_or_none() if str(pk).isdigit() else None


class RoleAccessMixin(LoginRequiredMixin):
    """Role permissions and row scoping, enforced on every endpoint of the view.

    `access` says what each role may do, `scope` which rows it sees; `hidden_columns` takes columns
    out of one role's lists, details, exports and forms. Flask-Admin's `can_*` flags follow from these.
    """

    access = UNDECLARED  # every view declares its own; a new model opens to no one who works on data
    scope = Scope.TEAM
    unowned_visible_to: frozenset = frozenset()  # roles that also see rows with no owner
    hidden_columns: dict = {}

    def allows(self, verb: str) -> bool:
        """Whether the logged-in user's role may use `verb` on this view."""
        return current_user.is_authenticated and verb in self.access.get(current_user.role, ())

    def is_accessible(self) -> bool:
        return self.allows(READ)

    def _handle_view(self, name, **kwargs):
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        verb = VERB_OF_ENDPOINT.get(name, READ)
        if not self.allows(verb):
            abort(403)
        if name == "action_view" and not self.is_action_allowed(request.form.get("action", "")):
            abort(403)
        return None

    can_create = property(lambda self: self.allows(CREATE))
    can_edit = property(lambda self: self.allows(EDIT))
    can_delete = property(lambda self: self.allows(DELETE))
    can_export = property(lambda self: self.allows(EXPORT))

    def is_action_allowed(self, name: str) -> bool:
        if name == "delete":
            return self.allows(DELETE)
        return super().is_action_allowed(name)

    # Row scoping: list, count, details, edit, delete, inline edit, export and actions all go
    # through get_query / get_count_query / get_one.
    def get_query(self):
        return super().get_query().filter(row_scope(self.model))

    def get_count_query(self):
        return super().get_count_query().filter(row_scope(self.model))

    def get_one(self, id):
        """The row if it exists and is in the user's scope; otherwise 404 (never confirms it exists)."""
        record = self.get_query().filter(self.model.id == int(id)).one_or_none() if str(id).isdigit() else None
        if record is None:
            abort(404)
        return record

    def init_actions(self) -> None:
        super().init_actions()
        if "delete" in self._actions_data:  # same label and confirmation, all-or-nothing behaviour
            _delete, text, confirm = self._actions_data["delete"]
            self._actions_data["delete"] = (self.delete_selected, text, confirm)

    def delete_selected(self, ids) -> None:
        """The list's bulk delete: every selected row in scope is deleted, or (on any refusal) none.

        Flask-Admin's own deletes and commits row by row, so a refusal half-way left half the rows gone.
        """
        wanted = {int(i) for i in ids if str(i).isdigit()}
        records = self.get_query().filter(self.model.id.in_(wanted)).all()
        try:
            for record in records:
                self.on_model_delete(record)  # refusals and the audit event
                db.session.delete(record)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            if not self.handle_view_exception(exc):
                raise
            flash(gettext("Nothing was deleted."), "error")
            return
        for record in records:
            self.after_model_delete(record)
        flash(ngettext("%(num)d record deleted.", "%(num)d records deleted.", len(records)), "success")

    def ids_in_scope(self, ids) -> set[int]:
        """Which of the posted ids the user may act on (on PostgreSQL in one query)."""
        wanted = sorted({int(i) for i in ids if str(i).isdigit()})
        found = set()
        for criterion in member_of(db.session, self.model.id, wanted):
            found.update(row_id for (row_id,) in self.get_query().with_entities(self.model.id).filter(criterion))
        return found

    def rule_scope(self):
        """The rows of this view the user may act on (read with the rows the action locks)."""
        return row_scope(self.model)

    # Columns per role.
    def _role_filtered(self, columns):
        hidden = self.hidden_columns.get(getattr(current_user, "role", None), ())
        return [column for column in columns if column[0] not in hidden]

    def _role_columns(name):
        def get(self):
            return self._role_filtered(self.__dict__.get(name, []))

        def set_(self, value):
            self.__dict__[name] = value

        return property(get, set_)

    _list_columns = _role_columns("_all_list_columns")
    _details_columns = _role_columns("_all_details_columns")
    _export_columns = _role_columns("_all_export_columns")
    del _role_columns

    def _create_ajax_loader(self, name, options):
        loader = super()._create_ajax_loader(name, options)
        return ScopedAjaxLoader(name, self.session, loader.model, **options)

    def create_form(self, obj=None):
        return self._without_hidden_fields(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._without_hidden_fields(super().edit_form(obj))

    def _without_hidden_fields(self, form):
        for name in self.hidden_columns.get(current_user.role, ()):
            if name in form:
                del form[name]
        return form


class DeskModelView(AuditMixin, BulkDataMixin, SavedViewsMixin, RoleAccessMixin, FastListMixin,
                    RuleActionsMixin, QueueFiltersMixin, ModelView):
    """The generated view. Attributes left as None are filled in from the model's columns.

    A per-entity override is a subclass that sets only what differs, e.g. `column_list`.
    """

    page_size = 20
    can_set_page_size = True
    can_view_details = True
    details_modal = False
    edit_modal = False
    create_modal = False
    column_display_pk = False
    model_form_converter = DeskModelConverter
    filter_converter = DeskFilterConverter()
    column_type_formatters = _type_formatters(typefmt.BASE_FORMATTERS, LOCALE_FORMATTERS)
    column_type_formatters_detail = _type_formatters(typefmt.DETAIL_FORMATTERS, LOCALE_FORMATTERS)
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
        MODEL_SCOPES[model] = (self.scope, self.unowned_visible_to)
        shape = ModelShape(model)
        for attribute, generate in self.GENERATED.items():
            if getattr(self, attribute, None) is None:
                setattr(self, attribute, generate(shape))
        related = {name: label_for(name.split(".")[0]) for name in self.column_searchable_list if "." in name}
        labels = {**shape.labels(), **related, **(self.column_labels or {})}
        self.column_labels = {name: lazy_gettext(label) for name, label in labels.items()}
        super().__init__(model, session, **kwargs)

    def validate_form(self, form) -> bool:
        """Also refuse a picked related id that is not one the user may pick (never drop it silently)."""
        valid = super().validate_form(form)
        for field in form:
            posted = (getattr(field, "raw_data", None) or [""])[0]
            if isinstance(field, AjaxSelectField) and posted not in ("", "__None") and field.data is None:
                field.errors = [*field.errors, gettext("Not a valid choice: that record is not available to you.")]
                valid = False
        return valid

    def write_refusal(self, record) -> str | None:
        """Why this user may not save or delete this record in a form (None: they may). Views override."""
        return None

    def _refuse_write(self, record) -> None:
        reason = self.write_refusal(record)
        if reason:
            raise ValidationError(reason)

    def _refuse_stored_row(self, id) -> None:
        """403 with the reason when the row as stored is not the user's to change (404 when out of scope)."""
        reason = self.write_refusal(self.get_one(id)) if id is not None else None
        if reason:
            title, _message = PAGES[403]
            abort(make_response(render_template("error.html", title=title, message=reason), 403))

    # The list shows no edit or delete button on such a row: a typed URL or a stale page gets the reason,
    # not a form that can never be saved.
    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        self._refuse_stored_row(request.args.get("id"))
        return super().edit_view()

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        self._refuse_stored_row(request.form.get("id"))
        return super().delete_view()

    def on_model_delete(self, model) -> None:
        self._refuse_write(model)
        super().on_model_delete(model)

    def on_model_change(self, form, model, is_created: bool) -> None:
        self._refuse_write(model)
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
        if isinstance(exc, ValidationError):  # a write_refusal, or a rule raised while saving
            db.session.rollback()
            flash(gettext("Not saved: %(problem)s", problem=str(exc)), "error")
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
