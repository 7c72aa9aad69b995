"""Forms are allowlists: fields set only by actions or the system cannot be posted into a record.

Quote, sales order and lead are created and edited through the real forms (as a coordinator and as a
manager) with extra fields posted alongside — status, approver, owner, version, total, id, creation
time. The save must succeed (so the test proves the form was accepted) and none of the extras may land.
Which extras are real form fields is read from the rendered form: only `owner` of quotes and orders is
(DESIGN lets the owner be chosen there; leads change owner only by the "Reassign lead" action).
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import (
    Account, Lead, LeadStatus, OrderStatus, Product, Quote, QuoteStatus, Role, SalesOrder, User, db,
)
from tests.integration.access_support import client_as, form_values, model_views, role_user, visible_ids

MODELS = {"quote": Quote, "sales_order": SalesOrder, "lead": Lead}
# A state each model's form must not be able to reach; the state it is created in.
FORBIDDEN_STATE = {Quote: QuoteStatus.approved, SalesOrder: OrderStatus.shipped, Lead: LeadStatus.converted}
INITIAL_STATE = {Quote: QuoteStatus.draft, SalesOrder: OrderStatus.pending, Lead: LeadStatus.new}
EDITED_STATE = {Quote: QuoteStatus.draft, SalesOrder: OrderStatus.confirmed, Lead: LeadStatus.contacted}
# `version` is not among them: it is a real (hidden) field of every edit form, and a wrong one refuses
# the save as a stale edit (tests/integration/test_stale_edits.py).
EXTRAS = ("status", "approved_by", "approved_by_id", "owner", "owner_id", "total", "id", "created_at")
LEGITIMATE = {Quote: {"owner"}, SalesOrder: {"owner"}, Lead: set()}  # checked against the rendered form
CASES = [(table, role, op) for table in MODELS for role in (Role.coordinator, Role.manager)
         for op in ("create", "edit")]


def teammate(person: User) -> User:
    """Someone else in the person's team (the manager, who has none: a coordinator)."""
    query = select(User).where(User.id != person.id, User.role == Role.coordinator)
    if person.team_id is not None:
        query = query.where(User.team_id == person.team_id)
    return db.session.scalar(query.order_by(User.id))


def extras(model, acting: User, other_record_id: int) -> dict:
    """The extra fields, each with a value that would be visible if it were applied."""
    other = teammate(acting)
    approver = role_user(Role.supervisor)
    return {
        "status": FORBIDDEN_STATE[model].value, "approved_by": str(approver.id),
        "approved_by_id": str(approver.id), "owner": str(other.id), "owner_id": str(other.id),
        "total": "123456.78", "id": str(other_record_id),
        "created_at": "2001-01-01 00:00:00",
    }


def snapshot(model, record_id) -> dict:
    columns = [c for c in ("status", "approved_by_id", "owner_id", "version", "total", "id", "created_at",
                           "notes") if hasattr(model, c)]
    query = select(*(getattr(model, c) for c in columns)).where(model.id == record_id)
    row = db.session.execute(query).first()
    return dict(zip(columns, row)) if row else {}


def base_form(model, acting: User, account: Account, day) -> dict:
    stamp = f"MA-{acting.role.value[:3]}-{model.__tablename__[:2]}"
    if model is Quote:
        return {"number": stamp, "account": str(account.id), "owner": str(acting.id), "discount_pct": "5",
                "notes": "mass assignment"}
    if model is SalesOrder:
        return {"number": stamp, "account": str(account.id), "owner": str(acting.id),
                "ordered_on": day.isoformat(), "drawing_status": "not_required",
                "discount_pct": "0", "notes": "mass assignment"}
    return {"company": stamp, "source": "web", "region": "North", "notes": "mass assignment"}


def find_created(model, form) -> int | None:
    key = Lead.company if model is Lead else model.number
    return db.session.scalar(select(model.id).where(key == (form.get("company") or form.get("number"))))


@pytest.mark.parametrize(("table", "role", "op"), CASES, ids=lambda p: getattr(p, "value", p))
def test_extra_fields_are_not_assigned(app, clock, table, role, op):
    model, view = MODELS[table], model_views(app)[table]
    acting = role_user(role)
    client = client_as(app, role)
    seen = visible_ids(view, acting)
    outside = sorted(set(db.session.scalars(select(model.id))) - seen) or sorted(seen)
    other_id = outside[-1]  # a record whose id is posted as `id`: it must not be touched
    other_before = snapshot(model, other_id)

    if op == "create":
        page = client.get(f"/admin/{table}/new/")
        record_id = None
    else:
        record_id = db.session.scalar(select(model.id).where(
            model.id.in_(seen), model.status == EDITED_STATE[model]).order_by(model.id))
        assert record_id is not None, f"no {EDITED_STATE[model].value} {table} in the {role.value}'s scope"
        page = client.get(f"/admin/{table}/edit/?id={record_id}")
    assert page.status_code == 200
    rendered = form_values(page.get_data(as_text=True))
    legitimate = set(EXTRAS) & set(rendered)
    assert legitimate == LEGITIMATE[model], f"form fields of {table}: {sorted(rendered)}"

    posted_extras = {k: v for k, v in extras(model, acting, other_id).items() if k not in legitimate}
    if op == "create":
        account = db.session.scalar(select(Account).where(Account.owner_id.in_(
            [acting.id] if role is Role.coordinator else select(User.id))).order_by(Account.id))
        form = base_form(model, acting, account, clock.date())
        before = None
    else:
        before = snapshot(model, record_id)
        form = {**rendered, "notes": "mass assignment edit"}

    response = client.post(f"/admin/{table}/{'new' if op == 'create' else 'edit'}/"
                           + (f"?id={record_id}" if record_id else ""), data={**form, **posted_extras})

    assert response.status_code == 302, "the form with the extras was not saved"
    record_id = record_id or find_created(model, form)
    assert record_id is not None, "no record was created"
    after = snapshot(model, record_id)
    assert after["notes"] == form["notes"], "the save did not happen"
    if op == "create":
        assert after["status"] == INITIAL_STATE[model]
        assert after["version"] == 1
        assert after["owner_id"] == acting.id  # the creator (posted as `owner` for quotes and orders)
        assert after["created_at"] == clock
        assert record_id != other_id
        if "approved_by_id" in after:
            assert after["approved_by_id"] is None
        if "total" in after:
            assert after["total"] == Decimal("0")  # no lines yet: computed, never posted
    else:
        assert after["version"] == before["version"] + 1
        expected = {**before, "notes": form["notes"], "version": before["version"] + 1}
        assert after == expected
    assert snapshot(model, other_id) == other_before


def test_coordinator_cannot_post_a_hidden_column(app):
    """A coordinator's account form has no credit limit; posting one changes nothing."""
    coordinator = role_user(Role.coordinator)
    account = db.session.scalar(
        select(Account).where(Account.owner_id == coordinator.id).order_by(Account.id))
    client = client_as(app, Role.coordinator)
    form = form_values(client.get(f"/admin/account/edit/?id={account.id}").get_data(as_text=True))
    assert "credit_limit" not in form
    limit, version = account.credit_limit, account.version
    response = client.post(f"/admin/account/edit/?id={account.id}",
                           data={**form, "phone": "+48 500 000 000", "credit_limit": str(limit + 99999)})
    assert response.status_code == 302
    row = db.session.execute(select(Account.credit_limit, Account.phone, Account.version)
                             .where(Account.id == account.id)).first()
    assert tuple(row) == (limit, "+48 500 000 000", version + 1)


# --- After approval the form must not change what was approved -------------------------------------

def approved_quote_of_the_coordinator() -> Quote:
    quote = db.session.scalar(select(Quote).where(
        Quote.owner_id == role_user(Role.coordinator).id, Quote.status == QuoteStatus.approved,
    ).order_by(Quote.id))
    assert quote is not None, "the demo data needs an approved quote of coordinator@"
    return quote


def approved_terms(quote_id: int) -> tuple:
    terms = select(Quote.status, Quote.discount_pct, Quote.total, Quote.approved_by_id)
    return tuple(db.session.execute(terms.where(Quote.id == quote_id)).first())


def test_coordinator_cannot_raise_the_discount_of_an_approved_quote(app):
    """DESIGN "Roles": coordinators work quotes *up to submit*; an approved discount is the approver's."""
    quote = approved_quote_of_the_coordinator()
    before = approved_terms(quote.id)
    client = client_as(app, Role.coordinator)
    form = form_values(client.get(f"/admin/quote/edit/?id={quote.id}").get_data(as_text=True))
    response = client.post(f"/admin/quote/edit/?id={quote.id}", data={**form, "discount_pct": "40"})
    assert approved_terms(quote.id) == before, f"answered {response.status_code}; the approved terms changed"


def test_coordinator_cannot_add_lines_to_an_approved_quote(app):
    """A line added after approval raises the total past what the approver saw (and past their limit)."""
    quote = approved_quote_of_the_coordinator()
    product = db.session.scalar(select(Product).order_by(Product.id))
    before = approved_terms(quote.id)
    response = client_as(app, Role.coordinator).post("/admin/quote_line/new/", data={
        "quote": str(quote.id), "product": str(product.id), "quantity": "500", "unit_price": "1000",
        "discount_pct": "0",
    })
    assert approved_terms(quote.id) == before, f"answered {response.status_code}; the approved total changed"
