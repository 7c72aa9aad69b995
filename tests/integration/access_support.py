"""Shared helpers for the access-control tests (matrix, IDOR, lookups, mass assignment, scoping).

What a role may see is computed here *independently* of admin/access.py: rows and their owners are read
with plain joins along each model's declared `__owner__` path, and the scope rules of DESIGN.md / issue 4
are applied in Python. The product's own SQL (`scope_clause`, `row_scope`) is never used to decide what a
test expects.
"""
from __future__ import annotations

import csv
import functools
import io

from flask import Flask, current_app, g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, literal, select, union_all
from sqlalchemy.orm import aliased

from admin.access import Scope
from config import TestConfig
from models import Role, User, db
from tests import forms

DEMO_PASSWORD = TestConfig.DEMO_PASSWORD
ROLE_LOGINS = {
    Role.coordinator: "coordinator@example.com",
    Role.supervisor: "supervisor@example.com",
    Role.manager: "manager@example.com",
    Role.admin: "admin@example.com",
}
COORDINATOR = "coordinator@example.com"
OTHER_COORDINATOR = "coordinator2@example.com"  # another team than COORDINATOR's
OTHER_SUPERVISOR = "ewa.dabrowska@example.com"  # supervises coordinator2's team


# --- The panel as the URL map and the views declare it ------------------------------------------

@functools.cache
def collection_app() -> Flask:
    """An app built only to read its URL map and views while tests are collected (no database use)."""
    from app import create_app

    return create_app(TestConfig)


def model_views(app: Flask) -> dict:
    """endpoint (= table name) → the model view registered for it."""
    panel = app.extensions["admin"][0]
    return {view.endpoint: view for view in panel._views if getattr(view, "model", None) is not None}


def admin_model_rules(app: Flask) -> list:
    """(table, view function name, rule) for every URL rule of a model view, from `app.url_map`."""
    views = model_views(app)
    found = []
    for rule in app.url_map.iter_rules():
        table, _, name = rule.endpoint.partition(".")
        if table in views and rule.rule.startswith(f"/admin/{table}/"):
            found.append((table, name, rule))
    return sorted(found, key=lambda item: (item[0], item[1]))


# --- Logged-in clients ---------------------------------------------------------------------------

_SESSION_COOKIES: dict[str, str] = {}


class IdentityClient(FlaskClient):
    """A test client whose every request loads its user from its own session cookie.

    pytest-flask keeps one app context open for the whole test and requests reuse it, so Flask-Login's
    `g._login_user` from one client's request would otherwise answer for the next client's request.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def client_as(app: Flask, who: Role | str | None):
    """A test client logged in as a role's demo user (or any demo e-mail); None gives an anonymous one.

    The real /login runs once per user per test session; later clients reuse its session cookie (the
    login's own writes are rolled back with the test that made it; the session stays valid because the
    user's session epoch does not change). Password hashing makes a login cost ~0.25 s.
    """
    client = IdentityClient(app, app.response_class, use_cookies=True)
    if who is None:
        return client
    email = ROLE_LOGINS[who] if isinstance(who, Role) else who
    cookie = _SESSION_COOKIES.get(email)
    if cookie is None:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"login as {email} failed"
        cookie = client.get_cookie("session").value
        _SESSION_COOKIES[email] = cookie
    else:
        client.set_cookie("session", cookie)
    return client


def flashed(client) -> list[str]:
    """The messages flashed to the client's session and not shown yet."""
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def role_user(role: Role) -> User:
    return user(ROLE_LOGINS[role])


def write_refusal_for(view, user_: User, record_id: int) -> str | None:
    """Why the view's per-row write rule keeps `user_` from changing the row as stored (None: it does not)."""
    with current_app.test_request_context():
        g._login_user = user_
        try:
            return view.write_refusal(db.session.get(view.model, record_id))
        finally:
            g.pop("_login_user", None)


def may_change(view, user_: User, record_id: int) -> bool:
    """Whether `user_` may change the row (its list shows the edit button); tests that edit "a row" pick one."""
    return write_refusal_for(view, user_, record_id) is None


# --- The database, independently of the product's scoping ----------------------------------------

def fingerprint() -> dict:
    """Per table: row count, sum of ids and sum of versions, in one query; any write changes it."""
    rows = db.session.execute(_fingerprint_query()).all()
    return {name: (int(count), int(ids), int(versions)) for name, count, ids, versions in rows}


@functools.cache
def _fingerprint_query():
    parts = []
    # The audit trail is left out: a refused request is itself recorded there, by design.
    for table in (t for t in db.metadata.sorted_tables if t.name != "audit_event"):
        checksum = table.c.version if "version" in table.c else literal(0)
        parts.append(select(
            literal(table.name).label("name"), func.count().label("rows"),
            func.coalesce(func.sum(table.c.id), 0).label("ids"),
            func.coalesce(func.sum(checksum), 0).label("versions"),
        ).select_from(table))
    return union_all(*parts)


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def declared_owner_path(model) -> str | None:
    """The model's `__owner__`, else its `owner_id` or `user_id` column (the convention of DESIGN.md)."""
    declared = getattr(model, "__owner__", None)
    if declared:
        return declared
    columns = inspect(model).columns
    return next((name for name in ("owner_id", "user_id") if name in columns), None)


def owners(model) -> dict[int, int | None]:
    """row id → id of the user the row belongs to, by plain joins along the owner path."""
    path = declared_owner_path(model)
    if path is None:
        return {row_id: None for row_id in db.session.scalars(select(model.id))}
    *hops, column = path.split(".")
    current, joins = model, []
    for hop in hops:
        relationship = getattr(current, hop)
        target = aliased(relationship.property.mapper.class_)
        joins.append(relationship.of_type(target))
        current = target
    query = select(model.id, getattr(current, column)).select_from(model)
    for join in joins:
        query = query.join(join)
    return dict(db.session.execute(query).all())


def team_of(user_: User) -> set[int]:
    """The ids of the user's team (just the user when they have no team)."""
    if user_.team_id is None:
        return {user_.id}
    return set(db.session.scalars(select(User.id).where(User.team_id == user_.team_id)))


def visible_ids(view, user_: User) -> set[int]:
    """The rows of the view's model `user_` may see, by DESIGN.md "Roles" and the view's declared scope.

    ALL: every row. OWN: own rows and rows shared with the user's role. TEAM / PERSONAL: managers (and
    admins, where their access table lets them in) every row; a coordinator under PERSONAL only their own
    rows; otherwise rows owned by the user's team, plus unowned rows for the roles the view names, plus
    rows that belong to the user's whole team (`__team__`).
    """
    model = view.model
    everything = set(db.session.scalars(select(model.id)))
    if view.scope is Scope.ALL:
        return everything
    by_owner = owners(model)
    if view.scope is Scope.OWN:
        shared = set()
        if hasattr(model, "shared_with_role"):
            shared = set(db.session.scalars(select(model.id).where(model.shared_with_role == user_.role)))
        return {row for row, owner in by_owner.items() if owner == user_.id} | shared
    if user_.role in (Role.manager, Role.admin):
        return everything
    people = {user_.id} if view.scope is Scope.PERSONAL and user_.role is Role.coordinator else team_of(user_)
    seen = {row for row, owner in by_owner.items() if owner in people}
    if user_.role in view.unowned_visible_to:
        seen |= {row for row, owner in by_owner.items() if owner is None}
    team_column = getattr(model, "__team__", None)
    if team_column and user_.team_id is not None:
        seen |= set(db.session.scalars(select(model.id).where(getattr(model, team_column) == user_.team_id)))
    return seen


# --- Reading pages -------------------------------------------------------------------------------

def csv_rows(response) -> tuple[list[str], list[list[str]]]:
    """The header and data rows of a CSV export."""
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return ([cell.strip() for cell in rows[0]], rows[1:]) if rows else ([], [])


def form_values(html: str) -> dict[str, str]:
    """What submitting the page's model form unchanged would post (without the buttons)."""
    return forms.form_values(html, within="admin-form", leave_out=("csrf_token",))
