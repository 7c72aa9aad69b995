"""IDOR: another team's user, typing URLs and posting forms, cannot read or change coordinator@'s records.

For every entity whose view is scoped to the team or the person (TEAM, PERSONAL), a record owned by
coordinator@example.com is attacked by coordinator2@example.com (another team) and, to reach the verbs a
coordinator lacks (delete, approvals), by that team's supervisor: details, edit (GET and POST), delete,
inline edit, every action of the view (the rule actions and `delete`) and export with the record's id
and a search that would select it. Per-record endpoints answer 404 — or 403 when the role may not use
that verb at all, which says nothing about the record — actions report the row as not found, the export
leaves it out, and nothing changes.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Enum, Integer, Numeric, String, select
from wtforms import DateField, DecimalField, IntegerField, SelectField

from admin.access import DELETE, EDIT, EXPORT, READ, Scope
from models import MarketNote, MarketNoteKind, OrderStatus, Overtime, ReworkRequest, Role, SavedView, Team, db
from rules.core import actions_for
from tests import factories
from tests.clock import SESSION_DAY
from tests.integration.access_support import (
    COORDINATOR, OTHER_COORDINATOR, OTHER_SUPERVISOR, changed_tables, client_as, collection_app,
    csv_rows, fingerprint, flashed, form_values, may_change, model_views, owners, role_user, user, visible_ids,
)

ATTACKERS = {"coordinator2": OTHER_COORDINATOR, "supervisor2": OTHER_SUPERVISOR}
ATTACKER_ROLES = {"coordinator2": Role.coordinator, "supervisor2": Role.supervisor}


def scoped_views(app) -> dict:
    return {table: view for table, view in model_views(app).items()
            if view.scope in (Scope.TEAM, Scope.PERSONAL)}


def probes(app) -> list:
    """(attacker, table, probe) for every scoped entity; the actions are the view's own."""
    found = []
    for table, view in scoped_views(app).items():
        names = ["details", "edit-GET", "edit-POST", "delete", "ajax-update", "export"]
        names += [f"action-{action.name}" for action in actions_for(view.model)] + ["action-delete"]
        found += [(attacker, table, name) for attacker in ATTACKERS for name in names]
    return found


PROBES = probes(collection_app())


def test_every_team_or_personal_entity_is_attacked(app):
    tables = {table for _attacker, table, _probe in PROBES}
    assert tables == set(scoped_views(app))
    assert {"quote", "sales_order", "lead", "account", "target", "overtime", "appraisal"} <= tables


# --- The victim record ----------------------------------------------------------------------------

def make_owned(model, owner):
    """A record of `owner` for an entity the demo data gives coordinator@ none of (committed, so a
    refused request's rollback cannot take it away)."""
    if model is Overtime:
        record = factories.overtime(requester=owner)
    elif model is ReworkRequest:
        order = factories.order(OrderStatus.in_production, owner=owner)
        record = factories.rework(order_=order, requested_by=owner)
    elif model is Team:
        record = owner.team
    else:
        pytest.fail(f"coordinator@ owns no {model.__tablename__}; add a maker for it")
    db.session.commit()
    return record


def inline_field(view) -> dict:
    """A value for the first column the list edits in place (none when the list edits nothing)."""
    editable = list(view.column_editable_list or ())
    return {editable[0]: "2030-01-01" if "date" in editable[0] or editable[0].endswith("_on") else "high"} \
        if editable else {}


def victim(view, action=None, editor=None) -> int:
    """A record owned by coordinator@; for an action, one in a state the action starts from if any;
    for an `editor`, one they may change (so its real form can be posted)."""
    me = user(COORDINATOR)
    mine = sorted(row for row, owner in owners(view.model).items() if owner == me.id)
    if editor is not None:
        mine = [row for row in mine if may_change(view, editor, row)] or mine
    if action is not None and action.source is not None and mine:
        state = getattr(view.model, action.state_attr)
        ready = db.session.scalars(select(view.model.id).where(
            view.model.id.in_(mine), state.in_([s.value for s in action.source]),
        ).order_by(view.model.id)).all()
        mine = ready or mine
    return mine[0] if mine else make_owned(view.model, me).id


def state_of(model, record_id) -> tuple:
    """(exists, version, status) of a record, read straight from the database."""
    columns = [model.version] + ([model.status] if hasattr(model, "status") else [])
    row = db.session.execute(select(*columns).where(model.id == record_id)).first()
    return (row is not None, *(row or ()))


def unchanged_since(before: dict) -> list[str]:
    """Tables that changed, the audit trail aside (reads may be audited)."""
    return [name for name in changed_tables(before, fingerprint()) if name != "audit_event"]


def may(view, attacker: str, *verbs) -> bool:
    return set(verbs) <= view.access.get(ATTACKER_ROLES[attacker], frozenset())


# --- Inputs an action's form accepts --------------------------------------------------------------

def action_inputs(action) -> dict:
    """Valid-looking values for every field of the action's form, so the action really runs."""
    if action.form is None:
        return {}
    values = {"_inputs": "1"}
    for field in action.form():
        if isinstance(field, SelectField):
            values[field.name] = next(iter(field.iter_choices()))[0]
        elif isinstance(field, IntegerField):
            values[field.name] = "1"
        elif isinstance(field, DecimalField):
            values[field.name] = "1.00"
        elif isinstance(field, DateField):
            values[field.name] = SESSION_DAY.isoformat()
        else:
            values[field.name] = "IDOR probe"
    return values


def edited(values: dict, model) -> dict:
    """The form values with one typed field changed, so a successful save would be visible."""
    table = model.__table__
    for name, value in values.items():
        column = table.c.get(name)
        if column is None or column.unique:
            continue
        if isinstance(column.type, String) and not isinstance(column.type, Enum) \
                and (column.type.length or 1000) >= 12:
            return {**values, name: "IDOR probe"}
    for name, value in values.items():
        column = table.c.get(name)
        if column is not None and isinstance(column.type, (Integer, Numeric)) and not column.foreign_keys:
            return {**values, name: "7" if value not in ("7", "7.00") else "8"}
    return values


# --- The attack -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("attacker", "table", "probe"), PROBES, ids=lambda p: str(p))
def test_out_of_scope_record_is_refused(app, attacker, table, probe):
    view = model_views(app)[table]
    model = view.model
    action = next((a for a in actions_for(model) if probe == f"action-{a.name}"), None)
    editor = next((role for role in (Role.manager, Role.admin) if EDIT in view.access[role]), None)
    record_id = victim(view, action, role_user(editor) if probe == "edit-POST" and editor else None)
    intruder = user(ATTACKERS[attacker])
    assert record_id not in visible_ids(view, intruder), "the victim must be outside the attacker's scope"
    form = None
    if probe == "edit-POST" and editor:  # what an editor would post: the real form, one field changed
        page = client_as(app, editor).get(f"/admin/{table}/edit/?id={record_id}")
        assert page.status_code == 200
        form = edited(form_values(page.get_data(as_text=True)), model)
    client = client_as(app, ATTACKERS[attacker])
    record_before = state_of(model, record_id)
    assert record_before[0]
    before = fingerprint()

    if probe == "export":
        check_export(app, client, view, attacker, record_id)
    elif probe.startswith("action-"):
        check_action(client, view, attacker, probe.removeprefix("action-"), action, record_id)
    else:
        needs, method, url, data = {
            "details": ((READ,), "GET", f"/admin/{table}/details/?id={record_id}", None),
            "edit-GET": ((READ, EDIT), "GET", f"/admin/{table}/edit/?id={record_id}", None),
            "edit-POST": ((READ, EDIT), "POST", f"/admin/{table}/edit/?id={record_id}", form),
            "delete": ((READ, DELETE), "POST", f"/admin/{table}/delete/", {"id": record_id}),
            "ajax-update": ((READ, EDIT), "POST", f"/admin/{table}/ajax/update/",
                            {"list_form_pk": record_id, **inline_field(view)}),
        }[probe]
        response = client.open(url, method=method, data=data)
        expected = 404 if may(view, attacker, *needs) else 403
        if probe == "ajax-update" and may(view, attacker, *needs) and not view.column_editable_list:
            expected = 400  # no column is editable in the list: refused before any record is looked up
        assert response.status_code == expected, f"{probe} on {table} {record_id} as {attacker}"
        body = response.get_data(as_text=True)
        assert "Traceback" not in body
        assert str(db.session.get(model, record_id)) not in body

    assert state_of(model, record_id) == record_before, "the record changed"
    assert unchanged_since(before) == [], "the database changed"


def check_action(client, view, attacker, name, action, record_id):
    table = view.endpoint
    data = {"action": name, "rowid": str(record_id), **(action_inputs(action) if action else {})}
    response = client.post(f"/admin/{table}/action/", data=data)
    role = ATTACKER_ROLES[attacker]
    allowed = may(view, attacker, READ) and (
        (action is not None and role in action.roles) or (action is None and may(view, attacker, DELETE)))
    if not allowed:
        assert response.status_code == 403
        return
    assert response.status_code == 302, f"{name} did not run (form re-shown?)"
    messages = " ".join(flashed(client))
    if action is None:  # Flask-Admin's delete action counts what it deleted
        assert "0 records deleted." in messages, messages
    else:
        assert "1 skipped: 1 not found" in messages, messages


_MANAGER_EXPORTS: dict[str, tuple] = {}  # table → (header, rows, ids) of the demo data


def manager_export_row(app, view, record_id) -> tuple[list[str], dict]:
    """The manager's export header and the record's row in it (rows follow the default sort, id desc)."""
    table, model = view.endpoint, view.model
    assert view.column_default_sort == ("id", True)
    header, rows, ids = _MANAGER_EXPORTS.get(table, (None, None, ()))
    if record_id not in ids:  # first time, or a record made by this test
        header, rows = csv_rows(client_as(app, Role.manager).get(f"/admin/{table}/export/csv/"))
        ids = db.session.scalars(select(model.id).order_by(model.id.desc())).all()
        assert len(rows) == len(ids)
        if table not in _MANAGER_EXPORTS:
            _MANAGER_EXPORTS[table] = (header, rows, ids)
    return header, dict(zip(header, rows[ids.index(record_id)]))


def check_export(app, client, view, attacker, record_id):
    """The record's row (as the manager's export shows it) is in none of the attacker's exports."""
    table, model = view.endpoint, view.model
    header, row = manager_export_row(app, view, record_id)

    search = next((getattr(db.session.get(model, record_id), name) for name in view.column_searchable_list
                   if "." not in name and getattr(db.session.get(model, record_id), name)), None)
    queries = [{"id": record_id}] + ([{"id": record_id, "search": search}] if search else [])
    for query in queries:
        response = client.get(f"/admin/{table}/export/csv/", query_string=query)
        if not may(view, attacker, READ, EXPORT):
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        their_header, their_rows = csv_rows(response)
        common = [name for name in their_header if name in header]
        wanted = [row[name] for name in common]
        shown = [[dict(zip(their_header, cells))[name] for name in common] for cells in their_rows]
        assert wanted not in shown, f"{table} {record_id} exported to {attacker} with {query}"
        if "search" not in query:
            assert len(their_rows) == len(visible_ids(view, user(ATTACKERS[attacker])))


# --- Shared saved views ---------------------------------------------------------------------------

def shared_view_of_another_team() -> SavedView:
    """"Rush orders": supervisor@'s (North) view, shared with every coordinator."""
    shared = db.session.scalar(select(SavedView).where(SavedView.shared_with_role == Role.coordinator,
                                                       SavedView.name == "Rush orders"))
    assert shared is not None and shared.owner.email == "supervisor@example.com"
    return shared


def test_a_view_shared_with_a_role_can_be_used_by_that_role(app):
    shared = shared_view_of_another_team()
    response = client_as(app, OTHER_COORDINATOR).get(f"/admin/saved_view/details/?id={shared.id}")
    assert response.status_code == 200
    assert shared.query_string in response.get_data(as_text=True)


def test_a_view_shared_with_a_role_cannot_be_taken_over_by_someone_of_that_role(app):
    """Sharing is reading: coordinator2 (another team, not the owner) must not rename it or make it theirs."""
    shared = shared_view_of_another_team()
    before = (shared.name, shared.owner_id, shared.version)
    client = client_as(app, OTHER_COORDINATOR)
    form = form_values(client.get(f"/admin/saved_view/edit/?id={shared.id}").get_data(as_text=True))
    response = client.post(f"/admin/saved_view/edit/?id={shared.id}",
                           data={**form, "name": "Hijacked", "owner": str(user(OTHER_COORDINATOR).id)})
    after = db.session.execute(select(SavedView.name, SavedView.owner_id, SavedView.version)
                               .where(SavedView.id == shared.id)).first()
    assert tuple(after) == before, f"answered {response.status_code} and changed the view"
    assert response.status_code in (200, 403, 404)  # 200: the form again, with the refusal


def test_a_view_shared_with_a_role_cannot_be_deleted_by_someone_of_that_role(app):
    shared = shared_view_of_another_team()
    client = client_as(app, OTHER_COORDINATOR)
    response = client.post("/admin/saved_view/delete/", data={"id": shared.id})
    still_there = db.session.scalar(select(SavedView.id).where(SavedView.id == shared.id))
    assert still_there == shared.id, f"answered {response.status_code} and deleted the view"
    assert response.status_code in (302, 403, 404)  # 302: back to the list, with the refusal
    assert response.status_code != 302 or "Only its owner" in " ".join(flashed(client))


# --- Market notes: everyone reads them; the author, their supervisor and managers change them -------

def a_market_note_by(email: str) -> MarketNote:
    note = MarketNote(kind=MarketNoteKind.competition, title="Rival cuts oak prices", body="Seen at the fair.",
                      noted_on=date(2026, 11, 2), author_id=user(email).id)
    db.session.add(note)
    db.session.commit()
    return note


def edit_note(app, email: str, note: MarketNote, **changes):
    client = client_as(app, email)
    form = form_values(client.get(f"/admin/market_note/edit/?id={note.id}").get_data(as_text=True))
    response = client.post(f"/admin/market_note/edit/?id={note.id}", data={**form, **changes})
    db.session.expire_all()
    return client, response


@pytest.mark.parametrize("editor, allowed", [
    (COORDINATOR, True),              # the author
    ("supervisor@example.com", True),  # the author's supervisor
    (Role.manager, True),
    (OTHER_COORDINATOR, False),       # reads it, but it is not theirs
    (OTHER_SUPERVISOR, False),        # another team's supervisor
])
def test_a_market_note_is_changed_by_its_author_their_supervisor_or_a_manager(app, editor, allowed):
    note = a_market_note_by(COORDINATOR)
    assert client_as(app, editor).get(f"/admin/market_note/details/?id={note.id}").status_code == 200
    listed = client_as(app, editor).get("/admin/market_note/?page_size=100").get_data(as_text=True)
    assert f"/admin/market_note/details/?id={note.id}&amp;" in listed
    assert (f"/admin/market_note/edit/?id={note.id}&amp;" in listed) is allowed  # the button follows the rule
    client, response = edit_note(app, editor, note, title="Rival raises oak prices")
    title = db.session.scalar(select(MarketNote.title).where(MarketNote.id == note.id))
    assert (title == "Rival raises oak prices") is allowed, f"answered {response.status_code}"
    if not allowed:
        assert "Only its author" in " ".join(flashed(client)) or "Only its author" in response.get_data(as_text=True)


def test_a_market_note_cannot_be_signed_with_someone_elses_name(app):
    """The author is who saved the note first: not a field of the form, so a posted author is ignored."""
    client = client_as(app, OTHER_COORDINATOR)
    client.post("/admin/market_note/new/", data={
        "kind": "trend", "title": "Walnut is back", "body": "Three dealers asked.", "noted_on": "2026-11-03",
        "author": str(user(COORDINATOR).id)})
    note = db.session.scalar(select(MarketNote).where(MarketNote.title == "Walnut is back"))
    assert note is not None and note.author_id == user(OTHER_COORDINATOR).id
