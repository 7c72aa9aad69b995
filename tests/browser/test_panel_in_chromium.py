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


def _first_row_where(page, predicate):
    """The first list row whose cells (by column class) satisfy `predicate`."""
    rows = page.locator("table.model-list tbody tr")
    for index in range(rows.count()):
        row = rows.nth(index)
        cells = {name: row.locator(f"td.col-{name}").inner_text().strip()
                 for name in ("number", "discount_pct", "total")}
        if predicate(cells):
            return row, cells
    raise AssertionError("no such row on the page")


def _run_row_action(page, row, action):
    row.get_by_role("button", name="Actions").click()
    row.locator(f"[data-action={action}]").click()


def test_coordinator_submits_a_quote_and_the_supervisor_approves_it(browser, log_in, panel_url):
    page = log_in(ROLES["coordinator"])
    page.goto(panel_url + "/admin/quote/?flt0_status_equals=draft&page_size=100")
    amount = lambda text: float(text.replace(",", "") or 0)  # en-GB lists group thousands: 15,435.20
    within_limit = lambda c: amount(c["total"]) < 50000 and amount(c["discount_pct"]) <= 15
    row, cells = _first_row_where(page, within_limit)
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit the selected quotes for approval?"
    _run_row_action(page, row, "submit_quote")
    page.wait_for_load_state()
    assert page.get_by_text("1 submitted").is_visible()
    assert page.console_errors == []

    page.get_by_role("button", name="Log out").click()
    page = log_in(ROLES["supervisor"])
    page.goto(panel_url + f"/admin/quote/?search={cells['number']}")
    row = page.locator("table.model-list tbody tr").first
    assert row.locator("td.col-status").inner_text().strip() == "Submitted"
    _run_row_action(page, row, "approve_quote")
    page.locator("button[data-action=approve_quote]").click()  # the approval form (reason optional)
    page.wait_for_load_state()
    assert page.get_by_text("1 approved").is_visible()
    page.goto(panel_url + f"/admin/quote/?search={cells['number']}")
    assert page.locator("table.model-list tbody tr td.col-status").first.inner_text().strip() == "Approved"
    assert page.console_errors == []
