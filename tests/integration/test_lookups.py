"""Related-record pickers offer, and forms accept, only records the user may see.

Every picker (`/admin/<table>/ajax/lookup/?name=<field>`) of every view, for every role that may open the
view, must return exactly the rows of the related model the role's scope gives it (computed here from
the data, not from the product's scoping SQL). Posting an id the picker would not offer is refused with a
form error and writes nothing.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from admin.access import READ
from models import Account, Contact, Quote, QuoteStatus, Role, Target, Team, User, db
from tests.integration.access_support import (
    COORDINATOR, ROLE_LOGINS, changed_tables, client_as, collection_app, fingerprint, model_views,
    role_user, user, visible_ids,
)


def pickers(app) -> list[tuple[str, str, Role]]:
    """(table, picker field, role) for every ajax picker of every view, for each role that may read it."""
    found = []
    for table, view in model_views(app).items():
        for field in sorted(view.form_ajax_refs or {}):
            found += [(table, field, role) for role in ROLE_LOGINS if READ in view.access[role]]
    return found


PICKERS = pickers(collection_app())


def lookup_ids(client, table: str, field: str, query: str = "") -> list[int]:
    response = client.get(f"/admin/{table}/ajax/lookup/",
                          query_string={"name": field, "query": query, "offset": 0, "limit": 100000})
    assert response.status_code == 200
    return [row_id for row_id, _label in response.get_json()]


def related_view(app, view, field):
    model = getattr(view.model, field).property.mapper.class_
    return next(v for v in model_views(app).values() if v.model is model)


@pytest.mark.parametrize(("table", "field", "role"), PICKERS, ids=lambda p: getattr(p, "value", p))
def test_picker_offers_exactly_the_rows_in_scope(app, table, field, role):
    view = model_views(app)[table]
    target = related_view(app, view, field)
    ids = lookup_ids(client_as(app, role), table, field)
    assert len(ids) == len(set(ids))
    assert set(ids) == visible_ids(target, role_user(role))


def test_quote_account_picker_offers_the_coordinators_team_accounts_only(app):
    team_accounts = set(db.session.scalars(text(
        "SELECT a.id FROM account a JOIN app_user o ON o.id = a.owner_id "
        "WHERE o.team_id = (SELECT team_id FROM app_user WHERE email = :email)"), {"email": COORDINATOR}))
    all_accounts = db.session.scalar(select(func.count()).select_from(Account))
    assert 0 < len(team_accounts) < all_accounts
    assert set(lookup_ids(client_as(app, COORDINATOR), "quote", "account")) == team_accounts


def test_picker_search_does_not_find_another_teams_account(app):
    other = foreign_account()
    assert other.id not in lookup_ids(client_as(app, COORDINATOR), "quote", "account", query=other.name)
    assert other.id in lookup_ids(client_as(app, Role.manager), "quote", "account", query=other.name)


# --- Posting ids the pickers would not offer ------------------------------------------------------

def foreign_account() -> Account:
    """An account owned outside coordinator@'s team."""
    return db.session.scalar(select(Account).join(Account.owner)
                             .where(User.team_id != user(COORDINATOR).team_id).order_by(Account.id))


def foreign_contact() -> Contact:
    """A contact of an account owned outside coordinator@'s team."""
    return db.session.scalar(select(Contact).join(Contact.account).join(Account.owner)
                             .where(User.team_id != user(COORDINATOR).team_id).order_by(Contact.id))


def mine(model):
    return db.session.scalar(select(model).where(model.owner_id == user(COORDINATOR).id).order_by(model.id))


def test_contact_cannot_be_created_for_another_teams_account(app):
    foreign = foreign_account()
    before = fingerprint()
    response = client_as(app, COORDINATOR).post("/admin/contact/new/", data={
        "account": str(foreign.id), "name": "Planted Contact", "email": "planted@example.test",
    })
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert changed_tables(before, fingerprint()) == []


def test_quote_cannot_be_created_for_another_teams_user(app):
    me, account = user(COORDINATOR), mine(Account)
    stranger = db.session.scalar(select(User).where(User.team_id != me.team_id, User.team_id.is_not(None)))
    before = fingerprint()
    response = client_as(app, COORDINATOR).post("/admin/quote/new/", data={
        "number": "Q-PLANTED-1", "account": str(account.id), "owner": str(stranger.id), "discount_pct": "0",
    })
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert changed_tables(before, fingerprint()) == []


def test_optional_picker_refuses_another_teams_contact_on_create(app):
    """Quote.contact may be empty, but an out-of-scope id is not "empty": it must be a form error."""
    me, account = user(COORDINATOR), mine(Account)
    foreign = foreign_contact()
    before = fingerprint()
    response = client_as(app, COORDINATOR).post("/admin/quote/new/", data={
        "number": "Q-PLANTED-2", "account": str(account.id), "contact": str(foreign.id),
        "owner": str(me.id), "discount_pct": "0",
    })
    created = db.session.scalar(select(Quote).where(Quote.number == "Q-PLANTED-2"))
    assert created is None, (f"answered {response.status_code}: quote created with contact "
                             f"{created.contact_id} instead of a form error for contact {foreign.id}")
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert changed_tables(before, fingerprint()) == []


def test_optional_picker_refuses_another_teams_contact_on_edit(app):
    """Posting another team's contact on one's own quote must not save — nor silently clear its contact."""
    me = user(COORDINATOR)
    quote = db.session.scalar(select(Quote).where(Quote.owner_id == me.id, Quote.contact_id.is_not(None),
                                                  Quote.status == QuoteStatus.draft).order_by(Quote.id))
    foreign = foreign_contact()
    before = (quote.contact_id, quote.notes, quote.version)
    response = client_as(app, COORDINATOR).post(f"/admin/quote/edit/?id={quote.id}", data={
        "number": quote.number, "account": str(quote.account_id), "contact": str(foreign.id),
        "owner": str(quote.owner_id), "discount_pct": str(quote.discount_pct), "notes": "edited",
    })
    after = tuple(db.session.execute(select(Quote.contact_id, Quote.notes, Quote.version)
                                     .where(Quote.id == quote.id)).first())
    assert after == before, f"answered {response.status_code}; (contact, notes, version) {before} → {after}"
    assert "Not a valid choice" in response.get_data(as_text=True)


@pytest.mark.parametrize("whose", ["another-team", "the-company"])
def test_supervisor_cannot_set_a_target_outside_the_team(app, whose):
    """DESIGN "Roles": a supervisor sets targets *for the team*; the team picker must not offer others."""
    supervisor = role_user(Role.supervisor)
    team = db.session.scalar(select(Team).where(Team.id != supervisor.team_id).order_by(Team.id))
    form = {"metric": "revenue", "period_start": "2030-01-01", "period_end": "2030-01-31",
            "target_value": "12345"}
    if whose == "another-team":
        form["team"] = str(team.id)
    before = db.session.scalar(select(func.count()).select_from(Target))
    response = client_as(app, Role.supervisor).post("/admin/target/new/", data=form)
    created = db.session.scalar(select(func.count()).select_from(Target)) - before
    assert created == 0, f"answered {response.status_code}: a target for {whose} was created"
    assert response.status_code == 200
