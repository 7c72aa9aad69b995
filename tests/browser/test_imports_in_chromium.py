"""Imports in Chromium: a check that names the bad line, then a load with its progress, in English and Polish."""
from __future__ import annotations

from tests.browser.conftest import log_in_on

LEADS = 6000


def lead_file(bad_line: int | None = None) -> bytes:
    """A CSV of LEADS new leads; the line `bad_line` (counting the header as 1) has a follow-up that is no date."""
    lines = ["Company,Contact name,Contact email,Source,Region,Next follow up"]
    for n in range(LEADS):
        follow_up = "soon" if n + 2 == bad_line else f"2027-{n % 12 + 1:02d}-15"
        lines.append(f"Chromium Import {n} Sp. z o.o.,Buyer {n},buyer{n}@chromium-import.example,web,North,{follow_up}")
    return ("\n".join(lines) + "\n").encode()


def choose(page, name: str, content: bytes) -> None:
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])


def test_a_check_names_the_bad_line_then_the_fixed_file_loads_with_progress(log_in, panel_url, screenshots):
    page = log_in("manager@example.com")
    page.goto(panel_url + "/admin/lead/import/")
    choose(page, "leads.csv", lead_file(bad_line=4321))
    page.get_by_role("button", name="Check file").click()
    outcome = page.locator("[data-import-outcome]")
    outcome.wait_for()
    assert "1 problem(s); nothing was imported." in outcome.inner_text()
    cells = page.locator("[data-import-problems] tbody tr td").all_inner_texts()
    assert cells[:2] == ["4321", "Next follow up"] and "is not a date" in cells[2]
    assert "Read 5,000 rows…" in page.locator("[data-progress]").all_inner_texts()
    page.screenshot(path=str(screenshots / "import-check-problem.png"), full_page=True)

    choose(page, "leads.csv", lead_file())
    page.get_by_role("button", name="Import", exact=True).click()
    outcome.wait_for()
    assert f"Imported {LEADS} rows: {LEADS} created, 0 updated, 0 unchanged." in outcome.inner_text()
    progress = page.locator("[data-progress]").all_inner_texts()
    assert f"Saved {LEADS:,} of {LEADS:,} rows…" in progress and len(progress) >= 3
    page.screenshot(path=str(screenshots / "import-loaded.png"), full_page=True)
    page.get_by_role("link", name="Back to the list").click()
    page.goto(panel_url + "/admin/lead/?search=buyer4319@chromium-import.example")
    assert page.locator("table.model-list tbody tr").count() == 1
    assert page.console_errors == []


def test_a_polish_price_list_is_checked_and_loaded_in_polish(polish_page, panel_url, screenshots):
    page = log_in_on(polish_page, panel_url, "manager@example.com")
    page.goto(panel_url + "/admin/product/import/")
    price_list = ("Indeks;Nazwa;Dział;Cena katalogowa;Jednostka;Aktywny\n"
                  "CHR-PL-1;Front dębowy;doors;1 234,50;pcs;tak\n"
                  "CHR-PL-2;Zawias;hardware;12,00;pcs;nie\n").encode()
    choose(page, "cennik.csv", price_list)
    page.get_by_role("button", name="Sprawdź plik").click()
    outcome = page.locator("[data-import-outcome]")
    outcome.wait_for()
    assert "Do zaimportowania wierszy: 2 (nowe: 2, zmienione: 0, bez zmian: 0)." in outcome.inner_text()
    page.get_by_role("button", name="Import", exact=True).click()
    outcome.wait_for()
    assert "Zaimportowano wierszy: 2 (nowe: 2, zmienione: 0, bez zmian: 0)." in outcome.inner_text()
    page.screenshot(path=str(screenshots / "import-loaded-pl.png"), full_page=True)
    page.goto(panel_url + "/admin/product/?search=CHR-PL-1")
    assert "1234,50" in page.locator("table.model-list tbody").inner_text().replace("\u00a0", "").replace(" ", "")
    assert page.console_errors == []
