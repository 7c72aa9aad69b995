"""The home page of the panel (the admin index): each role's desk.

A figure is declared as the list filters behind it; its number is counted through those same filters
(one aggregate query per list, in the user's row scope), and its link opens that filtered list.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import request, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, case, extract, func, select, true

from admin import charts
from admin.base import LoginRequiredMixin, row_scope
from admin.queues import BREACHED, NEAR_BREACH, sla_clause
from models import (
    Absence, CustomerRequest, DecisionStatus, Invoice, InvoiceStatus, OrderStatus, Quote, QuoteStatus,
    RequestStatus, Role, SalesOrder, Target, Team, User, db,
)
from models.targets import Metric
from rules.core import now, today
from rules.targets import month_bounds, totals

OPEN_ORDER = "pending,confirmed,in_production,ready_to_ship"
AGE_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, None))  # days past due; the last has no upper end


@dataclass(frozen=True)
class Figure:
    """A number on the desk: the list it counts and the filters (arg, value) that select its rows."""

    key: str
    label: str
    endpoint: str
    filters: tuple[tuple[str, str], ...] = ()


@dataclass
class Counted:
    figure: Figure
    count: int
    url: str


def day_range(first: date, last: date) -> str:
    return f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"


def time_range(first: date, last: date) -> str:
    return f"{first:%Y-%m-%d} 00:00:00 to {last:%Y-%m-%d} 23:59:59"


class Desk:
    """Counts figures through the views' own filters."""

    def __init__(self, panel):
        self.views = {view.endpoint: view for view in panel._views}

    def readable(self, endpoint: str) -> bool:
        view = self.views.get(endpoint)
        return view is not None and view.is_accessible()

    def where(self, figure: Figure):
        """The figure's filters as one WHERE clause (each filter applied as the list applies it)."""
        view = self.views[figure.endpoint]
        statement = select(view.model.id)
        for arg, value in figure.filters:
            _index, flt = view._filter_args[arg]
            if not flt.validate(value):
                raise ValueError(f"{figure.key}: {value!r} is not valid for {arg}")
            statement = flt.apply(statement, flt.clean(value))
        return statement.whereclause if statement.whereclause is not None else true()

    def url(self, figure: Figure) -> str:
        view = self.views[figure.endpoint]
        args = {f"flt{n}_{arg}": value for n, (arg, value) in enumerate(figure.filters)}
        return url_for(f"{view.endpoint}.index_view", **args)

    def count(self, figures: list[Figure]) -> dict[str, Counted]:
        """Every figure the user may open, counted with one query per list."""
        by_list: dict[str, list[Figure]] = {}
        for figure in figures:
            if self.readable(figure.endpoint):
                by_list.setdefault(figure.endpoint, []).append(figure)
        counted = {}
        for endpoint, group in by_list.items():
            model = self.views[endpoint].model
            statement = select(*(func.count(model.id).filter(self.where(f)) for f in group)) \
                .select_from(model).where(row_scope(model))
            for figure, number in zip(group, db.session.execute(statement).one()):
                counted[figure.key] = Counted(figure, number, self.url(figure))
        return counted


# --- What each role sees ---------------------------------------------------------------------------

def queue_figures(day: date, mine: bool) -> list[Figure]:
    """Requests, diary, leads and orders waiting; `mine` narrows every one of them to the user's own."""
    me = (("owner_is", "me"),) if mine else ()
    return [
        Figure("requests_breached", _l("SLA breached"), "customer_request", me + (("sla_is", BREACHED),)),
        Figure("requests_near_breach", _l("Under 4 hours left"), "customer_request",
               me + (("sla_is", NEAR_BREACH),)),
        Figure("requests_waiting", _l("Awaiting acknowledgement"), "customer_request",
               me + (("status_equals", "new"),)),
        Figure("follow_ups_today", _l("Follow-ups due today"), "lead",
               me + (("next_follow_up_equals", f"{day:%Y-%m-%d}"),)),
        Figure("appointments_today", _l("Appointments and calls today"), "activity",
               me + (("scheduled_at_between", time_range(day, day)), ("done_at_empty", "1"))),
        Figure("new_leads", _l("New leads assigned"), "lead", me + (("status_equals", "assigned"),)),
        Figure("rush_orders", _l("Open rush orders"), "sales_order",
               me + (("rush_equals", "1"), ("status_in_list", OPEN_ORDER))),
        Figure("ready_to_ship", _l("Ready to ship"), "sales_order", me + (("status_equals", "ready_to_ship"),)),
    ]


def approval_figures(day: date) -> list[Figure]:
    return [
        Figure("quotes_to_approve", _l("Quotes awaiting approval"), "quote", (("status_equals", "submitted"),)),
        Figure("absences_to_approve", _l("Absences to approve"), "absence", (("status_equals", "requested"),)),
        Figure("overtime_to_approve", _l("Overtime to approve"), "overtime", (("status_equals", "requested"),)),
        Figure("out_today", _l("Out today"), "absence", (
            ("status_equals", "approved"), ("starts_on_smaller_than", f"{day + timedelta(days=1):%Y-%m-%d}"),
            ("ends_on_greater_than", f"{day - timedelta(days=1):%Y-%m-%d}"))),
    ]


def pipeline_figures() -> list[Figure]:
    return [
        *(Figure(f"quotes_{s.value}", s.label, "quote", (("status_equals", s.value),)) for s in QuoteStatus),
        *(Figure(f"orders_{s.value}", s.label, "sales_order", (("status_equals", s.value),))
          for s in OrderStatus),
    ]


def overdue_figures(day: date) -> list[Figure]:
    """Overdue invoices by days past due: 0–30, 31–60, 61–90, over 90."""
    figures = []
    for low, high in AGE_BUCKETS:
        latest = day - timedelta(days=low)
        label = f"{low}–{high}" if high else f"{low - 1}+"
        due = (("due_on_between", day_range(day - timedelta(days=high), latest)) if high
               else ("due_on_smaller_than", f"{latest + timedelta(days=1):%Y-%m-%d}"))
        figures.append(Figure(f"overdue_{low}", label, "invoice", (("status_equals", "overdue"), due)))
    return figures


def period_figures(first: date, last: date) -> list[Figure]:
    return [
        Figure("quotes_sent_in_period", _l("Quotes sent in the period"), "quote", (("sent_at_between", time_range(first, last)),)),
        Figure("requests_resolved", _l("Requests resolved"), "customer_request", (
            ("status_equals", "resolved"), ("resolved_at_between", time_range(first, last)))),
    ]


def admin_figures() -> list[Figure]:
    return [
        *(Figure(f"users_{r.value}", r.label, "app_user", (("role_equals", r.value), ("active_equals", "1")))
          for r in Role),
        Figure("users_inactive", _l("Inactive users"), "app_user", (("active_equals", "0"),)),
    ]


# --- Aggregates that are tables or charts rather than single counts ---------------------------------

def waiting_requests(mine: bool, limit: int = 10):
    """The oldest requests awaiting acknowledgement (breached ones come first by construction)."""
    query = select(CustomerRequest).where(CustomerRequest.status == RequestStatus.new,
                                          row_scope(CustomerRequest))
    if mine:
        query = query.where(CustomerRequest.owner_id == current_user.id)
    return db.session.scalars(query.order_by(CustomerRequest.received_at).limit(limit)).all()


def out_today(day: date):
    """Approved absences covering today, with who backs each person up."""
    query = select(Absence).where(Absence.status == DecisionStatus.approved, Absence.starts_on <= day,
                                  Absence.ends_on >= day, row_scope(Absence)).order_by(Absence.starts_on)
    return db.session.scalars(query).all()


def targets_by_person(first: date, last: date, metric: Metric, mine: bool = False):
    """(person, metric, target, actual) for the period's personal targets, in the user's scope."""
    return list(person_targets(first, last, metric, mine).values())


def person_targets(first: date, last: date, metric: Metric, mine: bool = False) -> dict:
    """{(user id, metric): (person, metric, target, actual)} for the period's personal targets, in scope.

    A target not rolled up yet (the running month) shows its figure so far, from the same aggregates
    the roll-up uses.
    """
    query = (
        select(User.id, User.name, Target.metric, *_target_sums())
        .join(User, User.id == Target.user_id)
        .where(Target.period_start >= first, Target.period_start <= last, row_scope(Target))
        .group_by(User.id, User.name, Target.metric).order_by(User.name, Target.metric)
    )
    if mine:
        query = query.where(Target.user_id == current_user.id)
    elif metric is not None:
        query = query.where(Target.metric == metric)
    rows = db.session.execute(query).all()
    so_far = _so_far(rows, metric_of=lambda row: row.metric)
    return {(row.id, row.metric): (row.name, row.metric, row.target, _actual(
                row, lambda: so_far[row.metric, row.open_from, row.open_to].by_user.get(row.id)))
            for row in rows}


def targets_by_team(first: date, last: date, metric: Metric):
    """(team, target, actual) of the period's team targets (figures so far where not rolled up)."""
    return list(team_targets(first, last, metric).values())


def team_targets(first: date, last: date, metric: Metric) -> dict:
    """{team id: (team, target, actual)} of the period's team targets, in the user's scope."""
    query = (
        select(Team.id, Team.name, *_target_sums())
        .join(Team, Team.id == Target.team_id)
        .where(Target.period_start >= first, Target.period_start <= last, Target.metric == metric,
               row_scope(Target))
        .group_by(Team.id, Team.name).order_by(Team.name)
    )
    rows = db.session.execute(query).all()
    so_far = _so_far(rows, metric_of=lambda row: metric)
    return {row.id: (row.name, row.target, _actual(
                row, lambda: so_far[metric, row.open_from, row.open_to].by_team.get(row.id)))
            for row in rows}


def beside(current: dict, before: dict) -> list[tuple]:
    """The period's rows, each followed by the same person's or team's row of the period before (or None)."""
    return [(*row, before.get(key)) for key, row in current.items()]


def month_before(first: date) -> tuple[date, date]:
    """The first and last day of the month before the one starting on `first`."""
    return month_bounds(first - timedelta(days=1))


def _target_sums():
    """Target and rolled-up actual sums, and the span of the targets not rolled up yet."""
    open_start = case((Target.actual_value.is_(None), Target.period_start))
    open_end = case((Target.actual_value.is_(None), Target.period_end))
    return (func.sum(Target.target_value).label("target"), func.sum(Target.actual_value).label("rolled"),
            func.min(open_start).label("open_from"), func.max(open_end).label("open_to"))


def _so_far(rows, metric_of) -> dict:
    """One aggregate per metric and open span (the running month, usually), up to today."""
    spans = {(metric_of(row), row.open_from, row.open_to) for row in rows if row.open_from is not None}
    day = today()
    return {(metric, start, end): totals(db.session, metric, start, min(end, day))
            for metric, start, end in spans if start <= day}


def _actual(row, live):
    """The rolled-up actual plus, for targets still open, the figure so far."""
    if row.open_from is None or row.open_from > today():
        return row.rolled
    return (row.rolled or 0) + (live() or 0)


def revenue_by_month(last: date, months: int = 12):
    """(year, month, revenue) of orders placed in the `months` months up to `last` (cancelled left out)."""
    first = (last.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    year, month = extract("year", SalesOrder.ordered_on), extract("month", SalesOrder.ordered_on)
    query = (
        select(year, month, func.sum(SalesOrder.total))
        .where(SalesOrder.ordered_on >= first, SalesOrder.ordered_on <= last,
               SalesOrder.status != OrderStatus.cancelled, row_scope(SalesOrder))
        .group_by(year, month).order_by(year, month)
    )
    return [(int(y), int(m), total or 0) for y, m, total in db.session.execute(query)]


def overdue_amounts(day: date) -> dict[int, object]:
    """Outstanding amount of overdue invoices per age bucket (keyed by its lower bound)."""
    bucket = case(*((Invoice.due_on >= day - timedelta(days=high), low) for low, high in AGE_BUCKETS if high),
                  else_=AGE_BUCKETS[-1][0])
    query = (select(bucket, func.sum(Invoice.amount - Invoice.paid_amount))
             .where(Invoice.status == InvoiceStatus.overdue, row_scope(Invoice)).group_by(bucket))
    return {int(low): amount for low, amount in db.session.execute(query)}


def quotes_on_time(first: date, last: date) -> tuple[int, int]:
    """(sent in the period, of which sent by their due date)."""
    since, until = datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time())
    on_time = and_(Quote.due_on.is_not(None), func.date(Quote.sent_at) <= Quote.due_on)
    query = select(func.count(Quote.id), func.count(Quote.id).filter(on_time)).where(
        Quote.sent_at >= since, Quote.sent_at < until, row_scope(Quote))
    sent, timely = db.session.execute(query).one()
    return sent, timely


def satisfaction(first: date, last: date) -> tuple[int, float | None]:
    """(scored requests resolved in the period, their average satisfaction 1–5)."""
    since, until = datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time())
    query = select(func.count(CustomerRequest.satisfaction_score), func.avg(CustomerRequest.satisfaction_score)) \
        .where(CustomerRequest.status == RequestStatus.resolved, CustomerRequest.resolved_at >= since,
               CustomerRequest.resolved_at < until, row_scope(CustomerRequest))
    scored, average = db.session.execute(query).one()
    return scored, (float(average) if average is not None else None)


def selected_period(day: date) -> tuple[date, date]:
    """The month named by `?period=YYYY-MM`, else the current month."""
    try:
        return month_bounds(datetime.strptime(request.args.get("period", ""), "%Y-%m").date())
    except ValueError:
        return month_bounds(day)


class DashboardView(LoginRequiredMixin, AdminIndexView):
    """Each user's desk."""

    @expose("/")
    def index(self):
        day = today()
        first, last = selected_period(day)
        month = month_bounds(day)
        last_month = month_before(month[0])
        desk = Desk(self.admin)
        role = current_user.role
        context = {"role": role.value, "first": first, "last": last, "now": now(),
                   "before_label": _l("Last month")}
        if role is Role.coordinator:
            context.update(
                figures=desk.count(queue_figures(day, mine=True)),
                waiting=waiting_requests(mine=True),
                targets=beside(person_targets(*month, None, mine=True),
                               person_targets(*last_month, None, mine=True)),
            )
        elif role is Role.supervisor:
            targets = beside(person_targets(*month, Metric.revenue),
                             person_targets(*last_month, Metric.revenue))
            context.update(
                figures=desk.count(queue_figures(day, mine=False) + approval_figures(day)),
                waiting=waiting_requests(mine=False), absent=out_today(day), targets=targets,
                targets_chart=charts.target_bars(_l("Revenue: target and actual"),
                                                 [t[:4] for t in targets]),
            )
        elif role is Role.manager:
            before = month_before(first)
            people = beside(person_targets(first, last, Metric.revenue),
                            person_targets(*before, Metric.revenue))
            teams = beside(team_targets(first, last, Metric.revenue), team_targets(*before, Metric.revenue))
            revenue = revenue_by_month(last)
            figures = desk.count(pipeline_figures() + overdue_figures(day) + period_figures(first, last))
            context.update(
                figures=figures, targets=people, teams=teams,
                before_label=_l("Last month") if before == last_month else _l("Previous month"),
                overdue=overdue_amounts(day), buckets=[f"overdue_{low}" for low, _high in AGE_BUCKETS],
                quotes_on_time=quotes_on_time(first, last), satisfaction=satisfaction(first, last),
                targets_chart=charts.target_bars(_l("Revenue by person: target and actual"),
                                                 [t[:4] for t in people]),
                teams_chart=charts.target_bars(_l("Revenue by team: target and actual"),
                                               [(name, None, t, a) for name, t, a, _before in teams]),
                revenue_chart=charts.revenue_line(_l("Revenue by month"), revenue),
                pipeline_chart=charts.status_bars(_l("Pipeline"), [
                    (figures[f"quotes_{s.value}"].figure.label, figures[f"quotes_{s.value}"].count)
                    for s in QuoteStatus if f"quotes_{s.value}" in figures]),
            )
        else:
            context.update(figures=desk.count(admin_figures()), teams=team_sizes())
        return self.render("admin/dashboard.html", **context)


def team_sizes():
    """(team, active members) for the admin's overview."""
    query = (select(Team.name, func.count(User.id).filter(User.active.is_(True)))
             .outerjoin(User, User.team_id == Team.id).group_by(Team.name).order_by(Team.name))
    return db.session.execute(query).all()
