"""Imports: header matching, a dry-run list of problems, all-or-nothing loads, role and scope limits."""
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import openpyxl.xml
from openpyxl import Workbook
from sqlalchemy import func, select

from models import Account, AuditEvent, Product, Role, db
from tests import factories


def upload(client, table: str, content: bytes | str, filename="data.csv", apply=True):
    data = content.encode() if isinstance(content, str) else content
    return client.post(f"/admin/{table}/import/", data={"file": (io.BytesIO(data), filename),
                                                        "apply": "1" if apply else "0"},
                       content_type="multipart/form-data")


def problems(response) -> list[tuple[str, str, str]]:
    html = response.get_data(as_text=True)
    table = html.split("data-import-problems", 1)[1] if "data-import-problems" in html else ""
    return re.findall(r"<tr><td>(\d*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", table)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def versions(model) -> dict[int, int]:
    return dict(db.session.execute(select(model.id, model.version)).all())


def test_export_then_import_of_the_same_file_changes_nothing(login_as):
    client = login_as(Role.manager)
    for table, model, kind in (("product", Product, "csv"), ("account", Account, "xlsx")):
        before = versions(model)
        exported = client.get(f"/admin/{table}/export/{kind}/").data
        response = upload(client, table, exported, f"{table}.{kind}")
        assert problems(response) == [], table
        assert f"0 created, 0 updated, {len(before)} unchanged" in response.get_data(as_text=True)
        db.session.expire_all()
        assert versions(model) == before


def test_price_list_with_polish_headers_semicolons_and_decimal_commas_creates_and_updates(login_as):
    existing = factories.product(sku="PL-OLD-1", list_price=Decimal("10.00"))
    client = login_as(Role.manager)
    content = ("INDEKS; Nazwa ;Dział;Cena katalogowa;jednostka\n"
               "PL-NEW-1;Front dębowy;doors;1 234,50;pcs\n"
               "pl-old-1;Stary front;doors;12,00;pcs\n")
    response = upload(client, "product", content)
    assert problems(response) == []
    assert "1 created, 1 updated, 0 unchanged" in response.get_data(as_text=True)
    created = db.session.scalar(select(Product).where(Product.sku == "PL-NEW-1"))
    assert created.list_price == Decimal("1234.50") and created.name == "Front dębowy"
    db.session.refresh(existing)
    assert existing.list_price == Decimal("12.00") and existing.version == 2
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.entity == "product" and event.after["created"] == 1 and event.after["updated"] == 1


def test_one_bad_row_in_a_thousand_loads_nothing_and_names_the_row(login_as):
    client = login_as(Role.manager)
    lines = ["sku,name,division,list price"]
    lines += [f"BULK-{n},Panel {n},doors,{'-5' if n == 700 else '19.99'}" for n in range(1000)]
    before = count(Product)
    response = upload(client, "product", "\n".join(lines))
    # line 1 is the header, so product n is on line n + 2
    assert problems(response) == [("702", "List price", "Must be at least 0.")]
    assert "nothing was imported" in response.get_data(as_text=True)
    assert count(Product) == before


def test_a_natural_key_repeated_in_the_file_is_reported(login_as):
    client = login_as(Role.manager)
    response = upload(client, "product", "sku,name,division,list price\nDUP-1,A,doors,1\nDUP-2,B,doors,1\ndup-1,C,doors,1\n")
    assert problems(response) == [("4", "SKU", "the same sku as row 2.")]
    assert db.session.scalar(select(Product).where(Product.sku == "DUP-2")) is None


def test_the_dry_run_lists_every_problem_and_saves_nothing(login_as):
    client = login_as(Role.manager)
    content = ("name,region,owner,payment terms days,status\n"
               "Dry Run One,North,nobody@example.com,30,active\n"
               "Dry Run Two,North,coordinator@example.com,soon,active\n"
               ",North,coordinator@example.com,30,sleeping\n"
               "Dry Run Four,North,coordinator@example.com,30,active\n")
    response = upload(client, "account", content, apply=False)
    found = problems(response)
    assert ("2", "Owner", "no app user “nobody@example.com” that you may use.") in found
    assert ("3", "Payment terms days", "“soon” is not a number.") in found
    assert any(row == "4" and column == "Status" for row, column, _ in found)
    assert ("4", "Name", "is required.") in found
    assert db.session.scalar(select(Account).where(Account.name == "Dry Run Four")) is None


def test_a_repeated_bad_value_is_reported_on_every_row_and_a_repeated_good_one_read_alike(login_as):
    """States, flags and dates are read once per distinct cell: a wrong one is still named on each row."""
    client = login_as(Role.manager)
    content = ("name,region,status,dealer onboarded on\n"
               "Repeat One,North,sleeping,2026-01-05\n"
               "Repeat Two,North,active,2026-01-05\n"
               "Repeat Three,North,sleeping,2026-13-05\n"
               "Repeat Four,North,active,2026-13-05\n")
    found = problems(upload(client, "account", content, apply=False))
    assert [row for row, column, _ in found if column == "Status"] == ["2", "4"]
    assert [row for row, column, _ in found if column == "Dealer onboarded on"] == ["4", "5"]


def test_a_clean_dry_run_reports_what_it_would_do_and_saves_nothing(login_as):
    client = login_as(Role.manager)
    response = upload(client, "product", "sku,name,division,list price\nDRY-1,A,doors,1\n", apply=False)
    assert "Would import 1 rows: 1 created" in response.get_data(as_text=True)
    assert db.session.scalar(select(Product).where(Product.sku == "DRY-1")) is None


def test_xlsx_import_is_parsed_safely(login_as):
    assert openpyxl.xml.DEFUSEDXML  # openpyxl parses workbooks through defusedxml
    workbook = Workbook()
    workbook.active.append(["SKU", "Name", "Division", "List price", "Active"])
    workbook.active.append(["XL-1", "Sheet panel", "doors", 45.5, True])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(login_as(Role.manager), "product", buffer.getvalue(), "prices.xlsx")
    assert problems(response) == []
    made = db.session.scalar(select(Product).where(Product.sku == "XL-1"))
    assert made.list_price == Decimal("45.50") and made.active is True


def test_a_file_that_is_not_a_workbook_or_too_big_is_refused_whole(login_as, monkeypatch):
    client = login_as(Role.manager)
    assert problems(upload(client, "product", b"not a zip", "prices.xlsx")) == [
        ("", "", "The file is not an .xlsx workbook: it is not a zip archive.")]
    monkeypatch.setattr("admin.imports.IMPORT_MAX_BYTES", 10)
    assert problems(upload(client, "product", "sku,name\nA,B\n")) == [("", "", "The file is larger than 0 MB.")]


def test_a_coordinator_cannot_import_rows_for_another_team(login_as, user_of):
    south = factories.account(owner=user_of("coordinator2@example.com"), name="South Only", email="south@example.test")
    client = login_as(Role.coordinator)
    response = upload(client, "account", "name,email,region,owner\n"
                                          "Mine Now,mine@example.test,North,coordinator@example.com\n"
                                          "Theirs,other@example.test,North,coordinator2@example.com\n"
                                          "South Only,south@example.test,South,coordinator@example.com\n")
    found = problems(response)
    assert ("3", "Owner", "no app user “coordinator2@example.com” that you may use.") in found
    assert ("4", "", "belongs to a record outside your scope; it cannot be updated.") in found
    assert db.session.scalar(select(Account).where(Account.name == "Mine Now")) is None
    db.session.refresh(south)
    assert south.region == "North" and south.version == 1


def test_import_writes_only_fields_the_role_may_edit(login_as):
    client = login_as(Role.coordinator)
    response = upload(client, "account", "name,region,credit limit\nCapped Co,North,999999\n")
    assert "Ignored columns: credit limit" in response.get_data(as_text=True)
    made = db.session.scalar(select(Account).where(Account.name == "Capped Co"))
    assert made.credit_limit == 0


def test_roles_without_the_import_verb_are_refused(login_as):
    assert login_as(Role.coordinator).get("/admin/product/import/").status_code == 403


def test_admins_cannot_import_sales_data(login_as):
    assert upload(login_as(Role.admin), "lead", "company\nX\n").status_code == 403


def test_entities_without_an_import_declaration_have_no_import_page(login_as):
    assert login_as(Role.manager).get("/admin/quote/import/").status_code == 404


def test_a_row_the_database_refuses_is_named_and_nothing_loads(login_as):
    from models import Activity

    before = count(Activity)
    response = upload(login_as(Role.manager), "activity",
                      "kind,subject,owner\ncall,About something,coordinator@example.com\n"
                      "call,About nothing,coordinator@example.com\n")
    assert problems(response) == [("2", "", "the value breaks the rule “about account or lead”."),
                                  ("3", "", "the value breaks the rule “about account or lead”.")]
    assert count(Activity) == before


def test_one_refused_row_among_thousands_is_the_only_one_named(login_as):
    from models import Target

    before = count(Target)
    first = date(2031, 1, 1)
    periods = [(first + timedelta(days=n), first + timedelta(days=n + (-1 if n == 1733 else 30))) for n in range(2500)]
    content = "user,metric,period_start,period_end,target_value\n" + "".join(
        f"coordinator@example.com,revenue,{start},{end},1000\n" for start, end in periods)
    response = upload(login_as(Role.manager), "target", content)
    assert problems(response) == [("1735", "", "the value breaks the rule “period order”.")]
    assert count(Target) == before


def test_the_cycle_collector_is_off_only_while_an_import_runs(login_as, monkeypatch):
    import gc

    from admin.imports import Importer

    during = []
    match = Importer._match

    def recording(self, *args, **kwargs):
        during.append(gc.isenabled())
        return match(self, *args, **kwargs)

    monkeypatch.setattr(Importer, "_match", recording)
    client = login_as(Role.manager)
    after = []
    for content, filename in (("sku,name,division,list_price,unit\nGC-1,Front,doors,1.00,pcs\n", "data.csv"),
                              ("sku,name,division,list_price,unit\nGC-2,Front,doors,lots,pcs\n", "data.csv"),
                              ("not a table", "data.txt")):
        upload(client, "product", content, filename).get_data()
        after.append(gc.isenabled())
    assert during == [False, False] and after == [True, True, True]


def test_a_polish_reader_sees_the_english_headers_and_may_use_them(login_as):
    client = login_as(Role.manager)
    polish = {"Accept-Language": "pl-PL,pl;q=0.9"}
    page = client.get("/admin/product/import/", headers=polish).get_data(as_text=True)
    assert '<td lang="en">List price</td><td>Cena katalogowa</td>' in page
    response = client.post("/admin/product/import/", headers=polish, content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"SKU,Name,Division,List price,Unit\nEN-PL-1,Hinge,hardware,12.00,pcs\n"), "list.csv"),
        "apply": "1"})
    assert problems(response) == [] and "nowe: 1" in response.get_data(as_text=True)
    assert db.session.scalar(select(Product.list_price).where(Product.sku == "EN-PL-1")) == Decimal("12.00")


def test_an_update_sets_each_rows_own_values_of_every_type(login_as, user_of):
    from models import Division, Metric, Target

    hinge = factories.product(sku="UPD-1", division=Division.hardware, list_price=Decimal("5.00"), active=True)
    door = factories.product(sku="UPD-2", division=Division.doors, list_price=Decimal("700.00"), active=False)
    coordinator = user_of("coordinator@example.com")
    target = factories.target(user=coordinator, period=(date(2032, 1, 1), date(2032, 1, 31)))
    client = login_as(Role.manager)
    response = upload(client, "product", "sku,name,division,list_price,active\n"
                                         "upd-1,Hinge 2,cabinets,6.50,no\nUPD-2,Door 2,hardware,710.25,yes\n")
    assert problems(response) == [] and "0 created, 2 updated" in response.get_data(as_text=True)
    response = upload(client, "target", "user,metric,period_start,period_end,target_value\n"
                                        f"{coordinator.email},revenue,2032-01-01,2032-02-15,12345.67\n")
    assert problems(response) == [] and "0 created, 1 updated" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (hinge.name, hinge.division, hinge.list_price, hinge.active, hinge.version) == \
        ("Hinge 2", Division.cabinets, Decimal("6.50"), False, 2)
    assert (door.name, door.division, door.list_price, door.active, door.version) == \
        ("Door 2", Division.hardware, Decimal("710.25"), True, 2)
    assert (target.metric, target.period_end, target.target_value, target.version) == \
        (Metric.revenue, date(2032, 2, 15), Decimal("12345.67"), 2)
    assert db.session.get(Target, target.id).user_id == coordinator.id


def test_only_roles_that_see_every_row_skip_the_scope_check(app, user_of):
    from flask_login import login_user

    from admin.base import sees_every_row
    from models import Lead

    for email, every_row in (("manager@example.com", True), ("coordinator@example.com", False),
                             ("supervisor@example.com", False)):
        with app.test_request_context():
            login_user(user_of(email))
            assert sees_every_row(Lead) is every_row, email
