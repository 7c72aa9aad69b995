"""The 24-hour acknowledgement SLA at its boundaries, with a frozen clock: state, SQL filter, list badge."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from admin.queues import BREACHED, NEAR_BREACH, ON_TIME, sla_clause, sla_state
from models import CustomerRequest, RequestStatus, Role, db


@pytest.fixture
def request_received(user_of, clock):
    """A new request of coordinator@ received `age` before the frozen now."""

    def make(age: timedelta, status=RequestStatus.new) -> CustomerRequest:
        owner = user_of("coordinator@example.com")
        account = db.session.scalar(select(CustomerRequest.account_id).where(CustomerRequest.owner_id == owner.id).limit(1))
        request = CustomerRequest(subject=f"SLA probe {age}", kind="inquiry", priority="normal", status=status,
                                  account_id=account, owner_id=owner.id, received_at=clock - age)
        db.session.add(request)
        db.session.flush()
        return request

    return make


CASES = [
    (timedelta(hours=19, minutes=59), ON_TIME),
    (timedelta(hours=23, minutes=59), NEAR_BREACH),
    (timedelta(hours=24), BREACHED),
    (timedelta(hours=24, minutes=1), BREACHED),
]


@pytest.mark.parametrize("age, state", CASES)
def test_state_at_the_boundaries(clock, request_received, age, state):
    request = request_received(age)
    assert sla_state(request.received_at, request.status, clock) == state
    matching = {s for s in (BREACHED, NEAR_BREACH, ON_TIME)
                if db.session.scalar(select(CustomerRequest.id).where(CustomerRequest.id == request.id,
                                                                       sla_clause(s, clock)))}
    assert matching == {state}  # the SQL agrees with the Python, and exactly one state holds


def test_exactly_four_hours_left_is_still_on_time(clock, request_received):
    request = request_received(timedelta(hours=20))
    assert sla_state(request.received_at, request.status, clock) == ON_TIME


def test_acknowledged_requests_are_off_the_clock(clock, request_received):
    request = request_received(timedelta(hours=30), status=RequestStatus.acknowledged)
    assert sla_state(request.received_at, request.status, clock) is None
    assert db.session.scalar(select(CustomerRequest.id).where(CustomerRequest.id == request.id,
                                                              sla_clause(BREACHED, clock))) is None


def test_list_filter_and_badge(clock, request_received, login_as):
    late = request_received(timedelta(hours=24, minutes=1))
    close = request_received(timedelta(hours=23, minutes=59))
    client = login_as(Role.coordinator)
    html = client.get("/admin/customer_request/?flt0_sla_is=breached&page_size=100").get_data(as_text=True)
    assert f"SLA probe {timedelta(hours=24, minutes=1)}" in html
    assert f"SLA probe {timedelta(hours=23, minutes=59)}" not in html
    assert 'data-sla="breached"' in html and 'data-sla="near_breach"' not in html
    html = client.get("/admin/customer_request/?flt0_sla_is=near_breach&page_size=100").get_data(as_text=True)
    assert f"SLA probe {timedelta(hours=23, minutes=59)}" in html and 'data-sla="near_breach"' in html
    assert late.id != close.id


def test_escalation_is_one_click_from_the_desk(clock, request_received, login_as):
    late = request_received(timedelta(hours=25))
    html = login_as(Role.coordinator).get("/admin/").get_data(as_text=True)
    row = html[html.index(f'data-request="{late.id}"'):]
    row = row[:row.index("</tr>")]
    assert 'value="escalate_request"' in row and 'data-sla="breached"' in row
