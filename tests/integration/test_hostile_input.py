"""Hostile input: markup saved in a text field is shown as text everywhere it appears; SQL in a search,
filter or sort parameter is only ever a value to filter by."""
import re

import pytest
from sqlalchemy import func, select

from models import Account, Role, User, db
from tests.forms import form_values

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def north_account() -> Account:
    return db.session.scalar(select(Account).join(User, Account.owner_id == User.id)
                             .where(User.email == "coordinator@example.com").order_by(Account.id).limit(1))


@pytest.fixture
def marked_up_account(login_as):
    client = login_as(Role.manager)
    account = north_account()
    url = f"/admin/account/edit/?id={account.id}"
    form = form_values(client.get(url).get_data(as_text=True))
    assert client.post(url, data={**form, "name": PAYLOAD}).status_code == 302
    return client, account


def assert_shown_as_text(html: str) -> None:
    assert PAYLOAD not in html and "<script>alert" not in html and "<img src=x" not in html
    assert ESCAPED in html or ESCAPED.replace("&#34;", "&quot;") in html


def test_markup_is_text_in_the_list(marked_up_account):
    client, account = marked_up_account
    assert_shown_as_text(client.get("/admin/account/?search=%3Cscript").get_data(as_text=True))


def test_markup_is_text_in_the_details_and_history(marked_up_account):
    client, account = marked_up_account
    page = client.get(f"/admin/account/details/?id={account.id}").get_data(as_text=True)
    assert_shown_as_text(page)
    history = page[page.index('id="history"'):]
    assert_shown_as_text(history)


def test_markup_is_text_in_the_related_record_pickers(marked_up_account):
    client, account = marked_up_account
    response = client.get("/admin/contact/ajax/lookup/?name=account&query=script")
    assert response.mimetype == "application/json"
    assert any(PAYLOAD in str(item) for item in response.json)  # JSON data; the picker renders text


def test_markup_in_an_export_is_a_csv_value_not_a_page(marked_up_account):
    client, account = marked_up_account
    response = client.get("/admin/account/export/csv/?search=%3Cscript")
    body = response.get_data(as_text=True)
    response.close()  # the export streams inside its own request context
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert PAYLOAD.replace('"', '""') in body


# --- SQL in list parameters ------------------------------------------------------------------------

SQL = ["' OR '1'='1", "x' OR 1=1 --", "1; DROP TABLE account; --", "%' UNION SELECT email FROM app_user --"]


def listed_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'name="rowid" value="(\d+)"', html)}


def account_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Account))


@pytest.mark.parametrize("payload", SQL)
@pytest.mark.parametrize("parameter", ["search", "flt0_status_equals", "flt0_name_contains", "sort", "desc",
                                       "page", "page_size"])
def test_sql_in_a_list_parameter_only_filters(login_as, user_of, parameter, payload):
    client = login_as("coordinator2@example.com")
    team_ids = {a.id for a in db.session.scalars(
        select(Account).join(User, Account.owner_id == User.id)
        .where(User.team_id == user_of("coordinator2@example.com").team_id))}
    before = account_count()
    response = client.get("/admin/account/", query_string={parameter: payload})
    assert response.status_code in {200, 302, 400}
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "syntax error" not in html.lower()
    assert listed_ids(html) <= team_ids  # never another team's rows
    if parameter in {"search", "flt0_name_contains"}:
        assert listed_ids(html) == set()  # no account is called that
    assert account_count() == before
    assert db.session.scalar(select(func.count()).select_from(User)) >= 5
