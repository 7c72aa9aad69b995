"""The fast export paths write what the general one writes: same rows, same cells, same escaping.

Three ways to read an export: ORM objects one by one (the general path), selected columns without
objects (`ExportPlan`), and on PostgreSQL the server's own CSV (`COPY ... TO STDOUT`). Every entity
below is exported each way over awkward values and the parsed files compared.
"""
import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from admin import exports
from admin.exports import ExportPlan, StreamingExportMixin
from models import ActivityKind, Role, db
from tests import factories

TABLES = ["lead", "account", "contact", "activity", "sales_order", "quote", "target", "invoice", "shipment",
          "product", "customer_request", "app_user"]
AWKWARD_TEXTS = ["=HYPERLINK(\"http://x\",\"click\")", "+48 600 100 200", "-42", "-1.5e3", "@SUM(1)",
                 "\ttabbed", "\rreturned", "comma, and \"quotes\"", "two\nlines", "Zażółć gęślą jaźń", ""]


@pytest.fixture
def awkward_records(user_of):
    owner = user_of("coordinator@example.com")
    for n, text in enumerate(AWKWARD_TEXTS):
        account = factories.account(owner=owner, name=text or factories.unique("Blank"), phone=text,
                                    vat_number=text or None, email=None if n % 2 else f"a{n}@x.test",
                                    credit_limit=Decimal("0.50") if n % 3 == 0 else Decimal("1234.50"))
        factories.lead(owner=owner if n % 2 else None, company=text or "Blank", contact_phone=text,
                       assigned_at=datetime(2025, 1, 2, 3, 4, 5, 6000 * n), next_follow_up=date(2025, 2, n + 1))
        factories.activity(owner, ActivityKind.meeting, account_id=account.id, subject=text or "Blank",
                           scheduled_at=datetime(2025, 3, 4, 5, 6, 7), done_at=None)
        factories.target(user_id=owner.id, actual_value=Decimal(-n), target_value=Decimal("7777.00"))
    factories.order(owner=owner)
    db.session.flush()


def parsed(kind: str, data: bytes) -> list:
    if kind == "csv":
        return list(csv.reader(io.StringIO(data.decode())))
    if kind == "json":
        return json.loads(data)
    return [[cell.value for cell in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def export(client, table: str, kind: str, how: str, monkeypatch) -> list:
    with monkeypatch.context() as patch:
        if how in ("planned", "orm"):
            patch.setattr(StreamingExportMixin, "_server_csv_rows", lambda self, columns: None)
        if how == "orm":
            patch.setattr(ExportPlan, "of", classmethod(lambda cls, view, names: None))
        response = client.get(f"/admin/{table}/export/{kind}/")
    assert response.status_code == 200
    return parsed(kind, response.data)


@pytest.mark.parametrize("table", TABLES)
def test_every_path_writes_the_same_csv(login_as, awkward_records, monkeypatch, table):
    client = login_as(Role.manager)
    general = export(client, table, "csv", "orm", monkeypatch)
    assert len(general) > 1, "the comparison needs rows"
    assert export(client, table, "csv", "planned", monkeypatch) == general
    assert export(client, table, "csv", "default", monkeypatch) == general


@pytest.mark.parametrize("kind", ["xlsx", "json"])
@pytest.mark.parametrize("table", ["lead", "account", "activity", "target"])
def test_xlsx_and_json_read_through_the_plan_write_the_same_cells(login_as, awkward_records, monkeypatch,
                                                                  table, kind):
    client = login_as(Role.manager)
    assert export(client, table, kind, "default", monkeypatch) == export(client, table, kind, "orm", monkeypatch)


def test_the_awkward_values_are_escaped_and_formatted_as_before(login_as, awkward_records):
    rows = list(csv.DictReader(io.StringIO(login_as(Role.manager).get("/admin/account/export/csv/").data.decode())))
    phones = {row["Phone"] for row in rows}
    assert {"'=HYPERLINK(\"http://x\",\"click\")", "'+48 600 100 200", "-42", "-1.5e3", "'@SUM(1)",
            "'\ttabbed", "'\rreturned", "comma, and \"quotes\"", "two\nlines", "Zażółć gęślą jaźń"} <= phones
    assert {"0.50", "1234.50"} <= {row["Credit limit"] for row in rows}
    leads = list(csv.DictReader(io.StringIO(login_as(Role.manager).get("/admin/lead/export/csv/").data.decode())))
    assert {"2025-01-02T03:04:05", "2025-01-02T03:04:05.006000"} <= {row["Assigned at"] for row in leads}


def test_a_related_record_named_like_a_formula_is_escaped_too(login_as, user_of):
    owner = user_of("coordinator@example.com")
    account = factories.account(owner=owner, name="=cmd|' /C calc'!A0")
    factories.activity(owner, account_id=account.id, subject="Related escape")
    client = login_as(Role.manager)
    for how in ("default", "orm"):
        with pytest.MonkeyPatch.context() as patch:
            if how == "orm":
                patch.setattr(ExportPlan, "of", classmethod(lambda cls, view, names: None))
            rows = list(csv.DictReader(io.StringIO(client.get("/admin/activity/export/csv/").data.decode())))
        assert [row["Account"] for row in rows if row["Subject"] == "Related escape"] == ["'=cmd|' /C calc'!A0"], how


def test_lists_export_without_loading_orm_objects(login_as, awkward_records, monkeypatch):
    calls = []
    monkeypatch.setattr(StreamingExportMixin, "get_export_value",
                        lambda self, record, name: calls.append(name), raising=False)
    copies = []
    server_stream = StreamingExportMixin._server_csv_stream
    monkeypatch.setattr(StreamingExportMixin, "_server_csv_stream",
                        staticmethod(lambda *args: copies.append(args[1]) or server_stream(*args)))
    client = login_as(Role.manager)
    for kind in ("csv", "xlsx", "json"):
        assert client.get(f"/admin/sales_order/export/{kind}/").status_code == 200
    assert calls == []
    if db.engine.dialect.name == "postgresql":
        assert len(copies) == 1 and copies[0].startswith("COPY (SELECT")
    else:
        assert copies == []


def test_a_column_the_plan_cannot_express_takes_the_general_path(login_as, monkeypatch):
    client = login_as(Role.manager)
    html_badge_rows = client.get("/admin/customer_request/export/csv/").data.decode()
    assert ExportPlan.of(_view("customer_request"), ["subject", "sla"]) is None  # a formatted, computed column
    assert "SLA" in html_badge_rows.splitlines()[0]


def test_server_csv_is_only_for_postgresql(login_as):
    with login_as(Role.manager).application.test_request_context():
        view = _view("sales_order")
        assert (view._server_csv_rows(list(view._export_columns)) is not None) == (db.engine.dialect.name == "postgresql")


def _view(endpoint):
    from flask import current_app

    admin = current_app.extensions["admin"][0]
    return next(v for v in admin._views if getattr(v, "endpoint", None) == endpoint)


def test_a_label_made_of_several_text_columns_is_written_in_sql():
    from sqlalchemy.orm import aliased

    from models import Account, Product, Shipment

    assert str(exports.label_sql(Product, aliased(Product, name="p"))).count("||") == 2  # sku || ' ' || name
    assert exports.label_sql(Account, aliased(Account, name="a")) is not None
    assert exports.label_sql(Shipment, aliased(Shipment, name="s")) is None  # reads the order: not SQL
