"""The desk in Chromium: each role's dashboard with its charts, and the Polish panel for a pl-PL browser."""
import pytest

from tests.browser.conftest import BROWSER_PASSWORD

ROLES = {
    "coordinator": ("coordinator@example.com", "My queue"),
    "supervisor": ("supervisor@example.com", "To approve"),
    "manager": ("manager@example.com", "Overdue invoices by days past due"),
    "admin": ("admin@example.com", "Active users by role"),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_dashboard_renders_without_console_errors(log_in, screenshots, role):
    email, heading = ROLES[role]
    page = log_in(email)
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator(f"[data-dashboard={role}] [data-figure]").count() > 0
    if role == "manager":
        assert page.locator(".chart svg").count() >= 3
    page.screenshot(path=str(screenshots / f"desk-{role}.png"), full_page=True)
    assert page.console_errors == []


def test_polish_browser_gets_the_polish_panel(browser, panel_url, screenshots):
    context = browser.new_context(locale="pl-PL", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(panel_url + "/login")
    assert page.get_by_role("button", name="Zaloguj").is_visible()
    page.fill("input[name=email]", "coordinator@example.com")
    page.fill("input[name=password]", BROWSER_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(panel_url + "/admin/")
    assert page.get_by_role("heading", name="Moja kolejka").is_visible()
    page.screenshot(path=str(screenshots / "desk-coordinator-pl.png"), full_page=True)
    page.goto(panel_url + "/admin/customer_request/?flt0_sla_is=breached")
    assert page.locator("[data-sla=breached]").first.inner_text().startswith("Przekroczone")
    page.screenshot(path=str(screenshots / "requests-breached-pl.png"), full_page=True)
    assert errors == []
    context.close()
