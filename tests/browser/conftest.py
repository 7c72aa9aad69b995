"""Browser tests: the panel served by `flask demo` on a fresh SQLite file, driven by Chromium."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
BROWSER_PASSWORD = "browser-demo-password"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (install Debian's chromium package)")
        pytest.skip(f"{CHROMIUM} is not installed: `apt-get install chromium` to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def panel_url(tmp_path_factory, chromium_path):
    """The demo panel on a free port, with its own database; stopped after the session."""
    port = _free_port()
    database = tmp_path_factory.mktemp("browser") / "desk.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "browser-tests"}
    log = database.with_name("server.log")  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "demo", "--port", str(port),
         "--password", BROWSER_PASSWORD],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the panel did not start:\n" + log.read_text())
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("the panel did not answer /healthz within 120 s")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, locale: str):
    """A page in a fresh browser context for `locale`; console errors and page errors collected."""
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page


@pytest.fixture
def page(browser):
    page = open_page(browser, "en-GB")
    yield page
    page.context.close()


@pytest.fixture
def polish_page(browser):
    """A page of a browser that asks for Polish (pl-PL)."""
    page = open_page(browser, "pl-PL")
    yield page
    page.context.close()


def log_in_on(page, panel_url: str, email: str):
    page.goto(panel_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", BROWSER_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(panel_url + "/admin/")
    return page


@pytest.fixture
def log_in(page, panel_url):
    return lambda email: log_in_on(page, panel_url, email)


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
