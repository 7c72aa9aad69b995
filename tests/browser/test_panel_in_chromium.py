"""The panel as a user sees it: log in as each role, open lists and forms, log out."""
import pytest

ROLES = {
    "coordinator": "coordinator@example.com",
    "supervisor": "supervisor@example.com",
    "manager": "manager@example.com",
    "admin": "admin@example.com",
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_and_sees_the_desk(log_in, screenshots, role):
    page = log_in(ROLES[role])
    assert role.capitalize() in page.locator("[data-testid=current-user]").inner_text()
    menu = page.locator("nav .navbar-nav").first.inner_text()
    assert ("Pipeline" in menu) == (role != "admin")  # admins run users, teams and policies only
    users_link = page.locator("nav a[href='/admin/app_user/']")
    assert (users_link.count() > 0) == (role != "coordinator")  # no user administration for them
    page.screenshot(path=str(screenshots / f"dashboard-{role}.png"), full_page=True)
    assert page.console_errors == []


def test_wrong_password_shows_the_generic_message(page, panel_url):
    page.goto(panel_url + "/login")
    page.fill("input[name=email]", "manager@example.com")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert page.get_by_text("Invalid e-mail or password.").is_visible()


def test_orders_list_filters_and_opens_a_record(log_in, panel_url, screenshots):
    page = log_in(ROLES["manager"])
    page.goto(panel_url + "/admin/sales_order/")
    rows = page.locator("table.model-list tbody tr")
    assert rows.count() == 20
    page.screenshot(path=str(screenshots / "orders-list.png"), full_page=True)
    first_number = rows.first.locator("td.col-number").inner_text().strip()
    page.fill("input[name=search]", first_number)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("table.model-list tbody tr").count() == 1
    page.locator("table.model-list tbody tr a[title='View Record']").first.click()
    assert first_number in page.content()
    assert page.console_errors == []


def test_create_form_looks_up_related_records_and_saves(log_in, panel_url):
    page = log_in(ROLES["manager"])
    page.goto(panel_url + "/admin/product/new/")
    page.fill("input[name=sku]", "BRW-0001")
    page.fill("input[name=name]", "Browser-made worktop")
    page.fill("input[name=list_price]", "-5")
    page.click("input[type=submit][value=Save]")
    assert page.get_by_text("Must be at least 0.").is_visible()
    page.fill("input[name=list_price]", "450")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/product/**")
    assert page.get_by_text("Record was successfully created.").is_visible()

    page.goto(panel_url + "/admin/quote_line/new/")
    page.locator("#s2id_product").click()
    page.keyboard.type("BRW-0001")
    page.locator(".select2-result-label", has_text="BRW-0001").first.click()
    assert "BRW-0001" in page.locator("#s2id_product").inner_text()
    assert page.console_errors == []


def test_logout_returns_to_login(log_in, panel_url):
    page = log_in(ROLES["coordinator"])
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto(panel_url + "/admin/lead/")
    assert "/login" in page.url
