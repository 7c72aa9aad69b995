"""List pages that stay fast on large tables: a capped row count, and search that can use an index.

- The count stops at `COUNT_CAP` + 1 rows: below the cap the list shows the exact number, past it
  "10,000+" (and a previous/next pager), so no page scans a whole large table to count it.
- Search: a term that looks like a document number or an e-mail is matched exactly on the columns
  that hold those; other text is matched anywhere in the value on PostgreSQL (trigram indexes) and
  by prefix on SQLite (a range over the column's index).
- A related column's search (`account.name`) becomes `account_id IN (SELECT id ... WHERE ...)`, so it
  uses the related table's index instead of joining every row.
- `matching_query()` is the list page's own query (scope, search, filters, sort) across every page,
  without paging or counting: what exports and "every matching row" bulk edits read.
"""
from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import quote

from flask import abort, flash, g, has_request_context, request
from flask_babel import get_locale, gettext
from flask_admin.model.template import (
    DeleteRowAction, EditPopupRowAction, EditRowAction, TemplateLinkRowAction,
)
from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy import any_, case, column, false, func, inspect, or_, select, table
from sqlalchemy.sql.elements import True_
from sqlalchemy.orm import Query

from admin.i18n import format_number, translated
from models import db
from models.bulk import on_postgresql
from models.values import text_problem

COUNT_CAP = 10_000
ESTIMATE_MARGIN = 10
PG_CLASS = table("pg_class", column("oid"), column("reltuples"))  # PostgreSQL's table statistics

DOCUMENT_NUMBER = re.compile(r"^[A-Za-z]{1,4}-\d{4}-\d+$|^\d{3,}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
IDENTIFIER_COLUMNS = ("number", "sku", "customer_po", "booking_ref", "tracking_number", "reference",
                      "vat_number", "entity_id")


class CappedCount(int):
    """A row count that may have stopped at the cap: shown as "10,000+" then."""

    def __new__(cls, value: int, cap: int):
        count = super().__new__(cls, min(value, cap + 1))
        count.cap = cap
        return count

    @property
    def capped(self) -> bool:
        return self > self.cap

    def __str__(self) -> str:
        """Written as the request's locale writes numbers ("10 000+" in Polish); English outside a request."""
        shown = self.cap if self.capped else int(self)
        text = format_number(shown) if has_request_context() else f"{shown:,}"
        return f"{text}+" if self.capped else text

    __html__ = __str__


class CappedCountQuery(Query):
    """A query of row ids whose `scalar()` counts them, reading at most `COUNT_CAP` + 1 rows.

    On PostgreSQL an unfiltered list of a table that the statistics put at `ESTIMATE_MARGIN` times the
    cap or more is not counted at all, in the same statement: it is past the cap (autovacuum keeps the
    statistics; a table would have to lose nine rows in ten unnoticed for the "10,000+" to be wrong).
    """

    def scalar(self):
        cap = COUNT_CAP
        counted = select(func.count()).select_from(self.limit(cap + 1).subquery()).scalar_subquery()
        if self._unfiltered_on_postgresql():
            table = self.column_descriptions[0]["entity"].__table__
            estimate = (select(PG_CLASS.c.reltuples).where(PG_CLASS.c.oid == func.to_regclass(table.name))
                        .scalar_subquery())
            counted = case((estimate >= cap * ESTIMATE_MARGIN, cap + 1), else_=counted)
        return CappedCount(self.session.scalar(select(counted)), cap)

    def _unfiltered_on_postgresql(self) -> bool:
        where = self.whereclause  # None, or `true()` as an unscoped role's scope puts it
        return ((where is None or isinstance(getattr(where, "element", where), True_))
                and self.session.get_bind().dialect.name == "postgresql")


def looks_like_number(term: str) -> bool:
    return bool(DOCUMENT_NUMBER.match(term))


def looks_like_email(term: str) -> bool:
    return bool(EMAIL.match(term))


def prefix_range(column, term: str):
    """`column` starts with `term` as typed, in lower case, or capitalised: ranges a b-tree index serves."""
    variants = {term, term.lower(), term.capitalize(), term.upper()}
    return or_(*(column.between(v, v + "\U0010ffff") for v in sorted(variants)))


def contains(column, term: str):
    """`column` contains `term` anywhere (PostgreSQL, served by its trigram index)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


ROW_ID_MARK = "rowidmark7f3a"  # survives URL quoting and HTML escaping unchanged
CELL_VALUE_MARK = "cellvaluemark7f3a"


class Stamp:
    """HTML rendered once with marks in place of per-row values, then filled in for each row.

    The marks are plain letters and digits, so escaping and URL quoting leave them as they are, and a
    value that happens to contain a mark's text is never mistaken for one (the HTML is split once).
    """

    def __init__(self, html: str, *marks: str):
        self.parts = re.split(f"({'|'.join(marks)})", str(html))

    def __call__(self, **values: str) -> str:
        return "".join(values[part] if index % 2 else part for index, part in enumerate(self.parts))


class RowActionsHtml:
    """One list page's row buttons, each rendered once and then stamped with every row's id.

    Flask-Admin renders each row's view/edit/delete buttons through Jinja macros and a WTForms delete
    form (three macro calls per row). Their HTML depends only on the row's id, so each is rendered once
    for the page with a mark in place of the id, and the mark is replaced per row. Actions whose HTML
    depends on the row (the rule actions menu, any other) render per row, through `page_renderer` when
    they offer one (their page-wide parts computed once). The edit and delete buttons are left out of a
    row the view's `write_refusal` says the user may not change (the server refuses it all the same).
    """

    def __init__(self, context, actions):
        self.view = context.resolve("admin_view")
        stand_in = SimpleNamespace(**{self.view._primary_key: ROW_ID_MARK})
        self.context, self.actions, self.parts = context, actions, []
        for action in actions:
            if isinstance(action, TemplateLinkRowAction):
                part = Stamp(action.render(context, ROW_ID_MARK, stand_in), ROW_ID_MARK)
            elif hasattr(action, "page_renderer"):
                part = action.page_renderer(context)
            else:
                part = (lambda row_id, row, action=action: action.render(context, row_id, row))
            self.parts.append((isinstance(action, WRITE_BUTTONS), action, part))

    def __call__(self, row_id, row) -> Markup:
        writable = not self.view.write_refusal(row)
        shown = [(action, part) for writes, action, part in self.parts if writable or not writes]
        row_mark = quote(str(row_id), safe="")
        if row_mark != str(escape(row_id)):  # an id that URLs and HTML spell differently: render it all
            return Markup("".join(str(action.render(self.context, row_id, row)) for action, _part in shown))
        return Markup("".join(part(**{ROW_ID_MARK: row_mark}) if isinstance(part, Stamp) else str(part(row_id, row))
                              for _action, part in shown))


WRITE_BUTTONS = (EditRowAction, EditPopupRowAction, DeleteRowAction)


# Inline-edit widgets whose HTML depends only on the row's id and shown value (not on the field's data).
STAMPED_EDITORS = {"StringField", "TextAreaField", "IntegerField", "FloatField", "DecimalField", "DateField",
                   "DateTimeField", "TimeField", "SelectField", "Select2Field"}


class CellValues:
    """What a list page shows in a cell: Flask-Admin's `_get_list_value`, with its lookups done once per
    page rather than per cell — the column's formatter and choices, the type formatter of each value type
    (found as Flask-Admin finds it, the first whose type the value is an instance of), and the locale
    the per-locale formatters write in."""

    def __init__(self, view, context):
        self.view, self.context = view, context
        self.formatters = view.column_formatters  # each a descriptor lookup in Flask-Admin: read once
        self.type_formatters = view.column_type_formatters
        self.choices = view._column_choices_map
        self.by_type: dict[type, object] = {}
        self.locale = str(get_locale())

    def _type_formatter(self, value):
        kind = type(value)
        if kind not in self.by_type:
            found = next((f for typeobj, f in self.type_formatters.items() if isinstance(value, typeobj)), None)
            self.by_type[kind] = found.for_locale(self.locale) if hasattr(found, "for_locale") else found
        return self.by_type[kind]

    def __call__(self, row, name: str):
        view = self.view
        column_formatter = self.formatters.get(name)
        if column_formatter is not None:
            value = column_formatter(view, self.context, row, name)
        else:
            value = view._get_field_value(row, name)
        choices = self.choices.get(name)
        if choices:
            return choices.get(value) or value
        formatter = self._type_formatter(value)
        return formatter(view, value, name) if formatter is not None else value


class RowCellsHtml:
    """One list page's data cells, a row at a time, as Flask-Admin's list template would write them.

    A cell shows the column's formatted value; an inline-editable column's widget is rendered once for
    the page with marks for the row's id and value, then stamped per row (Flask-Admin builds a form
    per row and renders each widget through WTForms). Widgets that show the field's own data (yes/no,
    related-record pickers) are still rendered per row from that row's form.
    """

    def __init__(self, context, view, columns):
        self.context, self.view, self.columns = context, view, [name for name, _label in columns]
        self.value_of = CellValues(view, context)
        self.openings = {name: f'<td class="col-{escape(name)}">' for name in self.columns}
        self.editors: dict[str, Stamp | None] = {}
        editable = [name for name in self.columns if view.is_editable(name)]
        if editable:
            form = view.list_form()
            csrf = self._csrf(form)
            for name in editable:
                if form[name].type in STAMPED_EDITORS:
                    html = form[name](pk=ROW_ID_MARK, display_value=CELL_VALUE_MARK, csrf=csrf)
                    self.editors[name] = Stamp(html, ROW_ID_MARK, CELL_VALUE_MARK)
                else:
                    self.editors[name] = None

    def _csrf(self, form) -> str:
        token = getattr(form, "csrf_token", None)
        if token:
            return token._value()
        make_token = self.context.resolve("csrf_token")
        return make_token() if callable(make_token) else ""

    def __call__(self, row) -> Markup:
        view, value_of = self.view, self.value_of
        cells = []
        for name in self.columns:
            value = value_of(row, name)
            if name not in self.editors:
                shown = escape(value)
            elif self.editors[name] is not None:
                shown = self.editors[name](**{ROW_ID_MARK: str(escape(view.get_pk_value(row))),
                                              CELL_VALUE_MARK: str(escape(value))})
            else:
                form = view.list_form()
                form.process(obj=row)
                shown = form[name](pk=view.get_pk_value(row), display_value=value, csrf=self._csrf(form))
            cells.append(f'{self.openings[name]}{shown}</td>')
        return Markup("".join(cells))


class RowHtml:
    """One list page's rows as Flask-Admin's list template writes them: the selection box, the row
    buttons (`RowActionsHtml`) and the data cells (`RowCellsHtml`), one call per row."""

    def __init__(self, context, view):
        self.view = view
        self.checkbox = None
        if context.resolve("actions"):
            title = escape(context.resolve("_gettext")("Select record"))
            self.checkbox = Stamp(f'<td><input type="checkbox" name="rowid" class="action-checkbox" '
                                  f'value="{ROW_ID_MARK}" title="{title}" /></td>', ROW_ID_MARK)
        self.buttons = RowActionsHtml(context, context.resolve("list_row_actions")) \
            if view.column_display_actions else None
        self.cells = RowCellsHtml(context, view, context.resolve("list_columns"))

    def __call__(self, row) -> Markup:
        row_id = self.view.get_pk_value(row)
        html = []
        if self.checkbox is not None:
            html.append(self.checkbox(**{ROW_ID_MARK: str(escape(row_id))}))
        if self.buttons is not None:
            html.append(f'<td class="list-buttons-column">{self.buttons(row_id, row)}</td>')
        html.append(self.cells(row))
        return Markup("".join(html))


STATIC_URLS: dict[tuple, str] = {}  # (endpoint, script root, arguments) → URL


class FastListMixin:
    """Capped counts and index-friendly search for a Flask-Admin SQLAlchemy view."""

    list_template = "admin/desk_list.html"

    @pass_context
    def row_html(self, context, row) -> Markup:
        """A row's cells: the page's renderer is built on the request's first row, then filled in per row."""
        pages = request.environ.setdefault("desk.rows", {})  # this request's, whatever the app context
        if id(self) not in pages:
            pages[id(self)] = RowHtml(context, self)
        return pages[id(self)](row)

    def get_url(self, endpoint, **kwargs):
        """URLs of static files are the same on every request: each is built once (a page asks for ~20)."""
        if not endpoint.endswith(".static"):
            return super().get_url(endpoint, **kwargs)
        key = (endpoint, request.script_root, tuple(sorted(kwargs.items())))
        if key not in STATIC_URLS:
            STATIC_URLS[key] = super().get_url(endpoint, **kwargs)
        return STATIC_URLS[key]

    def _get_filter_groups(self):
        """The filter menu in the request's language: fixed when the view is built, so kept per language."""
        kept = self.__dict__.setdefault("filter_groups_by_language", {})
        key = (str(get_locale()), id(self._filter_groups))
        if key not in kept:
            kept[key] = super()._get_filter_groups()
        return kept[key]

    def list_form(self, obj=None):
        """Flask-Admin's list page asks for a form per row; its cells need none (`RowCellsHtml`)."""
        if obj is not None and request.endpoint == f"{self.endpoint}.index_view":
            return None
        return super().list_form(obj)

    def _apply_pagination(self, query, page, page_size):
        """A later page reads its ids first, then only those rows with their joins (a deferred join).

        `OFFSET n` then walks the index of ids (scope, filters and sort as the page's own query)
        instead of building n joined rows to throw away; still one statement.
        """
        page_size = self.page_size if page_size is None else page_size
        if not page or not page_size:
            return super()._apply_pagination(query, page, page_size)
        ids = query.with_entities(self.model.id).offset(page * page_size).limit(page_size)
        return query.filter(self.model.id.in_(ids.scalar_subquery())).limit(page_size)

    def scaffold_auto_joins(self):
        """The related records the list shows, joined into the page's query. Flask-Admin leaves out a
        relation to the model itself (a user's manager), which then loads row by row."""
        if not self.column_auto_select_related:
            return []
        related = {rel.key for rel in inspect(self.model).relationships
                   if rel.direction.name in ("MANYTOONE", "MANYTOMANY")}
        return [getattr(self.model, name) for name, _label in self._list_columns if name in related]

    def get_count_query(self):
        """The ids to count (a view's scoping filters it further, like Flask-Admin's own count query)."""
        return CappedCountQuery([self.model.id], session=db.session)

    def _apply_search(self, query, count_query, joins, count_joins, search):
        condition = self.search_condition(search.strip())
        if condition is None:
            return query, count_query, joins, count_joins
        query = query.filter(condition)
        if count_query is not None:
            count_query = count_query.filter(condition)
        return query, count_query, joins, count_joins

    def search_condition(self, term: str):
        """The WHERE clause of a search: exact for numbers and e-mails, else text match; None if empty."""
        if not term:
            return None
        if text_problem(term):  # no row holds such text (the list says so: `_list_filters`)
            return false()
        fields = [(column, path) for column, path in self._search_fields]
        if looks_like_number(term):
            exact = [(c, p) for c, p in fields if c.key in IDENTIFIER_COLUMNS]
            if exact:
                return or_(*(self._on_path(c == term, c, p) for c, p in exact))
        if looks_like_email(term):
            exact = [(c, p) for c, p in fields if "email" in c.key]
            if exact:
                return or_(*(self._on_path(c == term, c, p) for c, p in exact))
        match = contains if on_postgresql(db.session) else prefix_range
        return or_(*(self._on_path(match(c, term), c, p) for c, p in fields))

    def _on_path(self, condition, column, path):
        """The condition on this model, through the foreign key for a related column.

        On PostgreSQL as `fk = ANY(ARRAY(SELECT id ...))`: an index condition, so that a search over the
        model's own columns or a related one is one BitmapOr of index scans (`fk IN (SELECT ...)` inside
        an OR is a filter, read against every row of the table). Elsewhere `fk IN (SELECT id ...)`.
        """
        for relationship in reversed(path or []):
            prop = relationship.property
            (local, remote), = prop.local_remote_pairs
            related = select(remote).where(condition)
            if on_postgresql(db.session):
                condition = local == any_(func.array(related.scalar_subquery()))
            else:
                condition = local.in_(related)
        return condition


LIST_ARGUMENTS = ("search", "sort", "desc")


class MatchingRowsMixin:
    """`matching_query()`: the list page's own query (scope, search, filters, sort) without paging.

    A filter the list does not have, or a value it does not take, is named: the list page says so above
    the rows it shows (as Flask-Admin does, without that filter); what reads every matching row (an
    export, a bulk edit) refuses with 400 before it reads anything.
    """

    def _list_filters(self) -> tuple[list, list[str]]:
        """The URL's filters as Flask-Admin applies them, and a message for each it cannot apply (or the search)."""
        filters, problems = [], []
        search_problem = text_problem(request.args.get("search", ""))
        if search_problem:
            problems.append(gettext("Search: %(problem)s", problem=translated(search_problem)))
        for arg, value in request.args.items():
            if not arg.startswith("flt"):
                continue
            position, _, key = arg[3:].partition("_")
            idx, flt = (self._filter_args or {}).get(key, (None, None))
            if flt is None:
                problems.append(gettext("The list has no filter “%(filter)s”.", filter=key))
            elif problem := text_problem(value):
                problems.append(f"{flt.name}: {translated(problem)}")
            elif not flt.validate(value):
                problems.append(gettext("%(filter)s: “%(value)s” is not a value this filter takes.",
                                        filter=flt.name, value=value))
            else:
                filters.append((position, (idx, str(flt.name), value)))
        return [f for _position, f in sorted(filters, key=lambda n: n[0])], problems

    def _get_list_filter_args(self):
        filters, problems = self._list_filters()
        for problem in problems:
            flash(problem, "error")
        return filters if self._filters else None

    def refuse_bad_list_arguments(self) -> None:
        """400 naming each filter (or the search) of the URL the list cannot apply; nothing is read."""
        problems = self._list_filters()[1]
        if problems:
            abort(400, " ".join(problems))

    def matching_query(self):
        """The query of the list page the current URL describes, every page, no COUNT."""
        self.refuse_bad_list_arguments()
        args = self._get_list_extra_args()
        sort = self._get_column_by_idx(args.sort)
        g.skip_list_count = True
        try:
            _count, query = self.get_list(0, sort[0] if sort else None, args.sort_desc, args.search,
                                          args.filters, execute=False, page_size=0)
        finally:
            g.skip_list_count = False
        return query

    def get_count_query(self):
        if g.get("skip_list_count"):
            return None
        return super().get_count_query()


def list_arguments() -> dict[str, str]:
    """The current URL's search, filters and sort, to carry over to another page of the same list."""
    return {key: value for key, value in request.args.items()
            if key.startswith("flt") or key in LIST_ARGUMENTS}
