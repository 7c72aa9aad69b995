"""Columns per role: what a view hides from a role is in none of its lists, details, exports or forms.

Generated from the views' `hidden_columns`: for every role that may read such a view, each hidden column
must be absent everywhere the role sees the entity, and every column hidden from *another* role must be
present for it (so the check would notice a column that vanished for everyone). The coordinator's
account credit limit is spelt out as well.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from admin.access import CREATE, EDIT, EXPORT, READ
from models import Account, Role, db
from tests.integration.access_support import (
    ROLE_LOGINS, client_as, collection_app, csv_rows, form_values, model_views, role_user, visible_ids,
)


def cases(app) -> list[tuple[str, Role]]:
    return [(table, role) for table, view in model_views(app).items() if view.hidden_columns
            for role in ROLE_LOGINS if READ in view.access[role]]


def shown_columns(client, view, record_id, verbs) -> dict[str, set[str]]:
    """Column names (list, form) and labels (details, export) each screen of the view shows."""
    table = view.endpoint
    seen = {}
    listing = client.get(f"/admin/{table}/").get_data(as_text=True)
    seen["list"] = set(re.findall(r'class="column-header col-([a-z_]+)"', listing))
    details = client.get(f"/admin/{table}/details/?id={record_id}").get_data(as_text=True)
    seen["details"] = set(re.findall(r"<b>([^<]+)</b>", details))
    if EXPORT in verbs:
        seen["export"] = set(csv_rows(client.get(f"/admin/{table}/export/csv/"))[0])
    if EDIT in verbs:
        page = client.get(f"/admin/{table}/edit/?id={record_id}")
        seen["edit"] = set(form_values(page.get_data(as_text=True)))
    if CREATE in verbs:
        seen["create"] = set(form_values(client.get(f"/admin/{table}/new/").get_data(as_text=True)))
    return seen


@pytest.mark.parametrize(("table", "role"), cases(collection_app()), ids=lambda p: getattr(p, "value", p))
def test_hidden_columns_are_hidden_everywhere_and_only_from_their_role(app, table, role):
    view = model_views(app)[table]
    verbs = view.access[role]
    hidden = set(view.hidden_columns.get(role, ()))
    elsewhere = set().union(*view.hidden_columns.values()) - hidden  # hidden from others: must show here
    record_id = min(visible_ids(view, role_user(role)))
    seen = shown_columns(client_as(app, role), view, record_id, verbs)
    for screen, names in seen.items():
        by_label = screen in ("details", "export")
        for column in hidden | elsewhere:
            if screen == "list" and column not in view.column_list:
                continue
            if screen in ("edit", "create") and column not in view.form_columns:
                continue
            name = view.column_labels.get(column, column) if by_label else column
            assert (name in names) == (column in elsewhere), \
                f"{column} on the {screen} of {table} as {role.value}"


@pytest.mark.parametrize(("role", "shown"), [(Role.coordinator, False), (Role.supervisor, True),
                                             (Role.manager, True)], ids=lambda p: getattr(p, "value", p))
def test_credit_limit_is_for_supervisors_and_managers(app, role, shown):
    account = db.session.scalar(select(Account).where(Account.id.in_(
        visible_ids(model_views(app)["account"], role_user(role)))).order_by(Account.id))
    client = client_as(app, role)
    listing = client.get("/admin/account/?page_size=100").get_data(as_text=True)
    details = client.get(f"/admin/account/details/?id={account.id}").get_data(as_text=True)
    header, _rows = csv_rows(client.get("/admin/account/export/csv/"))
    assert ('class="column-header col-credit_limit"' in listing) is shown
    assert ("<b>Credit limit</b>" in details) is shown
    assert ("Credit limit" in header) is shown
    assert ("Credit limit" in listing + details) is shown  # not even as a sort link or label
