"""Saved views: personal ones are private; shared ones appear for the role only; a role's default view
opens a bare list; saving keeps only the list's own arguments, checks its rules on the server and is
audited."""
from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Role, SavedView, db
from tests.integration.access_support import COORDINATOR, OTHER_COORDINATOR, OTHER_SUPERVISOR, client_as, user

SAME_TEAM_COORDINATOR = "magdalena.kaminska@example.com"  # coordinator@'s team (North)
SUPERVISOR = "supervisor@example.com"
MANAGER = "manager@example.com"


def menu(client, table: str) -> list[str]:
    """The names in the list's Views menu (the whole list shown, so no default view interferes)."""
    response = client.get(f"/admin/{table}/?view=all")
    assert response.status_code == 200
    return [html.unescape(name) for name in re.findall(r'data-saved-view="([^"]*)"', response.get_data(as_text=True))]


def save(client, table: str, query: str, **form):
    """Post the Save this view form of the list at `/admin/<table>/?<query>`."""
    return client.post(f"/admin/{table}/save-view/?{query}", data=form)


def saved(owner_email: str, name: str) -> SavedView | None:
    return db.session.scalar(select(SavedView).where(SavedView.owner_id == user(owner_email).id,
                                                     SavedView.name == name))


def seeded(name: str, role: Role | None = None) -> SavedView:
    query = select(SavedView).where(SavedView.name == name)
    if role is not None:
        query = query.where(SavedView.shared_with_role == role)
    return db.session.scalar(query)


def view_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SavedView))


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- Personal views are private ------------------------------------------------------------------

def test_a_personal_view_is_in_its_owners_menu_only(app):
    response = save(client_as(app, COORDINATOR), "quote", "flt0_status_equals=draft", name="My drafts")
    assert response.status_code == 302
    mine = saved(COORDINATOR, "My drafts")
    assert mine.shared_with_role is None
    assert "My drafts" in menu(client_as(app, COORDINATOR), "quote")
    for other in (SAME_TEAM_COORDINATOR, OTHER_COORDINATOR, SUPERVISOR, MANAGER):
        assert "My drafts" not in menu(client_as(app, other), "quote"), other


@pytest.mark.parametrize("other", [SAME_TEAM_COORDINATOR, OTHER_COORDINATOR, SUPERVISOR, MANAGER])
def test_another_users_personal_view_answers_404(app, other):
    personal = seeded("Breached requests")  # coordinator@'s own, shared with nobody
    assert personal.owner.email == COORDINATOR and personal.shared_with_role is None
    client = client_as(app, other)
    for path in ("details", "edit"):
        assert client.get(f"/admin/saved_view/{path}/?id={personal.id}").status_code == 404, path
    client.post(f"/admin/saved_view/edit/?id={personal.id}", data={"name": "Taken"})
    client.post("/admin/saved_view/delete/", data={"id": personal.id})
    db.session.expire_all()
    assert db.session.get(SavedView, personal.id).name == "Breached requests"
    assert f"?id={personal.id}&" not in client.get("/admin/saved_view/?view=all").get_data(as_text=True)


# --- Shared views appear for their role only -----------------------------------------------------

def test_a_view_shared_with_a_role_appears_for_that_role_only(app):
    response = save(client_as(app, SUPERVISOR), "quote", "flt0_status_equals=submitted",
                    name="Waiting for approval", shared_with_role="coordinator")
    assert response.status_code == 302
    assert saved(SUPERVISOR, "Waiting for approval").shared_with_role is Role.coordinator
    for coordinator in (COORDINATOR, OTHER_COORDINATOR):  # every coordinator, whatever the team
        assert "Waiting for approval" in menu(client_as(app, coordinator), "quote"), coordinator
    assert "Waiting for approval" in menu(client_as(app, SUPERVISOR), "quote")  # the owner's own
    for other in (OTHER_SUPERVISOR, MANAGER):
        assert "Waiting for approval" not in menu(client_as(app, other), "quote"), other


def test_a_shared_view_is_offered_only_on_its_own_list(app):
    assert "Rush orders" in menu(client_as(app, OTHER_COORDINATOR), "sales_order")
    assert "Rush orders" not in menu(client_as(app, OTHER_COORDINATOR), "quote")


def test_the_menu_marks_the_view_on_screen(app):
    client = client_as(app, OTHER_COORDINATOR)
    page = client.get("/admin/sales_order/?flt0_rush_equals=1&page_size=50").get_data(as_text=True)
    assert re.search(r'class="dropdown-item active" href="[^"]*flt0_rush_equals=1[^"]*" data-saved-view="Rush orders"', page)
    assert 'data-testid="active-view">Rush orders<' in page
    assert 'active" data-testid="all-records"' not in page
    everything = client.get("/admin/sales_order/?view=all").get_data(as_text=True)
    assert 'dropdown-item active" data-testid="all-records"' in everything
    assert 'data-testid="active-view"' not in everything


def test_a_saved_query_string_is_applied_with_only_its_lists_arguments(app):
    """Even a stored query string with foreign keys in it links to its own list with list arguments only."""
    owner = user(OTHER_COORDINATOR)
    db.session.add(SavedView(name="Odd", endpoint="sales_order", owner_id=owner.id,
                             query_string="flt0_rush_equals=1&url=https://evil.example/&page=3&flt1_nosuch_is=1"))
    db.session.commit()
    page = client_as(app, OTHER_COORDINATOR).get("/admin/sales_order/?view=all").get_data(as_text=True)
    link = html.unescape(re.search(r'href="([^"]*)" data-saved-view="Odd"', page).group(1))
    assert urlsplit(link).path == "/admin/sales_order/"
    assert parse_qsl(urlsplit(link).query) == [("flt0_rush_equals", "1")]


# --- Saving keeps the list's own arguments -------------------------------------------------------

def test_saving_keeps_only_the_lists_filters_search_and_sort(app):
    query = ("page=3&page_size=50&csrf_token=abc&url=/admin/&bogus=1&flt7_owner_is=me&flt2_nosuch_equals=1"
             "&flt3_status_equals=NOT_A_STATE&flt9_status_equals=draft&search=%20Kitchen%20&sort=2&desc=1")
    response = save(client_as(app, COORDINATOR), "quote", query, name="Kept")
    assert response.status_code == 302
    assert saved(COORDINATOR, "Kept").query_string == \
        "flt0_owner_is=me&flt1_status_equals=draft&search=Kitchen&sort=2&desc=1"
    assert parse_qsl(urlsplit(response.headers["Location"]).query) == [
        ("flt0_owner_is", "me"), ("flt1_status_equals", "draft"), ("search", "Kitchen"), ("sort", "2"),
        ("desc", "1")]


def test_a_sort_by_a_column_the_list_does_not_have_is_not_kept(app):
    save(client_as(app, COORDINATOR), "quote", "flt0_owner_is=me&sort=99&desc=1", name="Odd sort")
    assert saved(COORDINATOR, "Odd sort").query_string == "flt0_owner_is=me"


def test_the_save_page_describes_what_the_view_keeps(app):
    page = page_text(client_as(app, COORDINATOR).get("/admin/quote/save-view/?flt0_status_equals=draft&search=Oak&page=2"))
    assert "Status equals Draft" in page
    assert "Search: Oak" in page
    assert "page" not in re.search(r'data-testid="saved-arguments">(.*?)</ul>', page, re.S).group(1)


# --- Validation: clear messages, nothing half-saved ----------------------------------------------

@pytest.mark.parametrize("form, message", [
    ({"name": "   "}, "Give the view a name."),
    ({"name": "x" * 121}, "A view's name has at most 120 characters."),
    ({"name": "Rush orders"}, "You already have a view named “Rush orders” on this list: choose another name."),
], ids=["no-name", "too-long", "same-name"])
def test_a_view_that_cannot_be_saved_comes_back_with_the_reason(app, form, message):
    before = view_count()
    response = save(client_as(app, SUPERVISOR), "sales_order", "flt0_status_equals=pending", **form)
    assert response.status_code == 200
    assert message in page_text(response)
    assert view_count() == before


def test_the_same_name_is_fine_on_another_list_or_for_another_user(app):
    assert save(client_as(app, SUPERVISOR), "quote", "flt0_status_equals=draft", name="Rush orders").status_code == 302
    assert save(client_as(app, OTHER_COORDINATOR), "sales_order", "flt0_rush_equals=1",
                name="Rush orders").status_code == 302


def test_a_list_without_filters_search_or_sort_is_not_saved(app):
    before = view_count()
    response = save(client_as(app, COORDINATOR), "quote", "page=2&view=all", name="Nothing")
    assert response.status_code == 200
    assert "This list has no filter, search or sort to save" in page_text(response)
    assert view_count() == before


def test_a_role_that_does_not_use_the_list_cannot_be_given_a_view_of_it(app):
    """Coordinators have no commission plans list (admin/views.py CommissionPlanView)."""
    response = save(client_as(app, MANAGER), "commission_plan", "search=2026", name="This year",
                    shared_with_role="coordinator")
    assert response.status_code == 200
    assert "The role Coordinator does not use this list." in page_text(response)
    assert saved(MANAGER, "This year") is None


# --- Who may share -------------------------------------------------------------------------------

@pytest.mark.parametrize("form, message", [
    ({"shared_with_role": "coordinator"}, "Only supervisors and managers share views with a role"),
    ({"shared_with_role": "coordinator", "is_default": "y"}, "Only supervisors and managers make a view a role"),
    ({"is_default": "y"}, "Only supervisors and managers make a view a role"),
], ids=["share", "share-and-default", "default"])
def test_coordinators_cannot_share_or_set_defaults_even_with_a_crafted_post(app, form, message):
    before = view_count()
    response = save(client_as(app, COORDINATOR), "sales_order", "flt0_status_equals=pending",
                    name="Crafted", **form)
    assert response.status_code == 200
    assert message in page_text(response)
    assert view_count() == before
    assert db.session.scalar(select(func.count()).where(
        SavedView.endpoint == "sales_order", SavedView.shared_with_role == Role.coordinator,
        SavedView.is_default.is_(True))) == 1  # still "Ready to ship"


def test_coordinators_save_page_offers_no_sharing(app):
    page = client_as(app, COORDINATOR).get("/admin/quote/save-view/?flt0_owner_is=me").get_data(as_text=True)
    assert 'name="shared_with_role"' not in page and 'name="is_default"' not in page
    leader = client_as(app, SUPERVISOR).get("/admin/quote/save-view/?flt0_owner_is=me").get_data(as_text=True)
    assert 'name="shared_with_role"' in leader and 'name="is_default"' in leader


def test_coordinators_cannot_share_their_view_through_its_edit_form(app):
    personal = seeded("Breached requests")
    client = client_as(app, COORDINATOR)
    response = client.post(f"/admin/saved_view/edit/?id={personal.id}",
                           data={"name": "Breached", "shared_with_role": "coordinator", "is_default": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    view = db.session.get(SavedView, personal.id)
    assert (view.name, view.shared_with_role, view.is_default) == ("Breached", None, False)


def test_a_default_must_be_shared_with_a_role(app):
    response = save(client_as(app, MANAGER), "quote", "flt0_status_equals=draft", name="Mine", is_default="y")
    assert response.status_code == 200
    assert "Only a view shared with a role can be that role's default." in page_text(response)
    assert saved(MANAGER, "Mine") is None


# --- Role defaults ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who, table, name", [
    (COORDINATOR, "lead", "My open leads"),
    (OTHER_COORDINATOR, "sales_order", "Ready to ship"),
    (MANAGER, "invoice", "Overdue invoices"),
    (SUPERVISOR, "invoice", "Overdue invoices"),
])
def test_a_bare_list_opens_the_roles_default_view(app, who, table, name):
    client = client_as(app, who)
    response = client.get(f"/admin/{table}/")
    assert response.status_code == 302
    default = seeded(name, user(who).role)
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/admin/{table}/"
    assert parse_qsl(location.query) == parse_qsl(default.query_string)
    opened = client.get(response.headers["Location"])  # no second redirect: it has list arguments
    assert opened.status_code == 200
    assert f'data-testid="active-view">{name}<' in opened.get_data(as_text=True)


@pytest.mark.parametrize("query", ["view=all", "page_size=20", "search=Oak", "page=1", "flt0_status_equals=pending"])
def test_a_list_opened_with_arguments_is_not_redirected(app, query):
    assert client_as(app, OTHER_COORDINATOR).get(f"/admin/sales_order/?{query}").status_code == 200


def test_roles_without_a_default_get_the_whole_list(app):
    assert client_as(app, MANAGER).get("/admin/sales_order/").status_code == 200
    assert client_as(app, COORDINATOR).get("/admin/quote/").status_code == 200


def test_the_default_shows_only_its_rows(app):
    client = client_as(app, OTHER_COORDINATOR)
    page = client.get("/admin/sales_order/", follow_redirects=True).get_data(as_text=True)
    statuses = re.findall(r'<td class="col-status">\s*(.*?)\s*</td>', page, re.S)
    assert statuses and set(statuses) == {"Ready to ship"}


def test_a_new_default_unsets_the_old_one_in_the_same_save(app):
    old = seeded("Overdue invoices", Role.manager)
    response = save(client_as(app, MANAGER), "invoice", "flt0_status_equals=issued", name="Issued invoices",
                    shared_with_role="manager", is_default="y")
    assert response.status_code == 302
    db.session.expire_all()
    new = saved(MANAGER, "Issued invoices")
    assert new.is_default and not db.session.get(SavedView, old.id).is_default
    assert client_as(app, MANAGER).get("/admin/invoice/").headers["Location"].endswith("?flt0_status_equals=issued")
    unset = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "saved_view",
                                                       AuditEvent.entity_id == str(old.id)))
    assert (unset.action, unset.before, unset.after) == ("update", {"is_default": True}, {"is_default": False})
    supervisors = seeded("Overdue invoices", Role.supervisor)
    assert supervisors.is_default  # another role's default is left alone


def test_making_a_default_in_the_edit_form_unsets_the_old_one(app):
    """Supervisor@ makes their shared "Rush orders" the coordinators' default instead of "Ready to ship"."""
    rush, ready = seeded("Rush orders"), seeded("Ready to ship")
    response = client_as(app, SUPERVISOR).post(
        f"/admin/saved_view/edit/?id={rush.id}",
        data={"name": "Rush orders", "shared_with_role": "coordinator", "is_default": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SavedView, rush.id).is_default
    assert not db.session.get(SavedView, ready.id).is_default
    location = client_as(app, OTHER_COORDINATOR).get("/admin/sales_order/").headers["Location"]
    assert location.endswith("?flt0_rush_equals=1")


# --- Audit -----------------------------------------------------------------------------------------

def test_saving_a_view_is_audited(app):
    save(client_as(app, OTHER_COORDINATOR), "lead", "flt0_owner_is=me&search=Kitchen", name="Kitchen leads")
    view = saved(OTHER_COORDINATOR, "Kitchen leads")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "saved_view",
                                                       AuditEvent.entity_id == str(view.id)))
    assert event.action == "create" and event.user_id == user(OTHER_COORDINATOR).id
    assert event.after["name"] == "Kitchen leads"
    assert event.after["query_string"] == "flt0_owner_is=me&search=Kitchen"


def test_saving_needs_only_read_access_to_the_list(app):
    """Admins see no sales data: no list, so nothing to save a view of."""
    assert client_as(app, Role.admin).get("/admin/quote/save-view/?search=x").status_code == 403
    assert client_as(app, Role.admin).get("/admin/app_user/save-view/?search=x").status_code == 200


def test_the_owner_deletes_their_view_and_it_leaves_the_menu(app):
    personal = seeded("Breached requests")
    client = client_as(app, COORDINATOR)
    assert "Breached requests" in menu(client, "customer_request")
    assert client.post("/admin/saved_view/delete/", data={"id": personal.id}).status_code == 302
    assert db.session.get(SavedView, personal.id) is None
    assert "Breached requests" not in menu(client, "customer_request")
    deleted = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "saved_view",
                                                         AuditEvent.entity_id == str(personal.id)))
    assert deleted.action == "delete" and deleted.user_id == user(COORDINATOR).id
