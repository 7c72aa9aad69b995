"""Bad input never answers 500 and changes nothing: it gets a message naming the field, in forms, inline
edit, bulk edit, action forms, list arguments and exports, on SQLite and PostgreSQL alike."""
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, inspect, select

from models import (
    Account, AuditEvent, Contact, CustomerRequest, InvoiceStatus, Lead, OrderStatus, Quote, Role, SalesOrder,
    Target, User, db,
)
from models.values import digits_problem, text_problem, value_problem
from tests import factories
from tests.forms import form_values

NUL = "a\x00b"
NOT_FINITE = ["NaN", "nan", "inf", "-inf", "Infinity", "-Infinity", "sNaN"]
TOO_LARGE = ["1e999", "-1e999", "10000000000", "99999999999999999999"]


# --- What was there before, and whether anything moved --------------------------------------------

def stored(record) -> dict:
    """The row of `record` as the database has it now (every column, the version included)."""
    db.session.expire_all()
    table = type(record).__table__
    return dict(db.session.execute(select(table).where(table.c.id == record.id)).mappings().one())


def audit_events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


class Unchanged:
    """Records the rows and the audit trail; `assert_holds()` checks that neither moved."""

    def __init__(self, *records):
        self.records = records
        self.rows = [stored(record) for record in records]
        self.events = audit_events()

    def assert_holds(self) -> None:
        assert [stored(record) for record in self.records] == self.rows
        assert audit_events() == self.events


def text_of(response) -> str:
    body = response.get_data(as_text=True)
    response.close()
    return body


def field_errors(html: str, name: str) -> list[str]:
    """The errors a form page shows under the field `name` (its own form group, next to its label)."""
    group = re.search(rf'<label for="{re.escape(name)}".*?(?=<div class="form-group|</form>)', html, re.S)
    assert group, f"no field {name} on the page"
    return [unescape(e).strip() for e in re.findall(r"<li>(.*?)</li>", group.group(0), re.S)]


def flashed(html: str) -> list[str]:
    """The messages flashed on the page."""
    return [" ".join(unescape(re.sub(r"<button.*?</button>|<[^>]+>", "", m, flags=re.S)).split())
            for m in re.findall(r'class="alert alert-\w+ alert-dismissable">(.*?)</div>', html, re.S)]


def assert_not_500(response) -> None:
    assert response.status_code != 500, response.get_data(as_text=True)[-2000:]


def edit(client, table, record, **changes):
    """Open the record's edit form and post it back with `changes`."""
    url = f"/admin/{table}/edit/?id={record.id}"
    form = form_values(client.get(url).get_data(as_text=True))
    return client.post(url, data={**form, **changes})


def north(model):
    """A record of `model` owned by the North coordinator (in the coordinator's and supervisor's scope)."""
    if model is Contact:
        contact = Contact(account_id=north(Account).id, name=factories.unique("Contact"), email="c@example.com")
        db.session.add(contact)
        db.session.flush()
        return contact
    return db.session.scalar(select(model).join(User, model.owner_id == User.id)
                             .where(User.email == "coordinator@example.com").order_by(model.id).limit(1))


def panel_view(app, endpoint):
    return next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", None) == endpoint)


# --- The shared rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [NUL, "x\ud800y", "\udfff"])
def test_text_the_database_cannot_store_is_a_problem(value):
    assert text_problem(value)


@pytest.mark.parametrize("value, limit", [
    (Decimal("9999999999.99"), None), (Decimal("-9999999999.99"), None),
    (Decimal("10000000000"), "9,999,999,999.99"), (Decimal("9999999999.995"), "9,999,999,999.99"),
    (Decimal("1E+999"), "9,999,999,999.99"), (Decimal("-1E+999"), "-9,999,999,999.99"),
])
def test_money_holds_twelve_digits_two_after_the_point(value, limit):
    problem = digits_problem(value, Account.__table__.c.credit_limit)
    assert problem is None if limit is None else limit in problem


@pytest.mark.parametrize("value, refused", [(2_147_483_647, False), (2_147_483_648, True), (-2_147_483_649, True)])
def test_an_integer_column_holds_what_the_database_integer_holds(value, refused):
    assert bool(value_problem(value, Account.__table__.c.payment_terms_days)) is refused


def test_an_email_column_holds_email_addresses():
    assert value_problem("not-an-email", Contact.__table__.c.email)
    assert value_problem("someone@example.com", Contact.__table__.c.email) is None
    assert value_problem("not-an-email", Contact.__table__.c.name) is None


# --- 1. Bulk edit of any enum field ----------------------------------------------------------------

def bulk_edit(client, table, **form):
    return client.post(f"/admin/{table}/bulk-edit/", data=form)


def preview_and_apply(client, table, record, name, value):
    form = {"ids": str(record.id), "field": name, f"value_{name}": value}
    preview = bulk_edit(client, table, step="preview", **form)
    assert_not_500(preview)
    html = text_of(preview)
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token, flashed(html)
    applied = bulk_edit(client, table, step="apply", token=token.group(1), **form)
    assert_not_500(applied)
    return html, text_of(applied)


@pytest.mark.parametrize("table, record, name, value", [
    ("customer_request", lambda u: factories.customer_request(owner=u), "priority", "urgent"),
    ("account", lambda u: factories.account(owner=u), "status", "on_hold"),
    ("lead", lambda u: factories.lead(owner=u, source="web"), "source", "trade_show"),
])
def test_an_enum_field_is_bulk_edited_previewed_then_applied(login_as, user_of, table, record, name, value):
    row = record(user_of("coordinator@example.com"))
    client = login_as(Role.supervisor)
    events = audit_events()
    preview, applied = preview_and_apply(client, table, row, name, value)
    assert "1 rows will change" in preview
    assert "1 rows updated." in applied
    assert getattr(stored(row)[name], "value", stored(row)[name]) == value
    assert audit_events() == events + 1


@pytest.mark.parametrize("step", ["preview", "apply"])
def test_an_unknown_enum_value_in_a_bulk_edit_is_refused_naming_the_field(login_as, user_of, step):
    request = factories.customer_request(owner=user_of("coordinator@example.com"))
    client = login_as(Role.coordinator)
    before = Unchanged(request)
    response = bulk_edit(client, "customer_request", step=step, ids=str(request.id),
                         field="priority", value_priority="nonsense", token="x")
    assert_not_500(response)
    assert any(m.startswith("Priority:") for m in flashed(text_of(response)))
    before.assert_holds()


# --- 2. Exports and lists with a filter that does not exist or a value it does not take ------------

BAD_LIST_ARGUMENTS = {
    "flt0_status_equals=nonexistent": "Status",
    "flt99_nosuch=1": "nosuch",
    "flt0_status_equals=draft&flt1_nosuch_equals=x": "nosuch_equals",
    "flt0_status_equals=a%00b": "Status",
    "flt0_valid_until_between=yesterday": "Valid until",
    "search=a%00b": "Search",
}


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("arguments", BAD_LIST_ARGUMENTS)
def test_an_export_with_a_bad_filter_is_refused_before_it_streams(login_as, kind, arguments):
    client = login_as(Role.manager)
    events = audit_events()
    response = client.get(f"/admin/quote/export/{kind}/?{arguments}")
    html = text_of(response)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert BAD_LIST_ARGUMENTS[arguments] in html
    assert audit_events() == events  # no export was recorded: none was made


@pytest.mark.parametrize("arguments", BAD_LIST_ARGUMENTS)
def test_the_list_with_a_bad_filter_says_which(login_as, arguments):
    response = login_as(Role.manager).get(f"/admin/quote/?{arguments}")
    assert response.status_code == 200
    assert any(BAD_LIST_ARGUMENTS[arguments] in message for message in flashed(text_of(response)))


def test_a_bad_filter_in_a_bulk_edit_of_every_matching_row_changes_nothing(login_as, user_of):
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    client = login_as(Role.coordinator)
    before = Unchanged(lead)
    response = client.post("/admin/lead/bulk-edit/?flt0_nosuch=1", data={
        "step": "preview", "field": "region", "value_region": "Elsewhere"})
    assert response.status_code == 400
    assert "nosuch" in text_of(response)
    before.assert_holds()


# --- 3. NUL characters in any text input ----------------------------------------------------------

def test_the_error_page_of_a_failed_statement_still_renders(app, login_as, monkeypatch):
    client = login_as(Role.coordinator)
    view = panel_view(app, "lead")

    def failing_query():
        db.session.add(Lead(company=None, source="web"))  # NOT NULL: the flush fails, the session needs a rollback
        db.session.flush()

    monkeypatch.setattr(view, "get_query", failing_query)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    events = audit_events()
    response = client.get(f"/admin/lead/details/?id={north(Lead).id}")
    assert response.status_code == 500
    assert "Something went wrong" in text_of(response)
    assert audit_events() == events

