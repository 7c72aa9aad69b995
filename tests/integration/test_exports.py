"""Exports: the list's own rows (scope, search, filters), formula-safe cells, dated names, audited."""
import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from admin.exports import spreadsheet_safe
from models import AuditEvent, Lead, Role, db
from tests import factories


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("value, expected", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-42.50", "-42.50"), (Decimal("-7"), Decimal("-7")),
    (-3, -3), ("plain", "plain"),
])
def test_spreadsheet_safe_escapes_formulas_but_not_numbers(value, expected):
    assert spreadsheet_safe(value) == expected


def test_csv_export_is_the_searched_list_within_scope_with_a_dated_name(login_as, user_of, clock):
    mine = factories.lead(owner=user_of("coordinator@example.com"), company="Exportable Alpha Ltd")
    factories.lead(owner=user_of("coordinator@example.com"), company="Other Beta Ltd")
    factories.lead(owner=user_of("coordinator2@example.com"), company="Exportable Gamma Ltd")  # team South
    client = login_as(Role.coordinator)

    response = client.get("/admin/lead/export/csv/?search=Exportable")

    assert response.status_code == 200
    assert f'filename="lead-{clock:%Y-%m-%d}.csv"' in response.headers["Content-Disposition"]
    assert [row["Company"] for row in csv_rows(response)] == [mine.company]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.entity == "lead" and event.after["rows"] == 1 and event.after["format"] == "csv"
    assert event.after["list"] == {"search": "Exportable"}
    assert event.user_id == user_of("coordinator@example.com").id


def test_export_follows_a_filter_and_the_role_hidden_columns(login_as, user_of):
    coordinator = user_of("coordinator@example.com")
    factories.account(owner=coordinator, name="Filter Dealer X", kind="dealer")
    client = login_as(Role.coordinator)
    response = client.get("/admin/account/export/csv/?flt0_kind_equals=dealer")
    rows = csv_rows(response)
    assert rows and all(row["Kind"] == "Dealer" for row in rows)
    assert "Credit limit" not in rows[0]  # hidden from coordinators


def test_managers_export_the_columns_hidden_from_coordinators(login_as, user_of):
    factories.account(owner=user_of("coordinator@example.com"), name="Filter Dealer Y", kind="dealer")
    rows = csv_rows(login_as(Role.manager).get("/admin/account/export/csv/?flt0_kind_equals=dealer"))
    assert "Credit limit" in rows[0]


def test_formulas_are_escaped_in_csv_and_xlsx_and_a_negative_number_stays_a_number(login_as, user_of):
    owner = user_of("coordinator@example.com")
    factories.account(owner=owner, name="=HYPERLINK(\"http://x\",\"click\")", phone="-42",
                      vat_number="@SUM(1)")
    factories.target(user_id=owner.id, actual_value=Decimal("-150.00"), target_value=Decimal("7777.00"))
    client = login_as(Role.manager)

    account_rows = csv_rows(client.get("/admin/account/export/csv/?search=%3DHYPERLINK"))
    assert account_rows[0]["Name"] == "'=HYPERLINK(\"http://x\",\"click\")"
    assert account_rows[0]["Phone"] == "-42"
    assert account_rows[0]["VAT number"] == "'@SUM(1)"

    sheet = load_workbook(io.BytesIO(client.get("/admin/account/export/xlsx/?search=%3DHYPERLINK").data)).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert row[header.index("Name")] == "'=HYPERLINK(\"http://x\",\"click\")"
    assert row[header.index("VAT number")] == "'@SUM(1)"

    sheet = load_workbook(io.BytesIO(client.get("/admin/target/export/xlsx/").data)).active
    header = [c.value for c in sheet[1]]
    values = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    mine = next(r for r in values if r[header.index("Target value")] == 7777)
    assert mine[header.index("Actual value")] == -150  # a number cell, not text
    assert isinstance(mine[header.index("Actual value")], (int, float))
    target_csv = csv_rows(client.get("/admin/target/export/csv/"))
    assert any(r["Actual value"] == "-150.00" for r in target_csv)


def test_json_export_lists_the_rows(login_as, user_of):
    factories.lead(owner=user_of("coordinator@example.com"), company="Json Export Co")
    data = json.loads(login_as(Role.coordinator).get("/admin/lead/export/json/?search=Json Export").data)
    assert [row["company"] for row in data] == ["Json Export Co"]


def test_export_needs_the_export_verb(login_as):
    assert login_as(Role.admin).get("/admin/lead/export/csv/").status_code == 403


def test_export_of_an_unknown_format_is_not_found(login_as):
    assert login_as(Role.manager).get("/admin/lead/export/html/").status_code == 404
