"""Each role's menu and lists: the entities its job needs, and in each list exactly the rows in scope.

Menus follow the views' `access` tables. Lists are read page by page (page_size=100, then every further
page) and compared with the rows the role's scope gives it — for every entity and role generically, and
for the cases DESIGN.md spells out with hand-written SQL. The count in the list header ("List (N)")
must equal it too.
"""
from __future__ import annotations

import math
import re

import pytest
from sqlalchemy import select, text

from admin.access import READ
from models import Overtime, Role, db
from tests import factories
from tests.integration.access_support import (
    COORDINATOR, ROLE_LOGINS, client_as, collection_app, model_views, role_user, user, visible_ids,
)

SALES_TABLES = ("account", "contact", "lead", "activity", "quote", "quote_line", "sales_order",
                "order_line", "shipment", "rework_request", "invoice", "payment", "customer_request")


# --- Menus ----------------------------------------------------------------------------------------

def menu_of(client) -> set[str]:
    """The tables linked from the navigation bar's menus."""
    page = client.get("/admin/")
    assert page.status_code == 200
    links = re.findall(r'class="dropdown-item[^"]*" href="/admin/([a-z_]+)/"', page.get_data(as_text=True))
    return set(links)


@pytest.mark.parametrize("role", list(ROLE_LOGINS), ids=lambda r: r.value)
def test_menu_shows_exactly_the_entities_the_role_may_read(app, role):
    expected = {table for table, view in model_views(app).items() if READ in view.access[role]}
    assert menu_of(client_as(app, role)) == expected


def test_coordinator_menu_has_no_management_or_administration(app):
    menu = menu_of(client_as(app, Role.coordinator))
    assert {"quote", "lead", "account", "sales_order", "customer_request"} <= menu
    assert not menu & {"commission_plan", "approval_policy", "app_user", "team", "audit_event"}


def test_the_menu_is_each_roles_own_within_one_app(app):
    """The menu's HTML is kept per role (and language and screen): never shown to another role."""
    coordinator, admin = client_as(app, Role.coordinator), client_as(app, Role.admin)
    as_coordinator = menu_of(coordinator)
    assert menu_of(admin) != as_coordinator
    assert menu_of(coordinator) == as_coordinator


def test_admin_menu_has_no_sales_data(app):
    menu = menu_of(client_as(app, Role.admin))
    assert {"app_user", "team", "approval_policy", "audit_event"} <= menu
    assert not menu & set(SALES_TABLES)
    assert not menu & {"target", "commission_plan", "commission_statement", "campaign", "product"}


# --- Lists ----------------------------------------------------------------------------------------

def listed(client, table: str, page_size: int = 100) -> tuple[int, list[int]]:
    """The count in the list header and the ids of every row on every page."""
    first = client.get(f"/admin/{table}/", query_string={"page_size": page_size})
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    header = re.search(r'class="nav-link active">List(?: \((\d+)\))?<', html)
    assert header, "no list header"
    count = int(header.group(1) or 0)  # an empty list says just "List"
    ids = row_ids(html, table)
    for page in range(1, math.ceil(count / page_size)):
        ids += row_ids(client.get(f"/admin/{table}/", query_string={"page_size": page_size, "page": page})
                       .get_data(as_text=True), table)
    return count, ids


def row_ids(html: str, table: str) -> list[int]:
    return [int(i) for i in re.findall(rf'href="/admin/{table}/details/\?id=(\d+)&', html)]


def readers(app) -> list[tuple[str, Role]]:
    return [(table, role) for table, view in model_views(app).items()
            for role in ROLE_LOGINS if READ in view.access[role]]


@pytest.mark.parametrize(("table", "role"), readers(collection_app()), ids=lambda p: getattr(p, "value", p))
def test_list_and_count_show_exactly_the_rows_in_scope(app, table, role):
    view = model_views(app)[table]
    count, ids = listed(client_as(app, role), table)
    expected = visible_ids(view, role_user(role))
    assert len(ids) == len(set(ids)), "a row is listed twice"
    assert set(ids) == expected
    assert count == len(expected)


def ids_of(sql: str, **params) -> set[int]:
    return set(db.session.scalars(text(sql), params))


def me_and_team() -> dict:
    me = user(COORDINATOR)
    return {"me": me.id, "team": me.team_id}


OWN_TEAMS = ("SELECT x.id FROM {table} x JOIN app_user o ON o.id = x.{owner} "
             "WHERE o.team_id = :team")
OWN = "SELECT id FROM {table} WHERE user_id = :me"

# What DESIGN.md says a coordinator sees, in SQL written against the schema.
COORDINATOR_SEES = {
    "quote": OWN_TEAMS.format(table="quote", owner="owner_id"),  # the team's quotes
    "absence": OWN_TEAMS.format(table="absence", owner="user_id"),  # who in the team is out
    "shift": OWN_TEAMS.format(table="shift", owner="user_id"),  # the team's rota
    "commission_statement": OWN.format(table="commission_statement"),  # own pay only
    "appraisal": OWN.format(table="appraisal"),
    "overtime": OWN.format(table="overtime"),
    "training_record": OWN.format(table="training_record"),
    # Own targets, and the targets set for the whole team (`Target.__team__`); never a colleague's.
    "target": "SELECT id FROM target WHERE user_id = :me OR team_id = :team",
}


@pytest.mark.parametrize("page_size", [100, 20])
@pytest.mark.parametrize("table", list(COORDINATOR_SEES))
def test_coordinator_list_matches_the_design(app, table, page_size):
    factories.overtime(requester=user(COORDINATOR))  # the demo data has none of coordinator@'s own
    expected = ids_of(COORDINATOR_SEES[table], **me_and_team())
    everything = ids_of(f"SELECT id FROM {table}")
    assert expected and expected < everything, "the data must have rows on both sides"
    count, ids = listed(client_as(app, COORDINATOR), table, page_size)
    assert sorted(ids) == sorted(expected)
    assert count == len(expected)


def test_personal_lists_leave_out_the_teams_other_members(app):
    """The coordinator's colleagues have statements, appraisals and overtime; the coordinator sees none."""
    params = me_and_team()
    client = client_as(app, COORDINATOR)
    for table in ("commission_statement", "appraisal", "overtime", "target"):
        colleagues = ids_of(f"SELECT x.id FROM {table} x JOIN app_user u ON u.id = x.user_id "
                            "WHERE u.team_id = :team AND u.id <> :me", **params)
        assert colleagues, f"no colleague's {table} in the demo data"
        _count, ids = listed(client, table)
        assert not colleagues & set(ids), table


def test_overtime_of_the_coordinator_appears_in_their_list(app):
    mine = factories.overtime(requester=user(COORDINATOR))
    theirs = set(db.session.scalars(select(Overtime.id).where(Overtime.user_id == user(COORDINATOR).id)))
    _count, ids = listed(client_as(app, COORDINATOR), "overtime")
    assert mine.id in ids and sorted(ids) == sorted(theirs)  # the demo may have given them some too
    assert db.session.scalar(select(Overtime.user_id).where(Overtime.id == mine.id)) == user(COORDINATOR).id
