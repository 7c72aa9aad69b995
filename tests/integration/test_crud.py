"""Create, edit and delete through the admin; constraint violations give a form error and no write."""
from decimal import Decimal

from sqlalchemy import func, select

from models import Account, Product, Quote, QuoteLine, QuoteStatus, Role, Shift, db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_product_create_edit_delete_round_trip(login_as):
    client = login_as(Role.manager)
    form = {"sku": "RT-001", "name": "Round-trip panel", "division": "doors",
            "list_price": "125.50", "unit": "pcs", "active": "y"}
    response = client.post("/admin/product/new/", data=form)
    assert response.status_code == 302
    product = db.session.scalar(select(Product).where(Product.sku == "RT-001"))
    assert product.name == "Round-trip panel" and product.list_price == Decimal("125.50")

    response = client.post(f"/admin/product/edit/?id={product.id}",
                           data={**form, "name": "Renamed panel", "list_price": "99"})
    assert response.status_code == 302
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.name == "Renamed panel" and product.list_price == Decimal("99.00")
    assert product.version == 2

    response = client.post("/admin/product/delete/", data={"id": product.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Product, product.id) is None


def test_account_create_with_related_owner_picked_by_id(login_as, user_of):
    client = login_as(Role.manager)
    owner = user_of("coordinator@example.com")
    response = client.post("/admin/account/new/", data={
        "name": "Nowa Hurtownia Sp. z o.o.", "kind": "dealer", "region": "North", "status": "active",
        "payment_terms_days": "30", "payment_method": "bank_transfer", "credit_limit": "10000",
        "owner": str(owner.id),
    })
    assert response.status_code == 302
    account = db.session.scalar(select(Account).where(Account.name == "Nowa Hurtownia Sp. z o.o."))
    assert account.owner_id == owner.id


def test_negative_quantity_is_a_form_error_and_writes_nothing(login_as):
    client = login_as(Role.manager)
    quote = db.session.scalar(select(Quote).limit(1))
    product = db.session.scalar(select(Product).limit(1))
    before = count(QuoteLine)
    response = client.post("/admin/quote_line/new/", data={
        "quote": str(quote.id), "product": str(product.id), "quantity": "-3",
        "unit_price": "10", "discount_pct": "0",
    })
    assert response.status_code == 200
    assert "Must be greater than 0." in response.get_data(as_text=True)
    assert count(QuoteLine) == before


def test_discount_over_100_is_a_form_error_and_writes_nothing(login_as):
    client = login_as(Role.manager)
    quote = db.session.scalar(select(Quote).where(Quote.status == QuoteStatus.draft).limit(1))  # editable
    before = (quote.discount_pct, quote.version)
    form = {"number": quote.number, "account": str(quote.account_id), "owner": str(quote.owner_id),
            "status": quote.status.value, "discount_pct": "150", "total": str(quote.total)}
    response = client.post(f"/admin/quote/edit/?id={quote.id}", data=form)
    assert response.status_code == 200
    assert "Must be at most 100." in response.get_data(as_text=True)
    db.session.expire_all()
    quote = db.session.get(Quote, quote.id)
    assert (quote.discount_pct, quote.version) == before


def test_cross_field_rule_from_the_schema_is_a_clear_message(login_as, user_of):
    client = login_as(Role.manager)
    before = count(Shift)
    response = client.post("/admin/shift/new/", data={
        "user": str(user_of("coordinator@example.com").id), "rotation": "Week A", "assignment": "Phones",
        "starts_at": "2026-11-20 16:00:00", "ends_at": "2026-11-20 08:00:00", "break_minutes": "30",
    }, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Not saved: the value breaks the rule “ends after start”." in text
    assert "IntegrityError" not in text and "INSERT" not in text
    assert count(Shift) == before


def test_duplicate_unique_value_is_a_clear_message(login_as):
    client = login_as(Role.manager)
    existing = db.session.scalar(select(Product).limit(1))
    before = count(Product)
    response = client.post("/admin/product/new/", data={
        "sku": existing.sku, "name": "Duplicate", "division": "doors", "list_price": "1", "unit": "pcs",
    }, follow_redirects=True)
    assert "Already exists." in response.get_data(as_text=True)
    assert count(Product) == before


def test_adding_a_line_through_the_admin_updates_the_quote_total(login_as):
    client = login_as(Role.manager)
    quote = db.session.scalar(select(Quote).where(Quote.status == "draft", Quote.discount_pct == 10).limit(1)) or \
        db.session.scalar(select(Quote).where(Quote.status == "draft").limit(1))
    product = db.session.scalar(select(Product).limit(1))
    before = quote.total
    response = client.post("/admin/quote_line/new/", data={
        "quote": str(quote.id), "product": str(product.id), "quantity": "2",
        "unit_price": "100.00", "discount_pct": "50",
    })
    assert response.status_code == 302
    db.session.expire_all()
    quote = db.session.get(Quote, quote.id)
    added = Decimal("100.00") * (100 - quote.discount_pct) / 100
    assert quote.total == (before + added).quantize(Decimal("0.01"))


def test_totals_are_not_typed_in_forms(login_as):
    client = login_as(Role.manager)
    page = client.get("/admin/quote/new/").get_data(as_text=True)
    assert 'name="total"' not in page and 'name="status"' not in page
    assert 'name="discount_pct"' in page
