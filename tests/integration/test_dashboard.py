"""The desk of each role: every figure equals an independent query over the demo data, in the role's scope."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from models import (
    Absence, Activity, ActivityKind, CustomerRequest, DecisionStatus, Invoice, InvoiceStatus, Lead, LeadStatus,
    OrderStatus, Quote, QuoteStatus, RequestStatus, Role, SalesOrder, Target, Team, User, db,
)
from models.targets import Metric
from rules.targets import month_bounds

FIGURE = re.compile(r'data-figure="(\w+)">\s*<div class="card-body py-2">\s*<div class="h3 mb-0" data-count="(\d+)"')
LINK = re.compile(r'href="([^"]+)" data-figure="(\w+)"')
OPEN = [OrderStatus.pending, OrderStatus.confirmed, OrderStatus.in_production, OrderStatus.ready_to_ship]


def figures_on(client) -> dict[str, int]:
    html = client.get("/admin/").get_data(as_text=True)
    return {key: int(count) for key, count in FIGURE.findall(html)}


def links_on(client) -> dict[str, str]:
    html = client.get("/admin/").get_data(as_text=True)
    return {key: url.replace("&amp;", "&") for url, key in LINK.findall(html)}


def count(model, *where) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*where))


def team_of(user):
    return select(User.id).where(User.team_id == user.team_id)


def test_coordinator_sees_own_queue(login_as, user_of, clock):
    client = login_as(Role.coordinator)
    me = user_of("coordinator@example.com")
    day, start = clock.date(), datetime.combine(clock.date(), time())
    expected = {
        "requests_waiting": count(CustomerRequest, CustomerRequest.owner_id == me.id,
                                  CustomerRequest.status == RequestStatus.new),
        "requests_breached": count(CustomerRequest, CustomerRequest.owner_id == me.id,
                                   CustomerRequest.status == RequestStatus.new,
                                   CustomerRequest.received_at <= clock - timedelta(hours=24)),
        "follow_ups_today": count(Lead, Lead.owner_id == me.id, Lead.next_follow_up == day),
        "appointments_today": count(Activity, Activity.owner_id == me.id, Activity.done_at.is_(None),
                                    Activity.scheduled_at >= start,
                                    Activity.scheduled_at <= start + timedelta(hours=23, minutes=59, seconds=59)),
        "new_leads": count(Lead, Lead.owner_id == me.id, Lead.status == LeadStatus.assigned),
        "rush_orders": count(SalesOrder, SalesOrder.owner_id == me.id, SalesOrder.is_rush.is_(True),
                             SalesOrder.status.in_(OPEN)),
        "ready_to_ship": count(SalesOrder, SalesOrder.owner_id == me.id,
                               SalesOrder.status == OrderStatus.ready_to_ship),
    }
    shown = figures_on(client)
    assert {key: shown[key] for key in expected} == expected
    assert expected["requests_breached"] >= 1 and expected["requests_waiting"] >= 2  # the seed's featured ones
    assert "quotes_to_approve" not in shown and "orders_pending" not in shown


def test_supervisor_sees_the_team_and_what_to_approve(login_as, user_of, clock):
    client = login_as(Role.supervisor)
    me = user_of("supervisor@example.com")
    team = team_of(me)
    expected = {
        "requests_waiting": count(CustomerRequest, CustomerRequest.owner_id.in_(team),
                                  CustomerRequest.status == RequestStatus.new),
        "quotes_to_approve": count(Quote, Quote.owner_id.in_(team), Quote.status == QuoteStatus.submitted),
        "absences_to_approve": count(Absence, Absence.user_id.in_(team),
                                     Absence.status == DecisionStatus.requested),
        "out_today": count(Absence, Absence.user_id.in_(team), Absence.status == DecisionStatus.approved,
                           Absence.starts_on <= clock.date(), Absence.ends_on >= clock.date()),
    }
    shown = figures_on(client)
    assert {key: shown[key] for key in expected} == expected
    everyone = count(CustomerRequest, CustomerRequest.status == RequestStatus.new)
    assert shown["requests_waiting"] < everyone  # the other team's requests are not counted


def test_manager_sees_pipeline_and_overdue_by_age(login_as, clock):
    client = login_as(Role.manager)
    shown = figures_on(client)
    for status in QuoteStatus:
        assert shown[f"quotes_{status.value}"] == count(Quote, Quote.status == status)
    for status in OrderStatus:
        assert shown[f"orders_{status.value}"] == count(SalesOrder, SalesOrder.status == status)
    ages = [(clock.date() - due).days for due in db.session.scalars(
        select(Invoice.due_on).where(Invoice.status == InvoiceStatus.overdue))]
    assert shown["overdue_0"] == sum(0 <= a <= 30 for a in ages)
    assert shown["overdue_31"] == sum(31 <= a <= 60 for a in ages)
    assert shown["overdue_61"] == sum(61 <= a <= 90 for a in ages)
    assert shown["overdue_91"] == sum(a > 90 for a in ages)
    assert sum(shown[f"overdue_{n}"] for n in (0, 31, 61, 91)) == len(ages) > 0


def test_admin_sees_users_by_role(login_as):
    shown = figures_on(login_as(Role.admin))
    for role in Role:
        assert shown[f"users_{role.value}"] == count(User, User.role == role, User.active.is_(True))
    assert not any(key.startswith(("quotes_", "orders_", "requests_")) for key in shown)


@pytest.mark.parametrize("role, keys", [
    (Role.coordinator, ["requests_waiting", "requests_breached", "new_leads", "ready_to_ship"]),
    (Role.supervisor, ["quotes_to_approve", "requests_waiting"]),
    (Role.manager, ["quotes_submitted", "orders_ready_to_ship", "overdue_0", "overdue_91"]),
])
def test_each_number_links_to_the_list_behind_it(login_as, role, keys):
    client = login_as(role)
    shown, links = figures_on(client), links_on(client)
    for key in keys:
        assert shown[key] <= 100, "pick figures that fit on one list page"
        html = client.get(links[key] + "&page_size=100").get_data(as_text=True)
        rows = len(re.findall(r'<input type="checkbox" name="rowid"', html))
        assert rows == shown[key], key


def test_manager_dashboard_charts_are_inline_svg_without_script(login_as):
    html = login_as(Role.manager).get("/admin/").get_data(as_text=True)
    assert html.count("<svg") >= 3
    assert "<script" not in html[html.index("<svg"):html.rindex("</svg>")]


@pytest.mark.parametrize("role", [Role.coordinator, Role.supervisor, Role.admin])
def test_only_managers_download_the_report(login_as, role):
    assert login_as(role).get("/admin/report/").status_code == 403


def test_management_report_is_a_workbook_with_a_sheet_per_section_and_is_audited(login_as, clock):
    from io import BytesIO

    from openpyxl import load_workbook

    from models import AuditEvent

    before = count(AuditEvent, AuditEvent.action == "export_report")
    response = login_as(Role.manager).get(f"/admin/report/?period={clock:%Y-%m}")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Targets", "Sales trend", "Order book", "Overdue invoices"]
    assert len(book["Sales trend"]._charts) == 1 and len(book["Overdue invoices"]._charts) == 1
    book_rows = {row[0]: row[1] for row in book["Order book"].iter_rows(min_row=2, values_only=True)}
    assert book_rows["Ready to ship"] == count(SalesOrder, SalesOrder.status == OrderStatus.ready_to_ship)
    assert count(AuditEvent, AuditEvent.action == "export_report") == before + 1


TARGET_ROW = re.compile(r"<tr><td>([^<]*)</td><td>([^<]*)</td>\s*<td class=\"text-right\">([^<]*)</td>"
                        r"<td class=\"text-right\">([^<]*)</td>\s*<td class=\"text-right\">[^<]*</td>"
                        r"\s*<td class=\"text-right\" data-before>([^<]*)(?:<small class=\"text-muted\">\(([^)]*)%\))?")


def achieved(user, first, last) -> dict:
    """What the records say the user achieved from `first` to `last`, metric by metric (as the roll-up counts)."""
    since, until = datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time())
    mine = lambda model: model.owner_id == user.id  # noqa: E731
    orders = [mine(SalesOrder), SalesOrder.ordered_on >= first, SalesOrder.ordered_on <= last,
              SalesOrder.status != OrderStatus.cancelled]
    done = [mine(Activity), Activity.done_at >= since, Activity.done_at < until]
    return {
        Metric.revenue: db.session.scalar(select(func.coalesce(func.sum(SalesOrder.total), 0)).where(*orders)),
        Metric.orders: count(SalesOrder, *orders),
        Metric.new_leads: count(Lead, mine(Lead), Lead.created_at >= since, Lead.created_at < until),
        Metric.customer_contacts: count(Activity, *done, Activity.account_id.is_not(None)),
        Metric.prospecting_calls: count(Activity, *done, Activity.kind == ActivityKind.call,
                                        Activity.is_prospecting.is_(True)),
        Metric.quotes_on_time: sum(1 for q in db.session.scalars(select(Quote).where(
            mine(Quote), Quote.sent_at >= since, Quote.sent_at < until)) if q.due_on and q.sent_at.date() <= q.due_on),
    }


def as_shown(value) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def my_targets_table(html: str) -> dict[str, tuple[str, str, str]]:
    """{metric label: (actual, last month's actual, its % of last month's target)} from the targets table."""
    table = html.split('data-testid="targets"', 1)[1].split("</table>", 1)[0]
    return {label: (actual, before.strip(), pct)
            for _name, label, _target, actual, before, pct in TARGET_ROW.findall(table)}


def test_my_targets_this_month_show_the_figures_so_far(login_as, user_of, clock):
    """The running month is not rolled up yet: each figure is what the records say up to today, and every
    metric has some, on the first day of a month too."""
    me = user_of("coordinator@example.com")
    first, _last = month_bounds(clock.date())
    assert count(Target, Target.user_id == me.id, Target.period_start == first, Target.actual_value.is_(None)) > 0
    expected = achieved(me, first, clock.date())
    assert all(expected.values()), f"every metric should have activity this month: {expected}"

    shown = my_targets_table(login_as(Role.coordinator).get("/admin/").get_data(as_text=True))
    assert {label: actual for label, (actual, _before, _pct) in shown.items()} == \
        {metric.label: as_shown(value) for metric, value in expected.items()}


def test_my_targets_show_last_month_beside_this_one(login_as, user_of, clock):
    """Last month's figure sits beside each of this month's, rolled up or (before the nightly roll-up) so far."""
    me = user_of("coordinator@example.com")
    first, last = month_bounds(month_bounds(clock.date())[0] - timedelta(days=1))
    expected = achieved(me, first, last)
    assert any(expected.values()), "the demo's last month should have some activity"
    targets = {t.metric: t.target_value for t in db.session.scalars(
        select(Target).where(Target.user_id == me.id, Target.period_start == first))}

    html = login_as(Role.coordinator).get("/admin/").get_data(as_text=True)
    assert '<th class="text-right">Last month</th>' in html
    shown = my_targets_table(html)
    assert {label: (before, pct) for label, (_actual, before, pct) in shown.items()} == \
        {metric.label: (as_shown(value), as_shown(value * 100 / targets[metric])) for metric, value in expected.items()}


TEAM_ROW = re.compile(r"<tr><td>([^<]*)</td><td class=\"text-right\">[^<]*</td><td class=\"text-right\">[^<]*</td>"
                      r"\s*<td class=\"text-right\" data-before>([^<]*)")


def test_manager_sees_each_teams_month_before_beside_the_chosen_one(login_as, clock):
    first, last = month_bounds(month_bounds(clock.date())[0] - timedelta(days=1))
    revenue = {team.name: db.session.scalar(select(func.coalesce(func.sum(SalesOrder.total), 0)).where(
        SalesOrder.owner_id.in_(team_of(team.supervisor)), SalesOrder.ordered_on.between(first, last),
        SalesOrder.status != OrderStatus.cancelled)) for team in db.session.scalars(select(Team))}
    assert any(revenue.values())
    client = login_as(Role.manager)

    html = client.get("/admin/").get_data(as_text=True)
    table = html.split('data-testid="team-targets"', 1)[1].split("</table>", 1)[0]
    assert '<th class="text-right">Last month</th>' in table
    assert {name: before.strip() for name, before in TEAM_ROW.findall(table)} == \
        {name: as_shown(value) for name, value in revenue.items()}
    earlier = client.get(f"/admin/?period={first:%Y-%m}").get_data(as_text=True)
    assert '<th class="text-right">Previous month</th>' in earlier and "Last month" not in earlier
    refresh()  # the test client's requests share one app context, and with it the locale picked first
    polish = client.get("/admin/", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert '<th class="text-right">Ubiegły miesiąc</th>' in polish
