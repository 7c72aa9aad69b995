"""Every declared action × every role × every state of its model: allowed, or refused with the reason.

Built from `ACTIONS`, so a new action is tested as soon as it is declared. Rows come from the factory of
the action (ROWS) or else of its model (MODEL_ROWS); inputs from INPUTS. Each row is made so that the
guard passes for an allowed role, so the only refusals here are by role and by state.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

import rules  # noqa: F401  (registers every action)
from models import (
    Absence, CommissionStatement, CustomerRequest, Invoice, InvoiceStatus, Lead, OrderStatus, Overtime,
    Quote, ReworkRequest, Role, SalesOrder, Shipment, Target, db,
)
from rules.core import ACTIONS, Action, run_action, today
from tests import factories as make
from tests.unit.support import Crew, audit_events

REASON = {"reason": "As agreed with the customer"}

MODEL_ROWS = {
    Quote: lambda state, crew: make.quote(state, owner=crew.member),
    Lead: lambda state, crew: make.lead(state, owner=crew.member),
    SalesOrder: lambda state, crew: make.order(state, owner=crew.member),
    ReworkRequest: lambda state, crew: make.rework(
        state, order_=make.order(OrderStatus.in_production, owner=crew.member), requested_by=crew.member),
    Shipment: lambda state, crew: make.shipment(
        state, order_=make.order(OrderStatus.confirmed, owner=crew.member)),
    CustomerRequest: lambda state, crew: make.customer_request(state, owner=crew.member),
    Invoice: lambda state, crew: make.invoice(
        state, make.account(crew.member),
        **({} if state is InvoiceStatus.draft else {"issued_on": today() - timedelta(days=40),
                                                    "due_on": today() - timedelta(days=1)})),
    Absence: lambda state, crew: make.absence(crew.member, state),
    Overtime: lambda state, crew: make.overtime(crew.member, state),
    Target: lambda state, crew: make.target(user_id=crew.member.id),
    CommissionStatement: lambda state, crew: make.statement(crew.member, state),
}
ROWS: dict = {}  # per-action factories, for an action whose guard needs a different row than its model's

INPUTS = {
    "reject_quote": lambda crew: REASON,
    "reassign_lead": lambda crew: {"to_user_id": crew.colleague.id, **REASON},
    "mark_lead_lost": lambda crew: REASON,
    "cancel_order": lambda crew: REASON,
    "create_rework_request": lambda crew: {"division": "doors", "kind": "remake",
                                           "description": "Wrong colour"},
    "book_shipment": lambda crew: {"booking_ref": "BK-1001"},
    "mark_dispatched": lambda crew: {"carrier": "DHL", "tracking_number": "JD0001"},
    "escalate_request": lambda crew: REASON,
    "resolve_request": lambda crew: {"root_cause": "Late delivery", "resolution": "Credit note",
                                     "satisfaction_score": 4},
    "record_payment": lambda crew: {"amount": Decimal("250.00"), "method": "bank_transfer"},
    "reject_absence": lambda crew: REASON,
    "reject_overtime": lambda crew: REASON,
}


def states_of(action: Action) -> list:
    """Every state of the action's model (one `None` for a model without states)."""
    if not action.has_state:
        return [None]
    return list(action.model.__mapper__.columns[action.state_attr].type.enum_class)


def needs(roles) -> str:
    """'needs a supervisor or manager', written out independently of the core."""
    names = [role.value for role in Role if role in roles]
    return "needs a " + (names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}")


def expected_refusal(action: Action, role: Role, state) -> str | None:
    """What the declaration says: a role outside `roles`, then a state outside `source`."""
    if role not in action.roles:
        return needs(action.roles)
    if action.source is not None and state not in action.source:
        if state == action.target:
            return f"already {state.value.replace('_', ' ')}"
        allowed = [s.value.replace("_", " ") for s in type(state) if s in action.source]
        allowed = allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} or {allowed[-1]}"
        return f"is {state.value.replace('_', ' ')}, not {allowed}"
    return None


CASES = [
    pytest.param(name, role, state, id=f"{name}-{role.value}-{state.value if state else 'any'}")
    for name, action in ACTIONS.items() for role in Role for state in states_of(action)
]


@pytest.mark.parametrize("name, role, state", CASES)
@pytest.mark.usefixtures("clock")  # rows dated from today() and the guards reading it agree
def test_action_role_state(crew: Crew, name: str, role: Role, state):
    action = ACTIONS[name]
    make_row = ROWS.get(name) or MODEL_ROWS.get(action.model)
    assert make_row, f"add a row factory for {action.model.__name__} (MODEL_ROWS) or {name} (ROWS)"
    row = make_row(state, crew)
    actor = crew.actor(role)
    expected = expected_refusal(action, role, state)

    assert action.refusal(row, actor) == expected

    result = run_action(db.session, action, actor, [str(row.id)], INPUTS.get(name, lambda crew: {})(crew))
    db.session.refresh(row)
    events = audit_events(name, row.__tablename__, row.id)
    if expected is None:
        assert (result.done, result.skipped) == ([row.id], {})
        assert len(events) == 1 and events[0].user_id == actor.id
        if action.target is not None:
            assert getattr(row, action.state_attr) == action.target
            assert events[0].after[action.state_attr] == action.target.value
    else:
        assert (result.done, result.skipped) == ([], {row.id: expected})
        assert events == []
        if state is not None:
            assert getattr(row, action.state_attr) == state


def test_the_matrix_covers_every_action_and_role():
    covered = {(case.values[0], case.values[1]) for case in CASES}
    assert covered == {(name, role) for name in ACTIONS for role in Role}
    assert len(ACTIONS) >= 30
