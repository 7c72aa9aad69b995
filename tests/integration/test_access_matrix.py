"""Every admin endpoint × every role × GET and POST, generated from `app.url_map` and the views' `access`.

Each case is its own test (`quote-edit_view-coordinator-POST`); a new model or endpoint appears here by
itself. The expected status follows from the view's declared access table and what each endpoint needs
(issue 4): read for list, details, lookups and actions, create/edit/delete/export for the rest, the
`delete` action also needs delete. Per-record endpoints use a record the role can see, so the status
reflects permissions, not scoping (tests/integration/test_idor.py covers scoping). A POST that is
refused — and an allowed one that only re-renders its form — must leave every table as it was.

Flask-Admin behaviour accepted as correct: a method the route does not take answers 405; an allowed
POST of an empty create/edit form re-renders the form (200) and writes nothing; `ajax/update` answers 404
when the view has no editable list columns; `ajax/lookup` answers 404 for a view without pickers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from admin.access import BULK_EDIT, CREATE, DELETE, EDIT, EXPORT, IMPORT, READ
from models import AuditEvent, MarketNote, MarketNoteKind, Overtime, Role, SavedView, db
from rules.core import record_event
from tests import factories
from tests.integration.access_support import (
    ROLE_LOGINS, admin_model_rules, changed_tables, client_as, collection_app, fingerprint, flashed,
    may_change, model_views, role_user, visible_ids,
)

# What each Flask-Admin endpoint needs, as issue 4 states it (deliberately not admin.base.VERB_OF_ENDPOINT,
# so a wrong mapping in the product fails here). The posted action is `delete`, which also needs DELETE.
NEEDS = {
    "index_view": {READ}, "details_view": {READ}, "ajax_lookup": {READ}, "export": {READ, EXPORT},
    "create_view": {READ, CREATE}, "edit_view": {READ, EDIT}, "ajax_update": {READ, EDIT},
    "delete_view": {READ, DELETE}, "action_view": {READ, DELETE},
    "import_view": {READ, IMPORT}, "bulk_edit_view": {READ, BULK_EDIT},
    "save_view": {READ},  # saving a view of a list you can open (it is yours)
}
PER_RECORD = {"details_view", "edit_view", "delete_view", "action_view", "ajax_update"}
ROLES = [*ROLE_LOGINS, None]  # None: anonymous
METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Case:
    table: str
    endpoint: str
    role: Role | None
    method: str
    rule: str
    methods: frozenset

    def __str__(self) -> str:
        return f"{self.table}-{self.endpoint}-{self.role.value if self.role else 'anonymous'}-{self.method}"


def matrix(app) -> list[Case]:
    return [
        Case(table, endpoint, role, method, rule.rule, frozenset(rule.methods))
        for table, endpoint, rule in admin_model_rules(app)
        for role in ROLES
        for method in METHODS
    ]


CASES = matrix(collection_app())


def test_the_matrix_covers_every_model_endpoint_of_the_running_app(app):
    """The cases were generated from an app built at collection; the app under test has the same routes."""
    running = {(c.table, c.endpoint, c.rule, c.methods) for c in matrix(app)}
    collected = {(c.table, c.endpoint, c.rule, c.methods) for c in CASES}
    assert running == collected
    views = model_views(app)
    assert set(views) == {c.table for c in CASES}
    assert len(views) >= 29
    unknown = {c.endpoint for c in CASES} - set(NEEDS)
    assert not unknown, f"declare in NEEDS which verb these endpoints need: {sorted(unknown)}"


# --- Expectations ---------------------------------------------------------------------------------

def expected_status(view, case: Case) -> int:
    if case.method not in case.methods:
        return 405
    if case.role is None:
        return 302  # to the login page
    needs = NEEDS.get(case.endpoint)
    assert needs is not None, f"no declared need for endpoint {case.endpoint}"
    if not needs <= view.access.get(case.role, frozenset()):
        return 403
    if case.endpoint == "index_view" and role_default_view(case.table, case.role) is not None:
        return 302  # the bare list opens the role's default view
    if case.endpoint == "ajax_lookup":
        return 200 if view.form_ajax_refs else 404
    if case.endpoint == "import_view":
        return 200 if view.importing else 404
    if case.endpoint == "bulk_edit_view":
        allowed = EDIT in view.access.get(case.role, ()) and view.bulk_edit_fields.get(case.role)
        return 200 if allowed else 403
    if case.endpoint == "ajax_update":
        return 400  # allowed, but the matrix names no field to change: a bad request, nothing written
    if case.method == "POST" and case.endpoint in ("delete_view", "action_view"):
        return 302
    return 200  # pages, exports; an empty create/edit form comes back with its errors


def role_default_view(table: str, role: Role) -> SavedView | None:
    """The view shared with `role` and made its default on this list (issue 7), read from the table."""
    return db.session.scalar(select(SavedView).where(
        SavedView.endpoint == table, SavedView.shared_with_role == role, SavedView.is_default.is_(True)))


def writes_allowed(status: int, case: Case) -> bool:
    """Only an allowed delete (view or action) may change the database in this matrix."""
    return case.method == "POST" and status == 302 and case.role is not None \
        and case.endpoint in ("delete_view", "action_view")


# --- Records --------------------------------------------------------------------------------------

_SEEDED_CHOICE: dict[tuple[str, str], int] = {}


def make_record(model, owner):
    """A record owned by `owner` for a table whose demo data has none the role can see (committed, so a
    refused request's rollback cannot take it away)."""
    record_id = _make_record(model, owner)
    db.session.commit()
    return record_id


def _make_record(model, owner):
    if model is AuditEvent:
        event = record_event(db.session, user=owner, action="matrix_probe", entity="quote", entity_id=1)
        db.session.flush()
        return event.id
    if model is SavedView:
        view = SavedView(name="Matrix probe", endpoint="quote", query_string="", owner_id=owner.id)
        db.session.add(view)
        db.session.flush()
        return view.id
    if model is Overtime:
        return factories.overtime(requester=owner).id
    if model is MarketNote:
        note = MarketNote(kind=MarketNoteKind.trend, title="Matrix probe", body="Probe.", noted_on=date(2026, 11, 2),
                          author_id=owner.id)
        db.session.add(note)
        db.session.flush()
        return note.id
    pytest.fail(f"no {model.__tablename__} record to test with; add a maker for it")


def record_for(view, role: Role | None) -> int:
    """A record the role can see (any record for a role the view refuses, or for anonymous users)."""
    key = (view.endpoint, role.value if role else "")
    if key in _SEEDED_CHOICE:
        return _SEEDED_CHOICE[key]
    reader = role is not None and READ in view.access.get(role, ())
    person = role_user(role) if role else None
    ids = visible_ids(view, person) if reader else set(db.session.scalars(select(view.model.id)))
    if not ids:
        return make_record(view.model, person or role_user(Role.manager))
    if view.model is AuditEvent:  # requests themselves append to it (a login): never reuse an id
        return min(ids)
    # A row the role may change where there is one: per-row write rules are tests/integration/test_row_write_rules.py's.
    changeable = next((i for i in sorted(ids) if person is None or may_change(view, person, i)), None)
    if changeable is None and view.model is MarketNote:  # the demo data has notes by other authors only
        return make_record(view.model, person)  # rolled back with the test: never reused
    _SEEDED_CHOICE[key] = changeable or min(ids)
    return _SEEDED_CHOICE[key]


def request_for(view, case: Case, record_id) -> tuple[str, dict, dict]:
    """URL, query string and form data of the case."""
    url = case.rule.replace("<export_type>", "csv")
    assert "<" not in url, f"no value for the arguments of {case.rule}"
    query, data = {}, {}
    if case.endpoint in ("details_view", "edit_view"):
        query["id"] = record_id
    if case.endpoint == "ajax_lookup":
        query.update(name=next(iter(view.form_ajax_refs or {}), "no-such-field"), query="")
    if case.method == "POST":
        if case.endpoint == "delete_view":
            data = {"id": record_id}
        elif case.endpoint == "action_view":
            data = {"action": "delete", "rowid": record_id}
        elif case.endpoint == "ajax_update":
            data = {"list_form_pk": record_id}
    return url, query, data


# --- The matrix -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=str)
def test_access(app, case: Case):
    view = model_views(app)[case.table]
    expected = expected_status(view, case)
    client = client_as(app, case.role)
    record_id = record_for(view, case.role) if case.endpoint in PER_RECORD else None
    url, query, data = request_for(view, case, record_id)
    before = fingerprint() if case.method == "POST" else None

    response = client.open(url, method=case.method, query_string=query, data=data)

    assert response.status_code == expected, f"{case}: {case.method} {response.request.url}"
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if expected == 302 and case.role is None:
        assert "/login" in response.headers["Location"]
    elif expected == 302 and case.endpoint == "index_view":
        query = parse_qsl(urlsplit(response.headers["Location"]).query)
        assert query and query == parse_qsl(role_default_view(case.table, case.role).query_string)
    if expected == 403:
        assert "No access" in body  # the friendly page, which confirms nothing about the record
    if expected == 200 and case.endpoint == "export":
        assert response.mimetype == "text/csv"
    if before is None:
        return
    after = fingerprint()
    if not writes_allowed(expected, case):
        assert changed_tables(before, after) == [], f"{case} changed the database"
        if expected == 200 and case.endpoint in ("create_view", "edit_view"):
            assert "This field is required." in body or "Not a valid choice" in body  # re-rendered
        return
    # An allowed delete: the record is gone, or the refusal (a record still in use) is flashed.
    gone = db.session.scalar(select(func.count()).where(view.model.id == record_id)) == 0
    assert gone or any("Not saved" in message for message in flashed(client)), case
