"""Imports of hostile files: wrong encodings, binary junk, zip bombs, bad e-mails, NUL bytes, NaN and
numbers too large. Each is refused with a clear message naming the line, row or column; nothing is
written, and the page is never cut off. And the rows an import writes each have their audit event."""
import io
import random
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from models import Account, AuditEvent, Contact, Lead, Product, Role, db
from tests import factories
from tests.integration.test_imports import count, problems, upload

SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def finished(response) -> str:
    """The whole page: it ends as a page does (a cut-off stream raises or stops before)."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.rstrip().endswith("</html>")
    return html


def workbook_with_sheet(rows: bytes, repeated: bytes = b"", times: int = 0, dimension: str | None = None) -> bytes:
    """An .xlsx whose first sheet holds `rows`, then `repeated` `times` times, written as a stream and
    compressed, as a bomb would be."""
    template = io.BytesIO()
    Workbook().save(template)
    original = zipfile.ZipFile(template)
    made = io.BytesIO()
    with zipfile.ZipFile(made, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for item in original.infolist():
            if item.filename != SHEET:
                bomb.writestr(item, original.read(item))
        with bomb.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b"")
                        + b"<sheetData>" + rows)
            per_write = max(1, 2 ** 20 // max(len(repeated), 1))
            for done in range(0, times, per_write):
                sheet.write(repeated * min(per_write, times - done))
            sheet.write(b"</sheetData></worksheet>")
    return made.getvalue()


def row(*cells: str, number: int | None = None) -> bytes:
    inline = "".join(f'<c t="inlineStr"><is><t>{cell}</t></is></c>' for cell in cells)
    return (f'<row r="{number}">' if number else "<row>").encode() + inline.encode() + b"</row>"


PRODUCT_HEADER = row("sku", "name", "division", "list price")


# --- Encodings -------------------------------------------------------------------------------------

def test_random_bytes_named_csv_are_refused_as_not_text(login_as):
    junk = random.Random(7).randbytes(4096)
    before = count(Product)
    response = upload(login_as(Role.manager), "product", junk, "prices.csv")
    finished(response)
    [(row_, column, message)] = problems(response)
    assert (row_, column) == ("", "") and message.startswith("The file is not UTF-8 text (line 1)")
    assert count(Product) == before


def test_one_windows_1250_line_in_a_utf8_file_is_named_and_nothing_loads(login_as):
    content = ("sku,name,division,list price\nENC-U1,Łódź dąb,doors,1\n".encode()
               + "ENC-U2,Zażółć gęślą jaźń,doors,1\n".encode("cp1250")
               + "ENC-U3,Świerk,doors,1\n".encode())
    response = upload(login_as(Role.manager), "product", content)
    finished(response)
    assert problems(response) == [("", "", "Line 3 is not UTF-8 text, though the rest of the file is: "
                                           "save the whole file as UTF-8.")]
    assert db.session.scalar(select(func.count()).where(Product.sku.like("ENC-U%"))) == 0


@pytest.mark.parametrize("encoding, shown", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"),
                                             ("cp1250", "Windows-1250"), ("iso-8859-2", "ISO-8859-2")])
def test_polish_text_is_read_in_the_encoding_it_is_in_and_the_page_says_which(login_as, encoding, shown):
    name = "Zażółć gęślą jaźń ŻÓŁĆ ĘŚĄŹŃ"
    content = f"Indeks;Nazwa;Dział;Cena katalogowa\nENC-{encoding};{name};doors;1,50\n".encode(encoding)
    response = upload(login_as(Role.manager), "product", content)
    assert problems(response) == []
    assert f"Read as {shown} text." in finished(response)
    assert db.session.scalar(select(Product.name).where(Product.sku == f"ENC-{encoding}")) == name


def test_a_cell_longer_than_csv_allows_names_its_line(login_as):
    content = 'sku,name,division,list price\nLONG-1,"unclosed,doors,1\n' + "x" * 200_000 + "\n"
    response = upload(login_as(Role.manager), "product", content)
    finished(response)
    assert problems(response) == [("", "", "Line 2 cannot be read as CSV: a cell is longer than 131,072 "
                                           "characters, or a quote is left open.")]


# --- Hostile workbooks ---------------------------------------------------------------------------------

def refused_quickly(client, content: bytes) -> tuple[list, float]:
    """The problems of uploading `content` as a workbook, and the seconds it took."""
    started = time.perf_counter()
    response = upload(client, "product", content, "prices.xlsx")
    finished(response)
    return problems(response), time.perf_counter() - started


def test_a_zip_bomb_is_refused_from_the_zip_directory_without_unpacking(login_as):
    line = row("BOMB", "Bomb", "doors", "1")
    bomb = workbook_with_sheet(PRODUCT_HEADER, line, times=230 * 2 ** 20 // len(line))
    assert len(bomb) < 3 * 2 ** 20  # about 230 MB of sheet in a file of 1 to 2 MB
    before = count(Product)
    client = login_as(Role.manager)
    tracemalloc.start()
    found, seconds = refused_quickly(client, bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found == [("", "", "The workbook unpacks to 230 MB; an import reads at most 200 MB.")]
    assert seconds < 2 and peak < 30 * 2 ** 20  # the file and its copies, nothing unpacked
    assert count(Product) == before


def test_a_sheet_declaring_more_rows_than_an_import_takes_is_refused_before_reading(login_as):
    sheet = workbook_with_sheet(PRODUCT_HEADER + row("DIM-1", "Declared", "doors", "1"), dimension="A1:D5000000")
    found, seconds = refused_quickly(login_as(Role.manager), sheet)
    assert found == [("", "", "The sheet declares 5,000,000 rows; an import takes at most 200,000 below the header.")]
    assert db.session.scalar(select(Product).where(Product.sku == "DIM-1")) is None


def test_a_sheet_without_dimension_has_its_rows_counted_before_reading(login_as):
    sheet = workbook_with_sheet(PRODUCT_HEADER, row("COUNT", "Counted", "doors", "1"), times=200_001)
    found, seconds = refused_quickly(login_as(Role.manager), sheet)
    assert found == [("", "", "The sheet has 200,002 rows; an import takes at most 200,000 below the header.")]
    assert seconds < 3
    assert db.session.scalar(select(Product).where(Product.sku == "COUNT")) is None


def test_a_row_numbered_far_beyond_the_limit_is_refused_not_walked_to(login_as):
    sheet = workbook_with_sheet(PRODUCT_HEADER + row("FAR-1", "Far", "doors", "1", number=50_000_000))
    found, seconds = refused_quickly(login_as(Role.manager), sheet)
    assert found == [("", "", "The sheet has 50,000,000 rows; an import takes at most 200,000 below the header.")]
    assert seconds < 2


def test_a_damaged_sheet_is_refused_whole(login_as):
    sheet = workbook_with_sheet(PRODUCT_HEADER + row("BAD-1", "Broken", "doors", "1") + b"<row><c><v>1</c>")
    found, _seconds = refused_quickly(login_as(Role.manager), sheet)
    assert found == [("", "", "The file is not a readable .xlsx workbook.")]
    assert db.session.scalar(select(Product).where(Product.sku == "BAD-1")) is None


def test_a_file_named_xlsx_that_is_not_a_zip_is_refused(login_as):
    response = upload(login_as(Role.manager), "product", "sku,name\nA,B\n", "prices.xlsx")
    finished(response)
    assert problems(response) == [("", "", "The file is not an .xlsx workbook: it is not a zip archive.")]


# --- Values ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "ann@example.com", "Ann.Buyer+tag@Example.COM", "a@b.c", "x@example.test", "x@localhost", "x@sub.local",
    "not-an-email", "@example.com", "ann@", "ann@@example.com", "a..b@example.com", ".a@example.com",
    "a.@example.com", '"quoted"@example.com', "ann@exa mple.com", " ann@example.com", "ann@example.com.",
    "ann@-example.com", "ann@example..com", "ann@[127.0.0.1]", "żaneta@example.com", "ann@przykład.pl",
    "Ann <ann@example.com>", "a@b@example.com", "a" * 65 + "@example.com", "a" * 250 + "@example.com",
    "ann@" + "a" * 64 + ".com", "ann@" + ".".join(["abcdefghi"] * 26) + ".com", "ann@123.com", "ann@example.123",
])
def test_the_checker_an_import_uses_gives_the_verdict_of_email_problem(address):
    from models.values import email_checker, email_problem

    check = email_checker()
    assert check(address) == email_problem(address)
    assert check(address.replace("ann", "bob", 1)) == email_problem(address.replace("ann", "bob", 1))  # (cached)


def test_addresses_that_are_not_e_mail_addresses_are_named_by_row_and_column(login_as):
    account = factories.account(name="Mail Check Co")
    client = login_as(Role.manager)  # (its login commits the account: a refused import rolls back)
    cases = (("account", Account, "name,region,email\nMail One,North,one@mail-check.example\n"
                                  "Mail Two,North,not-an-email\n", "Email"),
             ("contact", Contact, f"account,name,email\n{account.name},Ann,not-an-email\n"
                                  f"{account.name},Bob,bob@mail-check.example\n", "Email"),
             ("lead", Lead, "company,contact email\nMail Lead,not-an-email\n", "Contact email"))
    for table, model, content, column in cases:
        before = count(model)
        response = upload(client, table, content)
        finished(response)
        row_ = "3" if table == "account" else "2"
        assert problems(response) == [(row_, column, "is not an e-mail address")], table
        assert count(model) == before, table


def test_a_nul_byte_in_a_cell_or_a_reference_is_named_by_row_and_column(login_as):
    client = login_as(Role.manager)
    response = upload(client, "account", "name,region,owner\nNul\x00Co,North,coordinator@example.com\n"
                                         "Nul Two,North,coordinator\x00@example.com\n")
    finished(response)
    assert problems(response) == [("2", "Name", "contains a NUL character"),
                                  ("3", "Owner", "contains a NUL character")]
    assert db.session.scalar(select(Account).where(Account.name.like("Nul%"))) is None


@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", "sNaN"])
def test_numbers_that_are_not_finite_are_named_by_row_and_column(login_as, value):
    response = upload(login_as(Role.manager), "product", f"sku,name,division,list price\nNAN-1,Odd,doors,{value}\n")
    finished(response)
    assert problems(response) == [("2", "List price", "is not a finite number")]
    assert db.session.scalar(select(Product).where(Product.sku == "NAN-1")) is None


def test_an_infinite_number_in_a_workbook_is_named_by_row_and_column(login_as):
    sheet = workbook_with_sheet(PRODUCT_HEADER + b'<row><c t="inlineStr"><is><t>INF-1</t></is></c>'
                                b'<c t="inlineStr"><is><t>Odd</t></is></c><c t="inlineStr"><is><t>doors</t></is></c>'
                                b"<c><v>1E999</v></c></row>")
    response = upload(login_as(Role.manager), "product", sheet, "prices.xlsx")
    finished(response)
    assert problems(response) == [("2", "List price", "is not a finite number")]


def test_numbers_too_large_for_their_column_are_named_not_left_to_the_database(login_as):
    client = login_as(Role.manager)
    response = upload(client, "product", "sku,name,division,list price\nBIG-1,Big,doors,123456789012345\n"
                                         "BIG-2,Big,doors,1e999999999\n")
    finished(response)
    money = "is larger than 9,999,999,999.99, the most this field holds"
    assert problems(response) == [("2", "List price", money), ("3", "List price", money)]
    response = upload(client, "account", "name,region,payment terms days\nBig Terms,North,99999999999\n"
                                         "Huge Terms,North,1e999999999\n")
    finished(response)
    integer = "is larger than 2,147,483,647, the most this field holds"
    assert problems(response) == [("2", "Payment terms days", integer), ("3", "Payment terms days", integer)]


def test_an_unexpected_failure_ends_the_page_with_a_message_and_saves_nothing(login_as, monkeypatch):
    from admin.imports import Importer

    def broken(self, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Importer, "_match", broken)
    before = count(Product)
    response = upload(login_as(Role.manager), "product", "sku,name,division,list price\nERR-1,A,doors,1\n")
    finished(response)
    assert problems(response) == [("", "", "The import stopped on an unexpected error; nothing was imported.")]
    assert count(Product) == before


# --- The audit trail ---------------------------------------------------------------------------------

def test_every_created_and_updated_row_has_its_own_audit_event(login_as):
    from decimal import Decimal

    old = factories.product(sku="AUD-OLD-1", name="Old hinge", list_price=Decimal("5.00"))
    same = factories.product(sku="AUD-SAME-1", name="Same hinge", list_price=Decimal("7.00"))
    client = login_as(Role.manager)
    events_before = count(AuditEvent)
    response = upload(client, "product", "sku,name,division,list price\n"
                                         "AUD-NEW-1,New door,doors,10\nAUD-NEW-2,New panel,doors,12.5\n"
                                         f"AUD-OLD-1,Old hinge,{old.division.value},6\n"
                                         f"AUD-SAME-1,Same hinge,{same.division.value},7.00\n")
    assert problems(response) == []
    assert "2 created, 1 updated, 1 unchanged" in finished(response)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import")
                                .order_by(AuditEvent.id)).all()[-4:]
    assert count(AuditEvent) - events_before == 4  # 2 created + 1 updated, and the summary
    made = {p.sku: p for p in db.session.scalars(select(Product).where(Product.sku.like("AUD-NEW-%")))}
    by_record = {(e.entity, e.entity_id): e for e in events if e.entity_id}
    for sku, price in (("AUD-NEW-1", "10"), ("AUD-NEW-2", "12.5")):
        event = by_record[("product", str(made[sku].id))]
        assert event.before is None and event.after["sku"] == sku and event.after["list_price"] == price
    updated = by_record[("product", str(old.id))]
    assert (updated.before, updated.after) == ({"list_price": "5.00"}, {"list_price": "6"})
    assert {e.user.email for e in events} == {"manager@example.com"}
    summary = next(e for e in events if e.entity_id is None)
    assert (summary.after["created"], summary.after["updated"]) == (2, 1)
    history = client.get(f"/admin/product/details/?id={old.id}").get_data(as_text=True)
    section = history.split('data-testid="history"', 1)[1]
    assert "<td>import</td>" in section and "5.00" in section


def test_a_large_import_writes_one_event_per_row_and_a_check_writes_none(login_as):
    client = login_as(Role.manager)
    lines = "".join(f"Firma {n},b{n}@audit-many.example,North\n" for n in range(2500))
    events_before = count(AuditEvent)
    response = upload(client, "lead", "company,contact email,region\n" + lines, apply=False)
    assert problems(response) == [] and count(AuditEvent) == events_before
    response = upload(client, "lead", "company,contact email,region\n" + lines)
    assert problems(response) == [] and "2500 created" in finished(response)
    ids = set(db.session.scalars(select(Lead.id).where(Lead.contact_email.like("%@audit-many.example"))))
    audited = set(db.session.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.action == "import", AuditEvent.entity == "lead", AuditEvent.entity_id.is_not(None))))
    assert len(ids) == 2500 and {str(i) for i in ids} <= audited
    response = upload(client, "lead", "company,contact email,region\n" + lines.replace(",North", ",South"))
    assert problems(response) == [] and "2500 updated" in finished(response)
    assert count(AuditEvent) - events_before == 2 * (2500 + 1)


def test_a_polish_reader_reads_the_refusals_and_the_encoding_in_polish(login_as):
    client = login_as(Role.manager)
    content = "Nazwa;Region;E-mail\nŚwiętokrzyska Spółka;North;not-an-email\n".encode("cp1250")
    response = client.post("/admin/account/import/", headers={"Accept-Language": "pl"}, data={
        "file": (io.BytesIO(content), "klienci.csv"), "apply": "1"}, content_type="multipart/form-data")
    assert problems(response) == [("2", "E-mail", "nie jest adresem e-mail")]
    assert "Odczytano jako tekst Windows-1250." in finished(response)
