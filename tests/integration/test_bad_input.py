"""Bad input never answers 500 and changes nothing: it gets a message naming the field, in forms, inline
edit, bulk edit, action forms, list arguments and exports, on SQLite and PostgreSQL alike."""
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, inspect, select

from models import (
    Account, AuditEvent, Contact, CustomerRequest, InvoiceStatus, Lead, OrderStatus, Quote, QuoteStatus, Role, SalesOrder,
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
    editable = [model.status == QuoteStatus.draft] if model is Quote else []  # a submitted quote is locked
    return db.session.scalar(select(model).join(User, model.owner_id == User.id)
                             .where(User.email == "coordinator@example.com", *editable).order_by(model.id).limit(1))


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

FORM_TEXT = [("sales_order", SalesOrder, "number"), ("lead", Lead, "company"), ("account", Account, "name"),
             ("quote", Quote, "notes"), ("lead", Lead, "contact_email")]


@pytest.mark.parametrize("table, model, name", FORM_TEXT)
def test_a_nul_in_a_form_text_field_is_refused_under_the_field(login_as, table, model, name):
    record = north(model)
    client = login_as(Role.supervisor)
    before = Unchanged(record)
    response = edit(client, table, record, **{name: f"SO{NUL}X"})
    assert_not_500(response)
    assert response.status_code == 200
    assert "contains a NUL character" in field_errors(text_of(response), name)
    before.assert_holds()


def test_a_nul_in_a_new_record_creates_nothing(login_as):
    client = login_as(Role.coordinator)
    leads = db.session.scalar(select(func.count()).select_from(Lead))
    events = audit_events()
    response = client.post("/admin/lead/new/", data={"company": NUL, "source": "web"})
    assert_not_500(response)
    assert "contains a NUL character" in field_errors(text_of(response), "company")
    assert db.session.scalar(select(func.count()).select_from(Lead)) == leads
    assert audit_events() == events


def inline(client, table, record, **values):
    return client.post(f"/admin/{table}/ajax/update/", data={"list_form_pk": str(record.id), **values})


def test_a_nul_in_an_inline_edit_is_refused_naming_the_field(login_as, user_of):
    request = factories.customer_request(owner=user_of("coordinator@example.com"))
    client = login_as(Role.coordinator)
    before = Unchanged(request)
    response = inline(client, "customer_request", request, priority=NUL)
    assert response.status_code == 400
    assert text_of(response).startswith("Priority:")
    before.assert_holds()


def test_a_nul_in_a_bulk_edit_is_refused_naming_the_field(login_as, user_of):
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    client = login_as(Role.coordinator)
    before = Unchanged(lead)
    response = bulk_edit(client, "lead", step="preview", ids=str(lead.id), field="region",
                         value_region=NUL)
    assert_not_500(response)
    assert "Region: contains a NUL character" in flashed(text_of(response))
    before.assert_holds()


def run_action(client, table, record, action, **inputs):
    return client.post(f"/admin/{table}/action/", data={"action": action, "rowid": str(record.id),
                                                       "_inputs": "1", **inputs})


def test_a_nul_in_an_action_form_is_refused_under_the_field(login_as, user_of):
    order = factories.order(owner=user_of("coordinator@example.com"))
    client = login_as(Role.coordinator)
    before = Unchanged(order)
    response = run_action(client, "sales_order", order, "cancel_order", reason=NUL)
    assert_not_500(response)
    html = text_of(response)
    assert re.search(r'id="reason"[^>]*>[^<]*</textarea>\s*<div class="invalid-feedback">contains a NUL', html)
    before.assert_holds()
    assert stored(order)["status"] == OrderStatus.pending


@pytest.mark.parametrize("url, name", [
    ("/admin/account/?search=a%00b", "Search"),
    ("/admin/account/?flt0_region_contains=a%00b", "Region"),
    ("/admin/account/?flt0_region_in_list=North,a%00b", "Region"),
    ("/admin/lead/?search=x%40a%00b.com", "Search"),
])
def test_a_nul_in_a_search_or_filter_is_refused_naming_it(login_as, url, name):
    response = login_as(Role.manager).get(url)
    assert response.status_code == 200
    assert any(m.startswith(name) and "NUL" in m for m in flashed(text_of(response)))
    if "search" in url:
        assert 'name="rowid"' not in text_of(login_as(Role.manager).get(url))  # no row holds such text


def test_a_nul_in_a_related_record_lookup_finds_nothing(login_as):
    response = login_as(Role.manager).get("/admin/contact/ajax/lookup/?name=account&query=a%00b")
    assert response.status_code == 200
    assert response.json == []


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


# --- 4. Numbers that are not finite, or larger than the column holds ---------------------------------

@pytest.mark.parametrize("value", NOT_FINITE + ["1e999"])
@pytest.mark.parametrize("table, model, name", [("quote", Quote, "discount_pct"),
                                                ("sales_order", SalesOrder, "discount_pct"),
                                                ("account", Account, "credit_limit")])
def test_a_number_that_is_not_finite_or_too_large_is_refused_in_a_form(login_as, table, model, name, value):
    record = north(model)
    client = login_as(Role.supervisor)
    before = Unchanged(record)
    response = edit(client, table, record, **{name: value})
    assert_not_500(response)
    assert field_errors(text_of(response), name)
    before.assert_holds()


@pytest.mark.parametrize("name, value, message", [
    ("credit_limit", "10000000000", "9,999,999,999.99"),
    ("credit_limit", "-99999999999", "-9,999,999,999.99"),
    ("payment_terms_days", "3000000000", "2,147,483,647"),
    ("payment_terms_days", "99999999999999999999999", "2,147,483,647"),
])
def test_a_number_beyond_the_columns_precision_is_refused_in_a_form(login_as, name, value, message):
    account = north(Account)
    client = login_as(Role.supervisor)
    before = Unchanged(account)
    response = edit(client, "account", account, **{name: value})
    assert_not_500(response)
    assert any(message in error for error in field_errors(text_of(response), name))
    before.assert_holds()


@pytest.mark.parametrize("name, value", [("target_value", "NaN"), ("target_value", "1e999"),
                                         ("target_value", "999999999999999")])
def test_a_number_the_column_cannot_hold_is_refused_in_a_bulk_edit(login_as, user_of, name, value):
    coordinator = user_of("coordinator@example.com")
    target = factories.target(user_id=coordinator.id, period=(date(2030, 1, 1), date(2030, 1, 31)))
    client = login_as(Role.supervisor)
    before = Unchanged(target)
    response = bulk_edit(client, "target", step="preview", ids=str(target.id), field=name,
                         **{f"value_{name}": value})
    assert_not_500(response)
    assert any(m.startswith("Target value:") for m in flashed(text_of(response)))
    before.assert_holds()


def test_a_whole_number_the_column_cannot_hold_is_refused_in_a_bulk_edit(login_as, user_of):
    account = factories.account(owner=user_of("coordinator@example.com"))
    client = login_as(Role.coordinator)
    before = Unchanged(account)
    response = bulk_edit(client, "account", step="preview", ids=str(account.id),
                         field="payment_terms_days", value_payment_terms_days="3000000000")
    assert_not_500(response)
    assert any(m.startswith("Payment terms days:") and "2,147,483,647" in m for m in flashed(text_of(response)))
    before.assert_holds()


@pytest.mark.parametrize("amount", NOT_FINITE + TOO_LARGE)
def test_a_payment_amount_that_is_not_a_storable_number_is_refused(login_as, user_of, amount):
    invoice = factories.invoice(InvoiceStatus.issued, account_=north(Account))
    client = login_as(Role.coordinator)
    before = Unchanged(invoice)
    response = run_action(client, "invoice", invoice, "record_payment", amount=amount,
                          method="bank_transfer")
    assert_not_500(response)
    assert re.search(r'id="amount"[^>]*>\s*<div class="invalid-feedback">', text_of(response))
    before.assert_holds()


def test_a_score_the_column_cannot_hold_is_refused_in_an_action_form(login_as, user_of):
    request = factories.customer_request(owner=user_of("coordinator@example.com"))
    client = login_as(Role.coordinator)
    before = Unchanged(request)
    response = run_action(client, "customer_request", request, "resolve_request",
                          root_cause="cause", resolution="done", satisfaction_score="99999999999999999999")
    assert_not_500(response)
    assert re.search(r'id="satisfaction_score"[^>]*>\s*<div class="invalid-feedback">', text_of(response))
    before.assert_holds()


@pytest.fixture
def editable_in_the_list(app, monkeypatch):
    """Makes columns of a view editable in its list for one test (Flask-Admin builds the list form once)."""
    changed = []

    def make(endpoint, *names):
        view = panel_view(app, endpoint)
        monkeypatch.setattr(view, "column_editable_list", list(names))
        view._refresh_forms_cache()
        changed.append(view)

    yield make
    monkeypatch.undo()
    for view in changed:
        view._refresh_forms_cache()


@pytest.mark.parametrize("value", NOT_FINITE + TOO_LARGE)
def test_a_number_the_column_cannot_hold_is_refused_inline(login_as, editable_in_the_list, value):
    editable_in_the_list("sales_order", "discount_pct")
    order = north(SalesOrder)
    client = login_as(Role.coordinator)
    before = Unchanged(order)
    response = inline(client, "sales_order", order, discount_pct=value)
    assert response.status_code == 400
    assert text_of(response).startswith("Discount %:")
    before.assert_holds()


# --- 5. E-mail columns hold e-mail addresses -------------------------------------------------------

@pytest.mark.parametrize("table, model, name, role", [
    ("contact", Contact, "email", Role.supervisor), ("lead", Lead, "contact_email", Role.supervisor),
    ("account", Account, "email", Role.supervisor), ("app_user", User, "email", Role.admin),
])
def test_not_an_email_is_refused_in_a_form(login_as, table, model, name, role):
    record = north(model) if model is not User else db.session.scalar(
        select(model).where(model.email == "coordinator@example.com"))
    client = login_as(role)
    before = Unchanged(record)
    response = edit(client, table, record, **{name: "not-an-email"})
    assert_not_500(response)
    assert "is not an e-mail address" in field_errors(text_of(response), name)
    before.assert_holds()


def test_an_email_address_is_still_accepted_in_a_form(login_as):
    contact = north(Contact)
    response = edit(login_as(Role.supervisor), "contact", contact, email="someone.new@example.com")
    assert response.status_code == 302
    assert stored(contact)["email"] == "someone.new@example.com"


def test_not_an_email_is_refused_in_a_bulk_edit(app, login_as, user_of, monkeypatch):
    view = panel_view(app, "account")
    monkeypatch.setattr(view, "bulk_edit_fields", {Role.coordinator: ("email",)})
    monkeypatch.setattr(view, "_bulk_edit_fields_left", {}, raising=False)
    account = factories.account(owner=user_of("coordinator@example.com"))
    client = login_as(Role.coordinator)
    before = Unchanged(account)
    response = bulk_edit(client, "account", step="preview", ids=str(account.id),
                         field="email", value_email="not-an-email")
    assert_not_500(response)
    assert "Email: is not an e-mail address" in flashed(text_of(response))
    before.assert_holds()


def test_not_an_email_is_refused_inline(login_as, editable_in_the_list):
    editable_in_the_list("contact", "email")
    contact = north(Contact)
    client = login_as(Role.supervisor)
    before = Unchanged(contact)
    response = inline(client, "contact", contact, email="not-an-email")
    assert response.status_code == 400
    assert text_of(response) == "Email: is not an e-mail address"
    before.assert_holds()


# --- In the user's language ------------------------------------------------------------------------

@pytest.fixture
def polish(login_as):
    def log_in(role):
        client = login_as(role)
        assert client.post("/language", data={"locale": "pl", "next": "/admin/"}).status_code == 302
        return client

    return log_in


def test_the_refusals_are_told_in_polish(polish, user_of):
    supervisor = polish(Role.supervisor)
    limit = field_errors(text_of(edit(supervisor, "account", north(Account), credit_limit="1e999")), "credit_limit")
    assert limit == ["przekracza 9\xa0999\xa0999\xa0999,99, największą wartość tego pola"]
    nul = field_errors(text_of(edit(supervisor, "lead", north(Lead), company=NUL)), "company")
    assert nul == ["zawiera znak NUL"]
    email = field_errors(text_of(edit(supervisor, "lead", north(Lead), contact_email="x")), "contact_email")
    assert email == ["nie jest adresem e-mail"]

    coordinator = polish(Role.coordinator)
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    bulk = flashed(text_of(bulk_edit(coordinator, "lead", step="preview", ids=str(lead.id), field="region",
                                     value_region=NUL)))
    assert "Region: zawiera znak NUL" in bulk
    invoice = factories.invoice(InvoiceStatus.issued, account_=north(Account))
    action = text_of(run_action(coordinator, "invoice", invoice, "record_payment", amount="1e999",
                                method="bank_transfer"))
    assert "przekracza 9\xa0999\xa0999\xa0999,99, największą wartość tego pola" in action
    export = text_of(coordinator.get("/admin/lead/export/csv/?flt0_nosuch=1"))
    assert "Ta lista nie ma filtra „nosuch”." in export
    listing = flashed(text_of(coordinator.get("/admin/lead/?search=a%00b")))
    assert "Wyszukiwanie: zawiera znak NUL" in listing
