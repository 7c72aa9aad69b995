"""A bulk action commits all or nothing: a fault midway leaves every row and the audit trail as they were."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from models import OrderStatus, QuoteStatus, db
from rules.core import ACTIONS, run_action
from tests import factories as make
from tests.unit.support import audit_count


def fail_on_third_row(monkeypatch, action, fault):
    """Make the action's function run normally on two rows, then `fault(row)` on the third."""
    original, calls = action.func, []

    def faulty(row, user, **inputs):
        calls.append(row.id)
        if len(calls) == 3:
            fault(row)
            db.session.flush()
        return original(row, user, **inputs)

    monkeypatch.setattr(action, "func", faulty)
    return calls


def violate_a_check_constraint(quote):
    """A database error: a discount above 100% breaks the CHECK constraint."""
    quote.discount_pct = Decimal("150")


def crash(quote):
    """A plain bug in Python code."""
    raise RuntimeError("bug on the third row")


@pytest.mark.parametrize("fault, error", [(violate_a_check_constraint, IntegrityError),
                                          (crash, RuntimeError)])
def test_fault_midway_changes_nothing(crew, monkeypatch, fault, error):
    quotes = [make.quote(QuoteStatus.submitted, owner=crew.member) for _ in range(5)]
    db.session.commit()
    versions = {quote.id: quote.version for quote in quotes}
    events_before = audit_count()
    calls = fail_on_third_row(monkeypatch, ACTIONS["approve_quote"], fault)

    with pytest.raises(error):
        run_action(db.session, ACTIONS["approve_quote"], crew.supervisor, [q.id for q in quotes])

    assert len(calls) == 3  # two rows really were changed before the fault
    for quote in quotes:
        db.session.refresh(quote)
        assert quote.status is QuoteStatus.submitted
        assert quote.approved_by_id is None and quote.version == versions[quote.id]
    assert audit_count() == events_before


def test_fault_in_a_follow_on_change_undoes_the_batch(crew, monkeypatch):
    """Created records (orders from quotes) go too."""
    from sqlalchemy import func, select

    from models import SalesOrder

    quotes = [make.quote(QuoteStatus.accepted, owner=crew.member) for _ in range(4)]
    db.session.commit()
    orders_before = db.session.scalar(select(func.count()).select_from(SalesOrder))
    fail_on_third_row(monkeypatch, ACTIONS["convert_quote_to_order"], crash)
    with pytest.raises(RuntimeError):
        run_action(db.session, ACTIONS["convert_quote_to_order"], crew.member, [q.id for q in quotes])
    assert db.session.scalar(select(func.count()).select_from(SalesOrder)) == orders_before


def test_without_a_fault_the_same_batch_commits(crew):
    orders = [make.order(OrderStatus.delivered, owner=crew.member) for _ in range(5)]
    db.session.commit()
    events_before = audit_count()
    result = run_action(db.session, ACTIONS["archive_order"], crew.member, [o.id for o in orders])
    assert result.summary() == "5 archived"
    db.session.rollback()  # nothing pending: the batch was committed by run_action
    assert {db.session.get(type(o), o.id).status for o in orders} == {OrderStatus.archived}
    assert audit_count() == events_before + 5
