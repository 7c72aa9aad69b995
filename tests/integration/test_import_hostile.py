"""Imports of hostile files: wrong encodings, binary junk, zip bombs, bad e-mails, NUL bytes, NaN and
numbers too large. Each is refused with a clear message naming the line, row or column; nothing is
written, and the page is never cut off. And the rows an import writes each have their audit event."""
import pytest
from sqlalchemy import select

from models import Account, Contact, Lead, Product, Role, db
from tests import factories
from tests.integration.test_imports import count, problems, upload


def finished(response) -> str:
    """The whole page: it ends as a page does (a cut-off stream raises or stops before)."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.rstrip().endswith("</html>")
    return html


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


def test_numbers_too_large_for_their_column_are_named_not_left_to_the_database(login_as):
    client = login_as(Role.manager)
    response = upload(client, "product", "sku,name,division,list price\nBIG-1,Big,doors,123456789012345\n"
                                         "BIG-2,Big,doors,1e999999999\n")
    finished(response)
    assert problems(response) == [("2", "List price", "is too large for this field"),
                                  ("3", "List price", "is too large for this field")]
    response = upload(client, "account", "name,region,payment terms days\nBig Terms,North,99999999999\n"
                                         "Huge Terms,North,1e999999999\n")
    finished(response)
    assert problems(response) == [("2", "Payment terms days", "is too large for this field"),
                                  ("3", "Payment terms days", "is too large for this field")]
