"""Saved views: a list's filters, search and sort kept under a name, for yourself or shared with a role.

Every list has a *Views* menu — the user's own views of that list and the views shared with their
role, the one on screen marked — and *Save this view*. The rules, each stated once here:

- Sharing: supervisors and managers (`SHARING_ROLES`) may share a view with a role that uses the list,
  and make it that role's default for the list; everyone else saves views for themselves only.
- A role has at most one default view per list: making one the default unsets the other, in the same
  transaction (the database refuses a second one, see `models.audit.SavedView`).
- A view keeps only the list's own arguments — its filters (with valid values), search and sort — and
  is only ever applied to the list it was saved on, through a link to that list.
- A list opened with no arguments at all opens the role's default view, if it has one;
  *All records* (`?view=all`) always shows the whole list.

Editing, renaming and deleting go through the saved views screen (admin/views.py `SavedViewView`),
where only the owner writes and the same rules are checked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from flask import current_app, flash, redirect, request
from flask_admin import expose
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, joinedload
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from admin.access import READ, Scope, scope_clause
from admin.audit import audited
from admin.generate import StorableValue
from admin.i18n import translated
from models import Role, SavedView, User, db, utcnow
from rules.core import record_event, snapshot

SHARING_ROLES = frozenset({Role.supervisor, Role.manager})
ALL_RECORDS = {"view": "all"}  # an argument that is not a list argument: the whole list, no default
FILTER_ARGUMENT = re.compile(r"^flt(\d+)_(\w+)$")
NAME_LENGTH = SavedView.name.property.columns[0].type.length


def may_share(user) -> bool:
    """Whether `user` may share views with a role and make them a role's default."""
    return user.role in SHARING_ROLES


def list_view(endpoint: str):
    """The model view whose list is `endpoint` (None if there is no such list)."""
    panel = current_app.extensions["admin"][0]
    return next((view for view in panel._views if view.endpoint == endpoint and hasattr(view, "model")), None)


def roles_using(view) -> list[Role]:
    """The roles that may open the list of `view` (the roles a view of it can be shared with)."""
    return [role for role in Role if READ in view.access.get(role, ())]


# --- The list's own arguments -----------------------------------------------------------------------

def list_arguments_of(view, pairs) -> list[tuple[str, str]]:
    """The pairs that are arguments of this list, checked against it, in one order.

    Kept: its own filters with a value the filter accepts (renumbered `flt0_`, `flt1_`… in their
    order), a non-empty search, a sort by one of the list's columns and its direction. Dropped: the
    page, page size, CSRF token, return URL, and anything else.
    """
    filters, others = [], {}
    known = view._filter_args or {}
    for key, value in pairs:
        found = FILTER_ARGUMENT.match(key)
        if found:
            position, name = found.groups()
            flt = known.get(name, (None, None))[1]
            if flt is not None and flt.validate(value):
                filters.append((int(position), name, value))
        elif key == "search" and value.strip():
            others["search"] = value.strip()
        elif key == "sort" and value.isdigit() and view._get_column_by_idx(int(value)) is not None:
            others["sort"] = value
        elif key == "desc" and value == "1":
            others["desc"] = value
    if "sort" not in others:
        others.pop("desc", None)
    filters.sort(key=lambda item: item[0])
    kept = [(f"flt{index}_{name}", value) for index, (_position, name, value) in enumerate(filters)]
    return kept + [(key, others[key]) for key in ("search", "sort", "desc") if key in others]


def signature(pairs) -> frozenset:
    """What a list shows, whatever the filters' positions: two URLs showing the same rows compare equal."""
    return frozenset((FILTER_ARGUMENT.sub(r"flt_\2", key), value) for key, value in pairs)


def describe(view, pairs) -> list[str]:
    """The list arguments in words: "Status equals Overdue", "Search: Kowalski", "Sorted by Owner"."""
    known = view._filter_args or {}
    lines = []
    for key, value in pairs:
        found = FILTER_ARGUMENT.match(key)
        if found:
            flt = known[found.group(2)][1]
            lines.append(f"{flt.name} {flt.operation()} {_value_in_words(view, flt, value)}")
        elif key == "search":
            lines.append(gettext("Search: %(term)s", term=value))
        elif key == "sort":
            column = view._get_column_by_idx(int(value))[1]
            descending = dict(pairs).get("desc") == "1"
            lines.append(gettext("Sorted by %(column)s, descending", column=column) if descending
                         else gettext("Sorted by %(column)s", column=column))
    return lines


def _value_in_words(view, flt, value: str) -> str:
    """A filter's value as the user reads it: states by their labels, options by theirs."""
    states = getattr(getattr(getattr(flt, "column", None), "type", None), "enum_class", None)
    if states is not None:
        return ", ".join(translated(states[part].label) if part in states.__members__ else part
                         for part in value.split(","))
    return str(dict(flt.get_options(view) or ()).get(value, value))


# --- Which views a user may use, and the rules for saving one --------------------------------------

def usable_views(user, endpoint: str) -> list[SavedView]:
    """The user's own views of the list and the views shared with their role, by name."""
    loaded = getattr(user, "usable_saved_views", None)
    if loaded is not None:  # read with the user at the start of the request (`load_user_with_views`)
        return sorted((saved for saved in loaded if saved.endpoint == endpoint), key=lambda v: (v.name, v.id))
    query = (select(SavedView).options(joinedload(SavedView.owner))
             .where(SavedView.endpoint == endpoint, scope_clause(SavedView, Scope.OWN, user))
             .order_by(SavedView.name, SavedView.id))
    return list(db.session.scalars(query))


_VIEW_OWNER = aliased(User, name="view_owner")  # made once: an alias builds a proxy of every column


def load_user_with_views(user_id: int) -> User | None:
    """The user and, in the same statement, every saved view they may use (with its owner), so that
    a list's Views menu and its role default cost no statement of their own."""
    rows = db.session.execute(
        select(User, SavedView).where(User.id == user_id)
        .outerjoin(SavedView, scope_clause(SavedView, Scope.OWN, User))
        .outerjoin(_VIEW_OWNER, _VIEW_OWNER.id == SavedView.owner_id)
        .options(contains_eager(SavedView.owner.of_type(_VIEW_OWNER)))
    ).all()
    if not rows:
        return None
    user = rows[0][0]
    user.usable_saved_views = [saved for _user, saved in rows if saved is not None]
    return user


def refusals(user, view, *, name: str, shared_with_role: Role | None, is_default: bool,
             record_id: int | None = None) -> dict[str, str]:
    """What stops `user` saving this view of the list of `view`, by field ({} when nothing does)."""
    problems = {}
    if shared_with_role is not None and not may_share(user):
        problems["shared_with_role"] = gettext("Only supervisors and managers share views with a role: "
                                               "choose “Only me”.")
    elif shared_with_role is not None and (view is None or shared_with_role not in roles_using(view)):
        problems["shared_with_role"] = gettext("The role %(role)s does not use this list.",
                                               role=translated(shared_with_role.label))
    if is_default and not may_share(user):
        problems["is_default"] = gettext("Only supervisors and managers make a view a role's default.")
    elif is_default and shared_with_role is None:
        problems["is_default"] = gettext("Only a view shared with a role can be that role's default.")
    if view is not None and name:
        same_name = select(SavedView.id).where(
            SavedView.owner_id == user.id, SavedView.endpoint == view.endpoint, SavedView.name == name,
            SavedView.id != (record_id or 0)).limit(1)
        if db.session.scalar(same_name) is not None:
            problems["name"] = gettext("You already have a view named “%(name)s” on this list: "
                                       "choose another name.", name=name)
    return problems


def make_sole_default(saved: SavedView, user) -> None:
    """Unset the other default of the view's role on its list (audited), before `saved` becomes it.

    Runs before the session writes `saved`: the database allows one default per role and list.
    """
    table = SavedView.__table__
    with db.session.no_autoflush:
        others = list(db.session.scalars(select(SavedView.id).where(
            SavedView.endpoint == saved.endpoint, SavedView.shared_with_role == saved.shared_with_role,
            SavedView.is_default.is_(True), SavedView.id != (saved.id or 0))))
        if not others:
            return
        db.session.execute(update(table).where(table.c.id.in_(others))
                           .values(is_default=False, version=table.c.version + 1, updated_at=utcnow()))
    for other in others:
        record_event(db.session, user=user, action="update", entity=SavedView.__tablename__, entity_id=other,
                     before={"is_default": True}, after={"is_default": False}, remote_addr=request.remote_addr)


# --- On every list ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MenuEntry:
    """One saved view as the Views menu shows it."""

    name: str
    url: str
    active: bool
    shared_with: Role | None
    is_default: bool
    owner: str | None  # who shared it, when it is not the user's own
    edit_url: str | None  # the user's own views: rename, share or delete them there


class SaveViewForm(FlaskForm):
    name = StringField(_l("Name"), filters=[lambda value: value.strip() if value else value], validators=[
        StorableValue(), DataRequired(message=_l("Give the view a name.")),
        Length(max=NAME_LENGTH, message=_l("A view's name has at most %(max)d characters.")),
    ])
    shared_with_role = SelectField(_l("Share with"), validate_choice=False)
    is_default = BooleanField(_l("Make it the default view of this list for that role"))


class SavedViewsMixin:
    """The Views menu and *Save this view* on every list, and the role's default view of a bare list."""

    @expose("/")
    def index_view(self):
        if not request.args:
            default = next((entry for entry in self.saved_views_menu()
                            if entry.is_default and entry.shared_with == current_user.role), None)
            if default is not None:
                return redirect(default.url)
        return super().index_view()

    def saved_view_url(self, query_string: str) -> str:
        """The list with a saved query string applied (only this list's arguments, checked again)."""
        return self.get_url(".index_view", **dict(list_arguments_of(self, parse_qsl(query_string))))

    def all_records_url(self) -> str:
        return self.get_url(".index_view", **ALL_RECORDS)

    def showing_all_records(self) -> bool:
        return not list_arguments_of(self, request.args.items(multi=True))

    def saved_views_menu(self) -> list[MenuEntry]:
        """The Views menu of this list for the logged-in user (one query per request)."""
        cache = request.environ.setdefault("desk.saved_views_menu", {})  # this request's, whatever the app context
        if self.endpoint not in cache:
            showing = signature(list_arguments_of(self, request.args.items(multi=True)))
            cache[self.endpoint] = [self._menu_entry(saved, showing)
                                    for saved in usable_views(current_user, self.endpoint)]
        return cache[self.endpoint]

    def _menu_entry(self, saved: SavedView, showing: frozenset) -> MenuEntry:
        applied = list_arguments_of(self, parse_qsl(saved.query_string))
        own = saved.owner_id == current_user.id
        return MenuEntry(
            name=saved.name, url=self.get_url(".index_view", **dict(applied)),
            active=bool(applied) and signature(applied) == showing,
            shared_with=saved.shared_with_role,
            is_default=saved.is_default, owner=None if own else saved.owner.name,
            edit_url=self.get_url("saved_view.edit_view", id=saved.id, url=request.full_path) if own else None,
        )

    @expose("/save-view/", methods=("GET", "POST"))
    def save_view(self):
        """Save the list's current filters, search and sort (from this page's URL) under a name."""
        arguments = list_arguments_of(self, request.args.items(multi=True))
        form = SaveViewForm(formdata=request.form if request.method == "POST" else None)
        form.shared_with_role.choices = [("", gettext("Only me"))] + [
            (role.value, gettext("Everyone in the role %(role)s", role=translated(role.label)))
            for role in roles_using(self)]
        problems = {}
        if request.method == "POST" and form.validate():
            role = Role._value2member_map_.get(form.shared_with_role.data or None)
            saved = SavedView(name=form.name.data, endpoint=self.endpoint, query_string=urlencode(arguments),
                              owner_id=current_user.id, shared_with_role=role, is_default=form.is_default.data)
            problems = refusals(current_user, self, name=saved.name, shared_with_role=role,
                                is_default=saved.is_default)
            if form.shared_with_role.data and role is None:
                problems["shared_with_role"] = gettext("Not a valid choice.")
            if not arguments:
                problems["query_string"] = gettext("This list has no filter, search or sort to save: "
                                                   "filter, search or sort it first.")
            if not problems:
                try:
                    return self._save(saved)
                except IntegrityError:
                    db.session.rollback()
                    problems["name"] = gettext("Not saved: someone saved a view with this name, or another "
                                               "default for this role, at the same moment. Try again.")
        for field, message in problems.items():
            if field in form:
                form[field].errors = [*form[field].errors, message]
            else:
                flash(message, "error")
        return self.render("admin/saved_views/save.html", form=form, described=describe(self, arguments),
                           list_url=self.get_url(".index_view", **dict(request.args.items())),
                           may_share=may_share(current_user))

    def _save(self, saved: SavedView):
        """Write the view, the defaults it replaces and the audit events in one transaction."""
        if saved.is_default:
            make_sole_default(saved, current_user)
        db.session.add(saved)
        db.session.flush()
        record_event(db.session, user=current_user, action="create", entity=SavedView.__tablename__,
                     entity_id=saved.id, after=audited(snapshot(saved)), remote_addr=request.remote_addr)
        db.session.commit()
        flash(gettext("Saved the view “%(name)s”.", name=saved.name), "success")
        return redirect(self.saved_view_url(saved.query_string))
