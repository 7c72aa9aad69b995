"""Saved views in Chromium: save the list on screen under a name, then open it again from the Views menu;
a coordinator's bare orders list opens their role's default view."""
from urllib.parse import parse_qsl, urlsplit

from tests.browser.test_security_in_chromium import RECORD_VIOLATIONS

COORDINATOR = "coordinator2@example.com"  # coordinator@ submits quotes in another browser test


def statuses(page) -> set[str]:
    return {cell.strip() for cell in page.locator("table.model-list tbody td.col-status").all_inner_texts()}


def test_a_coordinator_saves_a_view_and_opens_it_again(page, log_in, panel_url, screenshots):
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(COORDINATOR)
    page.goto(panel_url + "/admin/quote/?flt0_status_equals=draft&page=0&page_size=50")

    page.locator("[data-testid=saved-views] > a").click()
    page.locator("[data-testid=save-view-link]").click()
    assert page.locator("[data-testid=saved-arguments]").inner_text().strip() == "Status equals Draft"
    page.fill("input[name=name]", "Draft quotes")
    page.locator("[data-testid=save-view-submit]").click()
    page.wait_for_load_state()
    assert page.get_by_text("Saved the view “Draft quotes”.").is_visible()
    assert page.locator("[data-testid=active-view]").inner_text() == "Draft quotes"
    page.screenshot(path=str(screenshots / "saved-view-active.png"), full_page=True)

    page.goto(panel_url + "/admin/quote/?view=all")
    assert statuses(page) != {"Draft"}  # the whole list first
    page.locator("[data-testid=saved-views] > a").click()
    with page.expect_navigation():
        page.locator("[data-saved-view='Draft quotes']").click()
    assert parse_qsl(urlsplit(page.url).query) == [("flt0_status_equals", "draft")]
    assert statuses(page) == {"Draft"}
    assert page.locator("[data-testid=active-view]").inner_text() == "Draft quotes"
    assert page.evaluate("window.cspViolations") == []
    assert page.console_errors == []


def test_a_coordinators_orders_open_on_their_roles_default_view(page, log_in, panel_url):
    log_in(COORDINATOR)
    page.goto(panel_url + "/admin/sales_order/")
    assert "flt0_status_equals=ready_to_ship" in page.url
    assert page.locator("[data-testid=active-view]").inner_text() == "Ready to ship"
    assert statuses(page) <= {"Ready to ship"}
    page.locator("[data-testid=saved-views] > a").click()
    with page.expect_navigation():
        page.locator("[data-testid=all-records]").click()
    assert page.url.endswith("/admin/sales_order/?view=all")
    assert len(statuses(page)) > 1
    assert page.console_errors == []
