"""The Polish panel: every string in the catalogue is translated, and a coordinator's pages show no English."""
from __future__ import annotations

import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import flask_admin
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from admin.catalogue import declared_strings
from models import Role, User, db
from rules.core import ACTIONS

ROOT = Path(__file__).resolve().parents[2]
OURS = ROOT / "translations" / "pl" / "LC_MESSAGES"
FLASK_ADMIN = Path(flask_admin.__file__).parent / "translations" / "pl" / "LC_MESSAGES" / "admin.po"


@pytest.fixture(autouse=True)
def fresh_locale_per_request(app):
    """The test client shares one app context across requests; pick the language anew for each."""
    from flask import request_started
    from flask_babel import refresh

    def forget(sender, **extra):
        refresh()

    request_started.connect(forget, app)
    yield
    request_started.disconnect(forget, app)


def catalogue(path: Path):
    with open(path, "rb") as file:
        return read_po(file, locale="pl")


def english_with_polish() -> set[str]:
    """English strings that read differently in Polish: if one shows on a Polish page, it is untranslated."""
    english = set()
    for path in (OURS / "messages.po", FLASK_ADMIN):
        for message in catalogue(path):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if ids[0] and strings[0] and strings[0] != ids[0] and "%" not in ids[0]:
                english.add(ids[0])
    return english


class VisibleText(HTMLParser):
    """Text a user reads: text nodes and placeholder/title attributes, not scripts, styles, charts or text
    marked as English on purpose (`lang="en"`: the English column headers an import accepts)."""

    HIDDEN = {"script", "style", "svg"}

    def __init__(self):
        super().__init__()
        self.depth, self.texts, self.hidden = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN or ("lang", "en") in attrs:
            self.depth += 1
            self.hidden.append(tag)
        for name, value in attrs:
            if name in ("placeholder", "title") and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth and data.strip():
            text = " ".join(data.split())
            if self.lasttag == "title":  # the window title: category - page - panel
                self.texts.extend(text.split(" - "))
            else:
                self.texts.append(text)


def plain(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def untranslated(html: str, english: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return {text for text in parser.texts if text in english}


def test_every_message_has_a_polish_translation_and_the_mo_is_compiled():
    po = catalogue(OURS / "messages.po")
    missing = [m.id for m in po if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)]
    assert missing == []
    assert not [m.id for m in po if m.id and m.fuzzy]
    declared = set(declared_strings())
    assert declared <= {m.id for m in po if isinstance(m.id, str)}
    with open(OURS / "messages.mo", "rb") as file:
        compiled = {plain(m.id): plain(m.string) for m in read_mo(file) if m.id}
    assert compiled == {plain(m.id): plain(m.string) for m in po if m.id}, "run `pybabel compile -d translations`"


@pytest.fixture
def polish_coordinator(login_as, client):
    login_as(Role.coordinator)
    page = client.get("/admin/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {"locale": "pl", "next": "/admin/", **({"csrf_token": token.group(1)} if token else {})}
    assert client.post("/language", data=data).status_code == 302
    assert db.session.scalar(db.select(User.locale).where(User.email == "coordinator@example.com")) == "pl"
    return client


def coordinator_pages(client, app):
    """(url, html) of the dashboard and of every list, new, details and action form a coordinator opens."""
    panel = app.extensions["admin"][0]
    yield "/admin/", client.get("/admin/")
    for view in panel._views:
        if not hasattr(view, "model") or Role.coordinator not in {r for r, verbs in view.access.items() if "read" in verbs}:
            continue
        listing = client.get(f"/admin/{view.endpoint}/", follow_redirects=True)  # the role's default view, if any
        yield f"/admin/{view.endpoint}/", listing
        if "create" in view.access[Role.coordinator]:
            yield f"/admin/{view.endpoint}/new/", client.get(f"/admin/{view.endpoint}/new/")
        if "bulk_edit" in view.access[Role.coordinator] and getattr(view, "bulk_edit_fields", None):
            yield f"/admin/{view.endpoint}/bulk-edit/", client.get(f"/admin/{view.endpoint}/bulk-edit/")
        if "import" in view.access[Role.coordinator] and getattr(view, "importing", None):
            yield f"/admin/{view.endpoint}/import/", client.get(f"/admin/{view.endpoint}/import/")
        first = re.search(r'details/\?id=(\d+)', listing.get_data(as_text=True))
        if first:
            yield f"/admin/{view.endpoint}/details/", client.get(f"/admin/{view.endpoint}/details/?id={first.group(1)}")
            for action in ACTIONS.values():
                if action.model is view.model and action.form is not None and Role.coordinator in action.roles:
                    response = client.post(f"/admin/{view.endpoint}/action/",
                                           data={"action": action.name, "rowid": first.group(1)})
                    yield f"/admin/{view.endpoint}/action/{action.name}", response


# Demo data that happens to spell a UI word: a contact's job title, a shift's assignment.
# A demo saved view's name ("Ready to ship", shared with coordinators) on the orders list and the saved views.
DATA_NOT_UI = {"/admin/contact/": {"Owner"}, "/admin/shift/": {"Quotes"},
               "/admin/sales_order/": {"Ready to ship"}, "/admin/saved_view/": {"Ready to ship"}}


def test_a_coordinators_pages_show_no_english(polish_coordinator, app):
    english = english_with_polish()
    found, opened = {}, 0
    for url, response in coordinator_pages(polish_coordinator, app):
        assert response.status_code == 200, url
        leftovers = untranslated(response.get_data(as_text=True), english) - DATA_NOT_UI.get(url, set())
        if leftovers:
            found[url] = sorted(leftovers)
        opened += 1
    assert opened > 30
    assert found == {}, "\n".join(f"{url}: {texts}" for url, texts in found.items())


def test_the_browser_language_applies_until_the_user_chooses(login_as, client):
    login_as(Role.supervisor)
    html = client.get("/admin/", headers={"Accept-Language": "pl-PL,pl;q=0.9"}).get_data(as_text=True)
    assert "Dzień dobry" in html and "Kolejka zespołu" in html
    html = client.get("/admin/", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Good day" in html


def test_the_menu_follows_each_requests_language(login_as, client):
    login_as(Role.coordinator)
    for _ in range(2):  # the second round is served from the menus kept per language
        polish = client.get("/admin/", headers={"Accept-Language": "pl"}).get_data(as_text=True)
        english = client.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Lejek sprzedaży" in polish and "Lejek sprzedaży" not in english
        assert "Pipeline" in english


def test_the_list_filters_follow_each_requests_language(login_as, client):
    login_as(Role.coordinator)
    for _ in range(2):  # the second round is served from the filter menus kept per language
        polish = client.get("/admin/lead/?view=all", headers={"Accept-Language": "pl"}).get_data(as_text=True)
        english = client.get("/admin/lead/?view=all", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert '"operation": "jest r\\u00f3wne"' in polish and '"operation": "equals"' not in polish
        assert '"operation": "equals"' in english
        # a state filter offers the states by their labels, the value staying the state's name
        orders_pl = client.get("/admin/sales_order/?view=all", headers={"Accept-Language": "pl"}).get_data(as_text=True)
        orders_en = client.get("/admin/sales_order/?view=all", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert '["in_production", "W produkcji"]' in orders_pl
        assert '["in_production", "In production"]' in orders_en


def test_dates_and_numbers_follow_the_locale(polish_coordinator):
    html = polish_coordinator.get("/admin/sales_order/?view=all").get_data(as_text=True)
    assert re.search(r"\d{1,3}(\xa0\d{3})*,\d{2}", html), "amounts written the Polish way (1 234,50)"
    assert re.search(r"\d{1,2} (sty|lut|mar|kwi|maj|cze|lip|sie|wrz|paź|lis|gru) \d{4}", html)


@pytest.mark.parametrize("language, expected", [("pl", "10\xa0000+"), ("en", "10,000+")])
def test_a_capped_count_is_written_as_the_locale_writes_numbers(app, language, expected):
    from admin.listing import CappedCount

    with app.test_request_context(headers={"Accept-Language": language}):
        assert str(CappedCount(25_000, 10_000)) == expected
        assert str(CappedCount(9_999, 10_000)) == expected.replace("10", "9").replace("000+", "999")


@pytest.mark.parametrize("language, expected", [
    ("en", "3 approved, 4 skipped: 2 is draft, not submitted; 1 needs a supervisor or manager; "
           "1 above your approval limit (15% / 50,000.00)"),
    ("pl", "zatwierdzono: 3, pominięto 4: 2 stan: Szkic, wymagany: Przesłana; "
           "1 wymaga roli: Kierownik zespołu lub Menedżer; 1 powyżej twojego limitu zatwierdzania (15% / 50\xa0000,00)"),
])
def test_skip_reasons_are_told_in_the_users_language(app, language, expected):
    from admin.actions import describe_result
    from models import QuoteStatus
    from rules.core import N_, ActionResult, Phrase, Term, either, words
    from rules.quotes import limit_text

    action = ACTIONS["approve_quote"]
    state = Phrase(N_("is %(state)s, not %(allowed)s"), state=words(QuoteStatus.draft),
                   allowed=either([words(QuoteStatus.submitted)]))
    role = Phrase(N_("needs a %(role)s"), role=either([Term(Role.supervisor), Term(Role.manager)]))
    policy = SimpleNamespace(max_discount_pct=Decimal("15.00"), max_quote_total=Decimal("50000"))
    limit = Phrase(N_("above your approval limit (%(limit)s)"), limit=limit_text(policy))
    result = ActionResult(action, done=[1, 2, 3], skipped={4: state, 5: state, 6: role, 7: limit})
    assert state == "is draft, not submitted" and role == "needs a supervisor or manager"  # stored in English
    with app.test_request_context(headers={"Accept-Language": language}):
        assert describe_result(result) == expected


def test_import_problems_are_told_in_the_users_language(login_as):
    from tests.integration.test_imports import problems, upload

    client = login_as(Role.manager)
    content = "name,region,payment terms days,status\nPo polsku,North,wkrótce,active\n"
    assert ("2", "Payment terms days", "“wkrótce” is not a number.") in problems(
        upload(client, "account", content, apply=False))
    response = client.post("/admin/account/import/", headers={"Accept-Language": "pl"},
                           data={"file": (io.BytesIO(content.encode()), "data.csv"), "apply": "0"},
                           content_type="multipart/form-data")
    assert "Problemy: 1; nic nie zaimportowano." in response.get_data(as_text=True)
    assert [message for _row, _column, message in problems(response)] == ["„wkrótce” to nie liczba."]
