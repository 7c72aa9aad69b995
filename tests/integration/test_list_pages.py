"""List pages on large tables: a constant number of SQL statements per page, a capped count, indexed search."""
import re

import pytest
from sqlalchemy import event, select, text

import admin.listing
from admin.registry import mapped_models
from models import Account, Quote, Role, SalesOrder, User, db
from tests.conftest import DEMO_LOGINS, DEMO_PASSWORD



def view_of(app, model):
    panel = app.extensions["admin"][0]
    return next(v for v in panel._views if getattr(v, "model", None) is model)


class StatementCounter:
    """Counts the SQL statements sent to the database while it is active."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _count(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


def statements_for(app, client, url) -> tuple[int, int]:
    with StatementCounter(db.engine) as counter:
        response = client.get(url)
    return response.status_code, counter.count


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_statements_per_list_page_do_not_grow_with_the_page_size(app, role):
    client = app.test_client()
    assert client.post("/login", data={"email": DEMO_LOGINS[role], "password": DEMO_PASSWORD}).status_code == 302
    # Every request reads its user (with the saved views the Views menu lists) in one statement: it
    # is counted with the capped count and the page.
    checked = 0
    for model in mapped_models():
        if "read" not in view_of(app, model).access[role]:
            continue
        table = model.__tablename__
        small = statements_for(app, client, f"/admin/{table}/?page_size=20")
        large = statements_for(app, client, f"/admin/{table}/?page_size=100")
        assert small[0] == large[0] == 200, table
        assert small[1] == large[1], f"{table} as {role.value}: {small[1]} statements at 20 rows, {large[1]} at 100"
        assert large[1] <= 3, f"{table} as {role.value}: {large[1]} statements"
        checked += 1
    assert checked > 0


def test_the_demo_data_fills_more_than_one_page_of_the_big_lists(app):
    """The statement counts above mean something only if the pages have rows to load relations for."""
    for model in (Quote, SalesOrder, Account):
        assert db.session.scalar(select(db.func.count()).select_from(model)) > 20


def test_count_below_the_cap_is_exact(login_as):
    client = login_as(Role.manager)
    total = db.session.scalar(select(db.func.count()).select_from(Quote))
    page = client.get("/admin/quote/").get_data(as_text=True)
    assert f"List ({total:,})" in page
    assert "+)" not in page


def test_count_past_the_cap_shows_the_cap_and_a_plus(login_as, monkeypatch):
    monkeypatch.setattr(admin.listing, "COUNT_CAP", 10)
    client = login_as(Role.manager)
    assert db.session.scalar(select(db.func.count()).select_from(Quote)) > 11
    page = client.get("/admin/quote/").get_data(as_text=True)
    assert "List (10+)" in page
    assert 'data-testid="row-count">10+ rows' in page
    assert "page=1" in page  # the previous/next pager leads on to the second page


def test_an_unfiltered_list_far_past_the_cap_is_not_counted_on_postgresql(login_as, monkeypatch):
    """When the table's statistics put it at the margin times the cap, "10,000+" is shown without counting
    (here the margin is made tiny, so a few hundred quotes are taken as far past the cap); a search counts."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the table statistics are PostgreSQL's; elsewhere every list is counted (tests above)")
    db.session.execute(text("ANALYZE quote"))
    quotes = db.session.scalar(select(db.func.count()).select_from(Quote))
    assert 20 < quotes < admin.listing.COUNT_CAP
    monkeypatch.setattr(admin.listing, "ESTIMATE_MARGIN", 20 / admin.listing.COUNT_CAP)
    client = login_as(Role.manager)
    assert "List (10,000+)" in client.get("/admin/quote/?view=all").get_data(as_text=True)
    searched = client.get("/admin/quote/?view=all&search=Q-").get_data(as_text=True)
    assert re.search(r"List \((\d[\d,]*)\)", searched) and "10,000+" not in searched
    monkeypatch.setattr(admin.listing, "ESTIMATE_MARGIN", 10)
    assert f"List ({quotes:,})" in client.get("/admin/quote/?view=all").get_data(as_text=True)


def test_a_relation_to_the_same_model_is_joined_not_loaded_per_row(app, login_as):
    """A coordinator's manager (a user, like the row) comes with the page, as other related records do."""
    client = login_as(Role.admin)
    coordinator = db.session.scalar(select(User).where(User.email == DEMO_LOGINS[Role.coordinator]))
    assert coordinator.reports_to is not None
    db.session.expunge_all()  # nothing already loaded stands in for the page's own query
    status, count = statements_for(app, client, f"/admin/app_user/?search={coordinator.email}")
    assert status == 200 and count == 3


@pytest.mark.parametrize("language", ["en", "pl"])
def test_cells_show_what_flask_admin_would_show(app, language):
    """`CellValues` does Flask-Admin's `_get_list_value` lookups once per page: every column of every
    list shows the same values (states, dates, amounts, related records) in either language."""
    from flask_login import login_user

    checked = 0
    for model in mapped_models():
        view = view_of(app, model)
        role = Role.manager if "read" in view.access[Role.manager] else Role.admin
        reader = db.session.scalar(select(User).where(User.role == role).order_by(User.id).limit(1))
        with app.test_request_context(f"/admin/{model.__tablename__}/", headers={"Accept-Language": language}):
            reader.locale = None  # the browser's language applies
            login_user(reader)
            cells = admin.listing.CellValues(view, None)
            for row in view.get_list(0, None, None, None, None, page_size=20)[1]:
                for name, _label in view._list_columns:
                    expected = view._get_list_value(None, row, name, view.column_formatters,
                                                    view.column_type_formatters)
                    assert cells(row, name) == expected, f"{model.__tablename__}.{name}"
                    checked += 1
        db.session.rollback()
    assert checked > 1000


def test_cap_is_shown_as_ten_thousand_plus():
    count = admin.listing.CappedCount(25_000, 10_000)
    assert str(count) == "10,000+" and count.capped
    exact = admin.listing.CappedCount(9_999, 10_000)
    assert str(exact) == "9,999" and not exact.capped


def test_search_by_document_number_is_exact(login_as):
    client = login_as(Role.manager)
    quotes = db.session.scalars(select(Quote).order_by(Quote.id).limit(2)).all()
    page = client.get(f"/admin/quote/?search={quotes[0].number}").get_data(as_text=True)
    assert f"List (1)" in page
    assert quotes[0].number in page and quotes[1].number not in page


def test_search_by_account_name_finds_the_accounts_quotes(login_as):
    client = login_as(Role.manager)
    quote = db.session.scalar(select(Quote).order_by(Quote.id).limit(1))
    name = quote.account.name
    expected = db.session.scalar(
        select(db.func.count()).select_from(Quote).join(Account).where(Account.name.like(f"{name}%")))
    page = client.get("/admin/quote/", query_string={"search": name}).get_data(as_text=True)
    assert f"List ({expected:,})" in page
    assert quote.number in page


def test_search_by_a_lower_case_prefix(login_as):
    client = login_as(Role.manager)
    account = db.session.scalar(select(Account).order_by(Account.id).limit(1))
    prefix = account.name[:4].lower()
    page = client.get("/admin/account/", query_string={"search": prefix}).get_data(as_text=True)
    assert account.name in page


def test_search_by_email_is_exact(login_as):
    client = login_as(Role.admin)
    page = client.get("/admin/app_user/", query_string={"search": "coordinator@example.com"}).get_data(as_text=True)
    assert "List (1)" in page


def test_search_stays_within_the_users_scope(login_as):
    client = login_as("coordinator2@example.com")
    north = db.session.scalar(
        select(Quote).join(Quote.owner).where(db.text("app_user.email = 'coordinator@example.com'")).limit(1))
    assert north is not None
    page = client.get(f"/admin/quote/?search={north.number}").get_data(as_text=True)
    assert "List (" not in page  # no rows: the other team's quote is not found


@pytest.mark.parametrize("query", ["", "&flt0_status_equals=draft", "&sort=0", "&sort=0&desc=1"])
def test_a_later_page_shows_the_same_rows_as_a_plain_offset(login_as, query):
    """Later pages read their ids first (deferred join): the rows and their order are the plain OFFSET's."""
    client = login_as(Role.manager)
    view = view_of(client.application, Quote)
    for page in (1, 2):
        url = f"/admin/quote/?page={page}&page_size=5{query}"
        with client.application.test_request_context(url):
            args = view._get_list_extra_args()
            sort = view._get_column_by_idx(args.sort)
            _count, deferred = view.get_list(args.page, sort[0] if sort else None, args.sort_desc, args.search,
                                             args.filters, page_size=5)
            _count, every_row = view.get_list(0, sort[0] if sort else None, args.sort_desc, args.search,
                                              args.filters, execute=False, page_size=0)
            expected = every_row.offset(page * 5).limit(5).all()
        assert [q.id for q in deferred] == [q.id for q in expected] and len(expected) == 5, (page, query)


def test_row_buttons_carry_each_rows_own_id(login_as):
    client = login_as(Role.supervisor)
    page = client.get("/admin/quote/?page_size=100").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'name="rowid" class="action-checkbox" value="(\d+)"', page)]
    assert len(ids) > 20
    drafts = set(db.session.scalars(select(Quote.id).where(Quote.id.in_(ids), Quote.status == "draft")))
    assert drafts and len(drafts) < len(ids)
    for quote_id in ids:
        assert f"/admin/quote/details/?id={quote_id}&amp;" in page
        # A submitted quote changes only through its actions: no edit or delete button on its row.
        assert (f"/admin/quote/edit/?id={quote_id}&amp;" in page) is (quote_id in drafts)
        assert (f'<input id="id" name="id" type="hidden" value="{quote_id}">' in page) is (quote_id in drafts)
    assert "rowidmark" not in page
    draft = db.session.scalar(select(Quote).where(Quote.id.in_(ids), Quote.status == "draft"))
    if draft is not None:  # a draft's menu offers submitting it, in a form posting that row's id
        assert f'<input type="hidden" name="rowid" value="{draft.id}">' in page


def test_a_stamp_fills_in_each_rows_values_once_and_only_at_its_marks():
    from admin.listing import CELL_VALUE_MARK, ROW_ID_MARK, Stamp

    stamp = Stamp(f'<a data-pk="{ROW_ID_MARK}" data-value="{CELL_VALUE_MARK}">{CELL_VALUE_MARK}</a>',
                  ROW_ID_MARK, CELL_VALUE_MARK)
    assert stamp(**{ROW_ID_MARK: "7", CELL_VALUE_MARK: "a &amp; b"}) == '<a data-pk="7" data-value="a &amp; b">a &amp; b</a>'
    # a value that spells a mark is shown as it is, not filled in again
    assert stamp(**{ROW_ID_MARK: CELL_VALUE_MARK, CELL_VALUE_MARK: ROW_ID_MARK}) == (
        f'<a data-pk="{CELL_VALUE_MARK}" data-value="{ROW_ID_MARK}">{ROW_ID_MARK}</a>')
