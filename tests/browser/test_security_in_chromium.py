"""The Content-Security-Policy as Chromium applies it: no page breaks it, and Flask-Admin's confirmations
and bulk actions still work without inline handlers."""
import pytest

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation',
  e => window.cspViolations.push(e.violatedDirective + ' ' + (e.target && e.target.outerHTML || '').slice(0, 120)));
"""


@pytest.fixture
def watched(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return page


@pytest.mark.parametrize("path", ["/admin/", "/admin/sales_order/", "/admin/sales_order/details/?id=1",
                                  "/admin/sales_order/edit/?id=1", "/admin/quote/new/", "/admin/my-account/"])
def test_pages_keep_to_the_content_security_policy(watched, log_in, panel_url, path):
    page = log_in("manager@example.com")
    page.goto(panel_url + path)
    page.locator("body").click(position={"x": 5, "y": 5})
    assert page.evaluate("window.cspViolations") == []
    assert page.console_errors == []


def test_filters_and_the_delete_confirmation_work_under_the_policy(watched, log_in, panel_url):
    page = log_in("manager@example.com")
    page.goto(panel_url + "/admin/sales_order/")
    page.get_by_text("Add Filter").click()
    page.locator("a.filter").get_by_text("Status", exact=True).click()
    assert page.locator("table.filters tr").count() == 1  # filters.js added the filter row
    first_row = page.locator("table.model-list tbody tr").first
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    first_row.locator("button[title='Delete Record']").click()
    assert asked == ["Are you sure you want to delete this record?"]
    assert page.url.startswith(panel_url + "/admin/sales_order/")
    assert page.evaluate("window.cspViolations") == []
    assert page.console_errors == []


def test_bulk_actions_run_without_inline_handlers(watched, log_in, panel_url):
    page = log_in("coordinator@example.com")
    page.goto(panel_url + "/admin/quote/?flt0_status_equals=draft")
    page.locator("input.action-checkbox").first.check()
    page.get_by_text("With selected").click()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("[data-model-action=submit_quote]").click()
    assert asked == ["Submit the selected quotes for approval?"]
    assert page.evaluate("window.cspViolations") == []
    assert page.console_errors == []
