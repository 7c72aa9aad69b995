"""Targets: the roll-up equals an independent computation over the records; commissions follow from it."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import (
    Activity, ActivityKind, Lead, Metric, OrderStatus, Quote, QuoteStatus, Role, SalesOrder, StatementStatus,
    Target, User, db,
)
from rules.core import ACTIONS, run_action
from rules.targets import compute_commission_statements, roll_up_targets
from tests import factories as make
from tests.unit.support import audit_events


def seeded_period() -> tuple:
    """The most recent month of the demo targets that has ended (the demo seeds six months)."""
    periods = db.session.execute(
        select(Target.period_start, Target.period_end).where(Target.rolled_up_at.is_not(None))
        .distinct().order_by(Target.period_start.desc())
    ).all()
    assert periods, "the demo data has no rolled-up target periods"
    return tuple(periods[0])


def independent_actual(target: Target) -> Decimal:
    """The target's actual, by plain Python over every source row (no SQL aggregation)."""
    start, end = target.period_start, target.period_end
    team_of = {user.id: user.team_id for user in db.session.scalars(select(User))}

    def counts(owner_id) -> bool:
        if target.user_id is not None:
            return owner_id == target.user_id
        if target.team_id is not None:
            return owner_id is not None and team_of.get(owner_id) == target.team_id
        return True

    def within(moment) -> bool:
        return moment is not None and start <= moment.date() <= end

    metric = target.metric
    if metric in (Metric.revenue, Metric.orders):
        orders = [o for o in db.session.scalars(select(SalesOrder))
                  if start <= o.ordered_on <= end and o.status is not OrderStatus.cancelled
                  and counts(o.owner_id)]
        if metric is Metric.orders:
            return Decimal(len(orders))
        return sum((o.total for o in orders), Decimal(0))
    if metric is Metric.new_leads:
        rows = [lead for lead in db.session.scalars(select(Lead)) if within(lead.created_at)]
    elif metric is Metric.customer_contacts:
        rows = [a for a in db.session.scalars(select(Activity))
                if within(a.done_at) and a.account_id is not None]
    elif metric is Metric.prospecting_calls:
        rows = [a for a in db.session.scalars(select(Activity))
                if within(a.done_at) and a.kind is ActivityKind.call and a.is_prospecting]
    else:
        rows = [q for q in db.session.scalars(select(Quote))
                if within(q.sent_at) and q.due_on is not None and q.sent_at.date() <= q.due_on]
    return Decimal(sum(1 for row in rows if counts(row.owner_id)))


def add_records_in(period, crew) -> None:
    """A few records of our own inside the period, so every metric has something to count."""
    start, end = period
    noon = datetime.combine(start, datetime.min.time()) + timedelta(hours=12)
    make.order(owner=crew.member, ordered_on=start, total=Decimal("700.00"))
    make.order(owner=crew.colleague, ordered_on=end, total=Decimal("300.00"))
    make.order(OrderStatus.cancelled, owner=crew.member, ordered_on=start, total=Decimal("999.00"))
    make.order(owner=crew.member, ordered_on=end + timedelta(days=1), total=Decimal("888.00"))
    make.lead(owner=crew.member, created_at=noon)
    make.activity(crew.member, ActivityKind.call, is_prospecting=True, done_at=noon)
    make.activity(crew.member, ActivityKind.meeting, done_at=noon)
    make.quote(QuoteStatus.sent, owner=crew.member, sent_at=noon, due_on=start + timedelta(days=1))
    make.quote(QuoteStatus.sent, owner=crew.member, sent_at=noon + timedelta(days=3), due_on=start)
    for metric in Metric:
        make.target(metric, period, user_id=crew.member.id)
        make.target(metric, period, team_id=crew.team.id)
        make.target(metric, period)


def test_roll_up_equals_an_independent_computation_and_is_idempotent(crew, clock):
    period = seeded_period()
    add_records_in(period, crew)
    db.session.commit()

    count = roll_up_targets(db.session, *period, user=crew.manager)

    targets = db.session.scalars(select(Target).where(Target.period_start >= period[0],
                                                      Target.period_end <= period[1])).all()
    assert count == len(targets) > 3 * len(Metric)
    first = {}
    for target in targets:
        assert target.actual_value == independent_actual(target), \
            (target.metric, target.user_id, target.team_id)
        assert target.rolled_up_at == clock
        first[target.id] = target.actual_value
    mine = {t.metric: t.actual_value for t in targets if t.user_id == crew.member.id}
    assert mine[Metric.revenue] == Decimal("700.00") and mine[Metric.orders] == 1
    assert mine[Metric.quotes_on_time] == 1 and mine[Metric.prospecting_calls] == 1
    team = {t.metric: t.actual_value for t in targets if t.team_id == crew.team.id}
    assert team[Metric.revenue] == Decimal("1000.00")

    assert roll_up_targets(db.session, *period, user=crew.manager) == count
    assert {t.id: t.actual_value for t in db.session.scalars(select(Target).where(
        Target.id.in_(first)))} == first
    events = audit_events("roll_up_targets", "target")
    assert len(events) == 2 and events[-1].after["targets"] == count


def test_roll_up_is_all_or_nothing(crew, monkeypatch):
    period = seeded_period()
    make.order(owner=crew.member, ordered_on=period[0], total=Decimal("450.00"))
    for metric in Metric:
        make.target(metric, period, user_id=crew.member.id)
    db.session.commit()
    in_period = select(Target).where(Target.period_start >= period[0], Target.period_end <= period[1])
    before = {t.id: (t.actual_value, t.rolled_up_at) for t in db.session.scalars(in_period)}

    import rules.targets

    calls, original = [], rules.targets.totals

    def fail_second(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("aggregate failed")
        return original(*args)

    monkeypatch.setattr(rules.targets, "totals", fail_second)
    with pytest.raises(RuntimeError):
        roll_up_targets(db.session, *period)
    db.session.expire_all()
    assert {t.id: (t.actual_value, t.rolled_up_at) for t in db.session.scalars(in_period)} == before
    assert len(calls) == 2  # the first metric's targets were set in the session before the failure


def test_roll_up_target_action_is_for_managers(crew, clock):
    period = seeded_period()
    make.order(owner=crew.member, ordered_on=period[0], total=Decimal("450.00"))
    target = make.target(Metric.revenue, period, user_id=crew.member.id)
    refused = run_action(db.session, ACTIONS["roll_up_target"], crew.supervisor, [target.id])
    assert refused.skipped == {target.id: "needs a manager"}
    done = run_action(db.session, ACTIONS["roll_up_target"], crew.manager, [target.id])
    assert done.done == [target.id]
    db.session.refresh(target)
    assert (target.actual_value, target.rolled_up_at) == (Decimal("450.00"), clock)


def test_commission_statements_from_rolled_up_revenue(crew, clock):
    start, end = make.month_of(clock.date() - timedelta(days=400))  # before any demo target
    plan = make.commission_plan(rate_pct=Decimal("10.00"), threshold_pct=Decimal("80.00"),
                                cap=Decimal("150.00"), valid_from=start)
    hit = make.user(Role.coordinator, crew.team)
    capped = make.user(Role.coordinator, crew.team)
    missed = make.user(Role.coordinator, crew.team)
    for owner, total in ((hit, "900.00"), (capped, "5000.00"), (missed, "700.00")):
        make.order(owner=owner, ordered_on=start, total=Decimal(total))
        make.target(Metric.revenue, (start, end), user_id=owner.id, target_value=Decimal("1000.00"))
    roll_up_targets(db.session, start, end)

    statements = compute_commission_statements(db.session, start, end, user=crew.manager)
    mine = {(s.user_id, s.plan_id): s for s in statements}
    assert (mine[hit.id, plan.id].attainment_pct, mine[hit.id, plan.id].amount) == \
        (Decimal("90.00"), Decimal("90.00"))
    assert (mine[capped.id, plan.id].attainment_pct, mine[capped.id, plan.id].amount) == \
        (Decimal("500.00"), Decimal("150.00"))
    assert (mine[missed.id, plan.id].attainment_pct, mine[missed.id, plan.id].amount) == \
        (Decimal("70.00"), Decimal("0.00"))
    assert {s.status for s in statements} == {StatementStatus.draft}

    approved = mine[hit.id, plan.id]
    run_action(db.session, ACTIONS["approve_commission_statement"], crew.manager, [approved.id])
    again = compute_commission_statements(db.session, start, end, user=crew.manager)
    assert approved.id not in {s.id for s in again}  # approved statements are final
    # the drafts are updated, not duplicated
    assert {s.id for s in again} == {s.id for s in statements} - {approved.id}
    db.session.refresh(approved)
    assert (approved.status, approved.approved_by_id, approved.approved_at) == \
        (StatementStatus.approved, crew.manager.id, clock)


def test_nobody_approves_their_own_commission(crew):
    own = make.statement(crew.manager)
    result = run_action(db.session, ACTIONS["approve_commission_statement"], crew.manager, [own.id])
    assert result.skipped == {own.id: "your own statement"}
