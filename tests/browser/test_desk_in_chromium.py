"""The desk in Chromium: each role's dashboard with its charts, and the Polish panel for a pl-PL browser."""
import pytest

from tests.browser.conftest import log_in_on

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


def test_polish_browser_gets_the_polish_panel(polish_page, panel_url, screenshots):
    page = polish_page
    page.goto(panel_url + "/login")
    assert page.get_by_role("button", name="Zaloguj").is_visible()
    log_in_on(page, panel_url, "coordinator@example.com")
    assert page.get_by_role("heading", name="Moja kolejka").is_visible()
    page.screenshot(path=str(screenshots / "desk-coordinator-pl.png"), full_page=True)
    page.goto(panel_url + "/admin/customer_request/?flt0_sla_is=breached")
    assert page.locator("[data-sla=breached]").first.inner_text().startswith("Przekroczone")
    page.screenshot(path=str(screenshots / "requests-breached-pl.png"), full_page=True)
    assert page.console_errors == []
