"""Per-row write rules: a row the list shows without edit and delete buttons is not opened for editing,
saved or deleted through a typed URL either — 403 with the rule's reason — and a row outside the user's
scope still answers 404 (its existence is not confirmed).

The cases come from the declarations: every view that overrides `write_refusal`, for every role its
`access` lets edit; the rows are read from that role's list page (with an edit button or without one),
so a rule a view declares tomorrow is covered here without a new test.
"""
from __future__ import annotations

import functools
import re

import pytest

from tests import factories
from markupsafe import escape
from sqlalchemy import select

from admin.access import DELETE, EDIT, UNSCOPED_ROLES, Scope
from admin.base import DeskModelView
from models import Role, db
from tests.integration.access_support import (
    ROLE_LOGINS, changed_tables, client_as, collection_app, fingerprint, form_values, model_views, user,
    visible_ids, write_refusal_for,
)

RULED = sorted(table for table, view in model_views(collection_app()).items()
               if type(view).write_refusal is not DeskModelView.write_refusal)
# Rules that judge only what a save would make of a row: no stored row is refused, the save is.
OUTCOME_ONLY = {
    "app_user": "an admin removing their own admin role or deactivating themselves",
    "target": "a company-wide target set by someone other than a manager",
}
ROW_RULED = [table for table in RULED if table not in OUTCOME_ONLY]


def editors(view) -> list[Role]:
    return [role for role in Role if EDIT in view.access.get(role, ())]


@functools.cache
def listed(app, table: str, role: Role) -> tuple[list[int], list[int]]:
    """(rows with an edit button, rows without) on the role's list page, newest first."""
    page = client_as(app, role).get(f"/admin/{table}/?page_size=100").get_data(as_text=True)
    rows = [int(i) for i in dict.fromkeys(re.findall(rf"/admin/{table}/details/\?id=(\d+)&amp;", page))]
    editable = {int(i) for i in re.findall(rf"/admin/{table}/edit/\?id=(\d+)&amp;", page)}
    return [r for r in rows if r in editable], [r for r in rows if r not in editable]


def samples(app, table: str, which: int) -> list[tuple[Role, int]]:
    """(role, row) for each editing role whose list has a row of that kind (0: editable, 1: not)."""
    view = model_views(app)[table]
    found = [(role, rows[which][0]) for role in editors(view) if (rows := listed(app, table, role))[which]]
    kind = ("a row it may change", "a row its rule refuses")[which]
    assert found, f"no role's {table} list shows {kind}: add demo data for it"
    return found


def changed(form: dict) -> dict:
    """The form with a free-text field changed, so a save would show in the database."""
    name = next((name for name in ("title", "name", "notes", "body", "subject") if form.get(name)), None)
    return {**form, name: form[name] + " (changed)"} if name else form


def assert_refused(response, reason: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 403, f"answered {response.status_code}"
    assert str(escape(reason)) in body, "the page does not give the rule's reason"
    assert "admin-form" not in body  # no form that could never be saved


# --- Which rules there are ------------------------------------------------------------------------

def test_the_known_rules_are_found_from_the_views():
    assert {"quote", "quote_line", "market_note", "saved_view", "target", "app_user"} <= set(RULED)


@pytest.mark.parametrize("table", RULED)
def test_the_list_hides_the_buttons_of_rows_the_rule_refuses_exactly_where_it_says(app, table):
    """Rows refused on the list are the stored rows the rule refuses; outcome-only rules refuse none."""
    view = model_views(app)[table]
    for role in editors(view):
        editable, refused = listed(app, table, role)
        person = user(ROLE_LOGINS[role])
        assert all(write_refusal_for(view, person, row) for row in refused), role
        assert not any(write_refusal_for(view, person, row) for row in editable), role
        if table in OUTCOME_ONLY:
            assert not refused, f"{table} refuses stored rows now: take it out of OUTCOME_ONLY"


# --- A row you may not change ---------------------------------------------------------------------

@pytest.mark.parametrize("table", ROW_RULED)
def test_the_edit_form_of_a_row_you_may_not_change_is_refused_with_the_reason(app, table):
    view = model_views(app)[table]
    for role, row in samples(app, table, 1):
        reason = write_refusal_for(view, user(ROLE_LOGINS[role]), row)
        assert_refused(client_as(app, role).get(f"/admin/{table}/edit/?id={row}"), reason)


@pytest.mark.parametrize("table", ROW_RULED)
def test_saving_a_row_you_may_not_change_is_refused_and_changes_nothing(app, table):
    view = model_views(app)[table]
    for role, row in samples(app, table, 1):
        client = client_as(app, role)
        editable, _refused = listed(app, table, role)
        form = form_values(client.get(f"/admin/{table}/edit/?id={editable[0]}").get_data(as_text=True)) \
            if editable else {}  # a real form of the same list, posted to the refused row
        before = fingerprint()
        response = client.post(f"/admin/{table}/edit/?id={row}", data=changed(form))
        assert_refused(response, write_refusal_for(view, user(ROLE_LOGINS[role]), row))
        assert changed_tables(before, fingerprint()) == [], f"{role.value} changed {table} {row}"


@pytest.mark.parametrize("table", [t for t in ROW_RULED
                                   if any(DELETE in verbs for verbs in model_views(collection_app())[t].access.values())])
def test_deleting_a_row_you_may_not_change_is_refused_and_changes_nothing(app, table):
    view = model_views(app)[table]
    deleters = [(role, row) for role, row in samples(app, table, 1) if DELETE in view.access[role]]
    assert deleters, f"no role that deletes {table} rows sees one its rule refuses: add demo data for it"
    for role, row in deleters:
        before = fingerprint()
        response = client_as(app, role).post(f"/admin/{table}/delete/", data={"id": row})
        assert_refused(response, write_refusal_for(view, user(ROLE_LOGINS[role]), row))
        assert changed_tables(before, fingerprint()) == [], f"{role.value} deleted {table} {row}"


# --- A row you may change -------------------------------------------------------------------------

@pytest.mark.parametrize("table", RULED)
def test_the_edit_form_of_a_row_you_may_change_opens(app, user_of, table):
    view = model_views(app)[table]
    if table in ("quote", "quote_line"):  # a draft with a line on the first list page, whatever the day
        factories.quote(owner=user_of("coordinator@example.com"))
    found = [(role, rows[0][0]) for role in editors(view) if (rows := listed.__wrapped__(app, table, role))[0]]
    assert found, f"no role's {table} list shows a row it may change"
    for role, row in found:
        response = client_as(app, role).get(f"/admin/{table}/edit/?id={row}")
        assert response.status_code == 200, f"{role.value}: {table} {row}"
        assert "admin-form" in response.get_data(as_text=True)


# --- A row outside your scope ---------------------------------------------------------------------

def scoped_editors(view) -> list[Role]:
    """Editing roles whose scope leaves rows out (OWN narrows every role, TEAM and PERSONAL all but some)."""
    if view.scope is Scope.ALL:
        return []
    return [role for role in editors(view) if view.scope is Scope.OWN or role not in UNSCOPED_ROLES]


@pytest.mark.parametrize("table", [t for t in RULED if scoped_editors(model_views(collection_app())[t])])
def test_a_row_outside_your_scope_stays_not_found_though_the_rule_refuses_it(app, table):
    """404 before 403: answering with the rule's reason would confirm that the row exists."""
    view = model_views(app)[table]
    checked = 0
    for role in scoped_editors(view):
        person = user(ROLE_LOGINS[role])
        hidden = sorted(set(db.session.scalars(select(view.model.id))) - visible_ids(view, person))
        row = next((r for r in hidden if write_refusal_for(view, person, r)), hidden[0] if hidden else None)
        if row is None:
            continue
        client = client_as(app, role)
        before = fingerprint()
        assert client.get(f"/admin/{table}/edit/?id={row}").status_code == 404, role
        assert client.post(f"/admin/{table}/edit/?id={row}", data={}).status_code == 404, role
        if DELETE in view.access[role]:
            assert client.post(f"/admin/{table}/delete/", data={"id": row}).status_code == 404, role
        assert changed_tables(before, fingerprint()) == []
        checked += 1
    assert checked, f"no editing role has a {table} row outside its scope: add demo data for it"
