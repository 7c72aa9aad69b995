"""Targets and pay: roll actuals up from the source records; compute and approve commission statements.

Actuals are SQL aggregates grouped by the record's owner; a user target takes its owner's figure, a
team target the sum over the team's members (their current team), a company target the grand total.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session

from models import (
    Activity, ActivityKind, CommissionPlan, CommissionStatement, Lead, Metric, OrderStatus, Quote,
    SalesOrder, StatementStatus, Target, User,
)
from rules.core import N_, MANAGERS, now, record_event, transition

CENT = Decimal("0.01")
MAX_ATTAINMENT = Decimal("99999.99")  # what attainment_pct (Numeric(7, 2)) can hold


def metric_query(metric: Metric, start: date, end: date):
    """SQL rows (owner_id, owner's team_id, value) of one metric over a period, grouped by owner."""
    since, until = datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())
    orders = [SalesOrder.ordered_on.between(start, end), SalesOrder.status != OrderStatus.cancelled]
    done = [Activity.done_at >= since, Activity.done_at < until]
    owner, value, criteria = {
        Metric.revenue: (SalesOrder.owner_id, func.sum(SalesOrder.total), orders),
        Metric.orders: (SalesOrder.owner_id, func.count(SalesOrder.id), orders),
        Metric.new_leads: (Lead.owner_id, func.count(Lead.id),
                           [Lead.created_at >= since, Lead.created_at < until]),
        Metric.customer_contacts: (Activity.owner_id, func.count(Activity.id),
                                   [*done, Activity.account_id.is_not(None)]),
        Metric.prospecting_calls: (Activity.owner_id, func.count(Activity.id),
                                   [*done, Activity.kind == ActivityKind.call,
                                    Activity.is_prospecting.is_(True)]),
        Metric.quotes_on_time: (Quote.owner_id, func.count(Quote.id),
                                [Quote.sent_at >= since, Quote.sent_at < until, Quote.due_on.is_not(None),
                                 func.date(Quote.sent_at) <= Quote.due_on]),
    }[metric]
    return (
        select(owner, User.team_id, value)
        .select_from(owner.class_)
        .outerjoin(User, User.id == owner)
        .where(*criteria)
        .group_by(owner, User.team_id)
    )


@dataclass
class Totals:
    """One metric over one period: per user, per team, and for the company."""

    by_user: dict[int, Decimal] = field(default_factory=dict)
    by_team: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    company: Decimal = Decimal(0)

    def for_target(self, target: Target) -> Decimal:
        """The figure a target is measured against."""
        if target.user_id is not None:
            return self.by_user.get(target.user_id, Decimal(0))
        if target.team_id is not None:
            return self.by_team.get(target.team_id, Decimal(0))
        return self.company


def totals(session: Session, metric: Metric, start: date, end: date) -> Totals:
    """Run the metric's aggregate once and add its per-owner rows up to team and company totals."""
    result = Totals()
    for owner_id, team_id, value in session.execute(metric_query(metric, start, end)):
        value = Decimal(value or 0)
        if owner_id is not None:
            result.by_user[owner_id] = value
        if team_id is not None:
            result.by_team[team_id] += value
        result.company += value
    return result


def roll_up(session: Session, targets: list[Target]) -> None:
    """Set each target's actual value from one aggregate per (metric, period); stamp rolled_up_at."""
    cache: dict[tuple, Totals] = {}
    stamp = now()
    for target in targets:
        key = (target.metric, target.period_start, target.period_end)
        if key not in cache:
            cache[key] = totals(session, *key)
        target.actual_value = cache[key].for_target(target).quantize(CENT)
        target.rolled_up_at = stamp


def month_bounds(day: date) -> tuple[date, date]:
    """The first and last day of the day's month."""
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def roll_up_targets(session: Session, period_start: date, period_end: date, user=None) -> int:
    """Roll up every target whose period lies within the given one; all or nothing; returns the count."""
    try:
        targets = session.scalars(
            select(Target).where(Target.period_start >= period_start, Target.period_end <= period_end)
        ).all()
        roll_up(session, targets)
        record_event(session, user=user, action="roll_up_targets", entity=Target.__tablename__,
                     after={"period_start": period_start, "period_end": period_end, "targets": len(targets)})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(targets)


@transition(Target, roles=MANAGERS, label="Roll up", confirm="Recompute the actuals of the selected targets?")
def roll_up_target(target, user):
    """Recompute one target's actual value over its period."""
    roll_up(object_session(target), [target])


def commission(plan: CommissionPlan, target: Target) -> tuple[Decimal, Decimal]:
    """Attainment % and amount: the plan's rate of the actual once the threshold is reached, capped."""
    actual = target.actual_value or Decimal(0)
    attainment = actual * 100 / target.target_value if target.target_value else Decimal(0)
    attainment = min(attainment, MAX_ATTAINMENT)
    amount = actual * plan.rate_pct / 100 if attainment >= plan.threshold_pct else Decimal(0)
    if plan.cap is not None:
        amount = min(amount, plan.cap)
    return attainment.quantize(CENT), amount.quantize(CENT)


def compute_commission_statements(session: Session, period_start: date, period_end: date,
                                  user=None) -> list[CommissionStatement]:
    """Create or update the draft statements of a period from active plans and rolled-up user targets."""
    try:
        plans = session.scalars(select(CommissionPlan).where(
            CommissionPlan.active.is_(True), CommissionPlan.valid_from <= period_end,
            or_(CommissionPlan.valid_to.is_(None), CommissionPlan.valid_to >= period_start),
        )).all()
        existing = {(s.user_id, s.plan_id): s for s in session.scalars(select(CommissionStatement).where(
            CommissionStatement.period_start == period_start, CommissionStatement.period_end == period_end,
        ))}
        targets = session.scalars(select(Target).where(
            Target.user_id.is_not(None), Target.rolled_up_at.is_not(None),
            Target.period_start == period_start, Target.period_end == period_end,
        )).all()
        statements = []
        for plan in plans:
            for target in (t for t in targets if t.metric == plan.metric):
                statement = existing.get((target.user_id, plan.id))
                if statement is None:
                    statement = CommissionStatement(user_id=target.user_id, plan_id=plan.id,
                                                    period_start=period_start, period_end=period_end,
                                                    status=StatementStatus.draft)
                    session.add(statement)
                elif statement.status is not StatementStatus.draft:
                    continue  # approved or paid statements are final
                statement.attainment_pct, statement.amount = commission(plan, target)
                statements.append(statement)
        record_event(session, user=user, action="compute_commission_statements",
                     entity=CommissionStatement.__tablename__,
                     after={"period_start": period_start, "period_end": period_end,
                            "statements": len(statements)})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return statements


def not_own_statement(statement: CommissionStatement, user) -> str | None:
    """Nobody approves their own commission."""
    return N_("your own statement") if statement.user_id == user.id else None


@transition(CommissionStatement, source={StatementStatus.draft}, target=StatementStatus.approved,
            roles=MANAGERS, guard=not_own_statement, label="Approve statement",
            confirm="Approve the selected commission statements?")
def approve_commission_statement(statement, user):
    """Approve a draft commission statement."""
    statement.approved_by_id = user.id
    statement.approved_at = now()
