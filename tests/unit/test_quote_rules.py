"""Quotes: approval within the policy of the approver's role, reasons above it, conversion to an order."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import OrderLine, OrderStatus, QuoteStatus, Role, SalesOrder, db
from rules.core import ACTIONS, run_action
from tests import factories as make
from tests.unit.support import audit_events

LIMIT = "(15% / 50,000.00)"  # the crew fixture's supervisor policy


def submitted(crew, discount_pct="0", total="1000.00"):
    """A submitted quote of the crew's member."""
    return make.quote(QuoteStatus.submitted, owner=crew.member, discount_pct=Decimal(discount_pct),
                      total=Decimal(total))


def test_supervisor_approves_within_the_limit_and_not_above(crew):
    within = submitted(crew, "15", "50000.00")  # the limit itself is within
    too_much_discount = submitted(crew, "15.5")
    too_large = submitted(crew, "0", "50000.01")
    result = run_action(db.session, ACTIONS["approve_quote"], crew.supervisor,
                        [within.id, too_much_discount.id, too_large.id])
    assert result.done == [within.id]
    assert result.skipped == {too_much_discount.id: f"above your approval limit {LIMIT}",
                              too_large.id: f"above your approval limit {LIMIT}"}
    assert result.summary() == f"1 approved, 2 skipped: 2 above your approval limit {LIMIT}"
    for quote in (within, too_much_discount, too_large):
        db.session.refresh(quote)
    assert within.status is QuoteStatus.approved and within.approved_by_id == crew.supervisor.id
    assert too_much_discount.status is too_large.status is QuoteStatus.submitted
    assert within.approval_reason is None


def test_the_limit_is_data_edited_in_the_panel(crew):
    quote = submitted(crew, "20")
    assert ACTIONS["approve_quote"].refusal(quote, crew.supervisor) == f"above your approval limit {LIMIT}"
    make.policy(Role.supervisor, 25, 50000)
    db.session.commit()  # a new transaction reads the policy again
    assert ACTIONS["approve_quote"].refusal(quote, crew.supervisor) is None


def test_manager_approves_above_the_supervisor_limit_only_with_a_reason(crew):
    quotes = [submitted(crew, "30"), submitted(crew, "0", "80000.00"), submitted(crew, "5")]
    ids = [quote.id for quote in quotes]
    action = ACTIONS["approve_quote"]

    without = run_action(db.session, action, crew.manager, ids, {"reason": ""})
    assert without.done == [ids[2]]  # within the supervisor's limit: no reason needed
    assert without.skipped == {i: f"above the supervisor limit {LIMIT} without a reason" for i in ids[:2]}
    assert quotes[0].status is QuoteStatus.submitted  # the refused row is not left changed in memory

    with_reason = run_action(db.session, action, crew.manager, ids, {"reason": "Strategic dealer"})
    assert with_reason.done == ids[:2]
    assert with_reason.skipped == {ids[2]: "already approved"}
    for quote in quotes[:2]:
        db.session.refresh(quote)
        assert quote.status is QuoteStatus.approved
        assert quote.approval_reason == "Strategic dealer"
        assert quote.approved_by_id == crew.manager.id


def test_one_audit_event_per_approved_row(crew):
    quotes = [submitted(crew) for _ in range(3)] + [submitted(crew, "40")]
    result = run_action(db.session, ACTIONS["approve_quote"], crew.supervisor, [q.id for q in quotes])
    assert len(result.done) == 3
    for quote in quotes[:3]:
        [event] = audit_events("approve_quote", "quote", quote.id)
        assert event.before["status"] == "submitted" and event.after["status"] == "approved"
    assert audit_events("approve_quote", "quote", quotes[3].id) == []


def test_a_quote_without_lines_cannot_be_submitted(crew):
    empty = make.quote(owner=crew.member, lines=0)
    full = make.quote(owner=crew.member)
    result = run_action(db.session, ACTIONS["submit_quote"], crew.member, [empty.id, full.id])
    assert result.done == [full.id]
    assert result.skipped == {empty.id: "has no lines"}


def test_submit_then_send_then_accept_stamps_each_step(crew, clock):
    quote = make.quote(owner=crew.member)
    run_action(db.session, ACTIONS["submit_quote"], crew.member, [quote.id])
    run_action(db.session, ACTIONS["approve_quote"], crew.supervisor, [quote.id])
    run_action(db.session, ACTIONS["mark_quote_sent"], crew.member, [quote.id])
    run_action(db.session, ACTIONS["mark_quote_accepted"], crew.member, [quote.id])
    db.session.refresh(quote)
    assert quote.status is QuoteStatus.accepted
    assert quote.submitted_at == quote.approved_at == quote.sent_at == quote.accepted_at == clock


def test_reject_needs_and_keeps_the_reason(crew):
    quote = submitted(crew)
    run_action(db.session, ACTIONS["reject_quote"], crew.supervisor, [quote.id], {"reason": "Margin too low"})
    db.session.refresh(quote)
    assert (quote.status, quote.rejection_reason) == (QuoteStatus.rejected, "Margin too low")
    assert audit_events("reject_quote", "quote", quote.id)[0].reason == "Margin too low"


def test_convert_an_accepted_quote_to_an_order_once(crew, clock):
    quote = make.quote(QuoteStatus.accepted, owner=crew.member, lines=2, total=Decimal("1234.50"))
    action = ACTIONS["convert_quote_to_order"]
    first = run_action(db.session, action, crew.member, [quote.id])
    assert first.done == [quote.id]
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.quote_id == quote.id))
    assert order.number.startswith(f"SO-{clock:%Y}-") and len(order.number) == len("SO-2025-00001")
    assert (order.account_id, order.owner_id, order.total, order.status) == \
        (quote.account_id, quote.owner_id, Decimal("1234.50"), OrderStatus.pending)
    lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert sorted((l.product_id, l.quantity, l.unit_price) for l in lines) == \
        sorted((l.product_id, l.quantity, l.unit_price) for l in quote.lines)
    assert audit_events("convert_quote_to_order", "quote", quote.id)[0].after["sales_order"] == order.number

    second = run_action(db.session, action, crew.member, [quote.id])
    assert second.skipped == {quote.id: f"already converted to {order.number}"}


def test_order_numbers_follow_the_last_of_the_year(crew, clock):
    prefix = f"SO-{clock:%Y}-"
    taken = db.session.scalars(select(SalesOrder.number).where(SalesOrder.number.like(f"{prefix}%"))).all()
    last = max((int(n[-5:]) for n in taken), default=0) + 40  # a gap: numbers follow the last, not the count
    make.order(number=f"{prefix}{last:05d}", owner=crew.member)
    quote = make.quote(QuoteStatus.accepted, owner=crew.member)
    run_action(db.session, ACTIONS["convert_quote_to_order"], crew.member, [quote.id])
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.quote_id == quote.id))
    assert order.number == f"{prefix}{last + 1:05d}"


@pytest.mark.parametrize("role", [Role.coordinator, Role.admin])
def test_only_approvers_approve(crew, role):
    quote = submitted(crew)
    result = run_action(db.session, ACTIONS["approve_quote"], crew.actor(role), [quote.id])
    assert result.skipped == {quote.id: "needs a supervisor or manager"}
