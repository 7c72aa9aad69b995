"""Leads, orders, shipments, requests and staff decisions: the effects and guards beyond state and role."""
from __future__ import annotations

import pytest

from models import (
    Account, Contact, DecisionStatus, Division, LeadStatus, OrderStatus, RequestStatus, ReworkKind,
    ReworkRequest, Role, ShipmentStatus, db,
)
from rules.core import ACTIONS, ActionInputError, run_action
from tests import factories as make
from tests.unit.support import audit_events

REASON = "Workload balancing"


def reassign(actor, leads, to_user):
    """Reassign leads to a user."""
    return run_action(db.session, ACTIONS["reassign_lead"], actor, [lead.id for lead in leads],
                      {"to_user_id": to_user.id, "reason": REASON})


def test_reassign_in_bulk_assigns_new_leads(crew, clock):
    new, contacted = make.lead(owner=crew.member), make.lead(LeadStatus.contacted, owner=crew.member)
    result = reassign(crew.supervisor, [new, contacted], crew.colleague)
    assert result.summary() == "2 done"
    for lead in (new, contacted):
        db.session.refresh(lead)
        assert (lead.owner_id, lead.assigned_at) == (crew.colleague.id, clock)
    assert (new.status, contacted.status) == (LeadStatus.assigned, LeadStatus.contacted)
    [event] = audit_events("reassign_lead", "lead", new.id)
    assert event.before["owner_id"] == crew.member.id and event.after["owner_id"] == crew.colleague.id
    assert event.after["status"] == "assigned" and event.reason == REASON


def test_a_supervisor_reassigns_only_within_the_team(crew):
    lead = make.lead(owner=crew.member)
    outsider = make.user(Role.coordinator, make.team())
    assert reassign(crew.supervisor, [lead], outsider).skipped == {lead.id: f"{outsider} is not in your team"}
    assert reassign(crew.manager, [lead], outsider).done == [lead.id]


def test_reassign_only_to_active_sales_users(crew):
    lead = make.lead(owner=crew.member)
    crew.colleague.active = False
    assert reassign(crew.supervisor, [lead], crew.colleague).skipped == \
        {lead.id: f"{crew.colleague} is not active"}
    admin_in_team = make.user(Role.admin, crew.team)
    assert reassign(crew.supervisor, [lead], admin_in_team).skipped == \
        {lead.id: f"{admin_in_team} does not work leads"}
    assert reassign(crew.supervisor, [lead], crew.member).skipped == {lead.id: f"already with {crew.member}"}


def test_convert_lead_creates_account_and_contact(crew):
    lead = make.lead(LeadStatus.qualified, owner=crew.member, company="Birch & Co", region="South",
                     contact_name="Eva Nowak", contact_email="eva@birch.test")
    assert run_action(db.session, ACTIONS["convert_lead"], crew.member, [lead.id]).done == [lead.id]
    db.session.refresh(lead)
    account = db.session.get(Account, lead.account_id)
    contact = db.session.get(Contact, lead.contact_id)
    assert (account.name, account.region, account.owner_id) == ("Birch & Co", "South", crew.member.id)
    assert (contact.name, contact.email, contact.account_id) == ("Eva Nowak", "eva@birch.test", account.id)
    assert lead.status is LeadStatus.converted


def test_a_lead_without_region_cannot_become_an_account(crew):
    lead = make.lead(LeadStatus.qualified, owner=crew.member, region=None)
    assert run_action(db.session, ACTIONS["convert_lead"], crew.member, [lead.id]).skipped == \
        {lead.id: "has no region"}


def test_mark_lost_keeps_the_reason(crew):
    lead = make.lead(LeadStatus.contacted, owner=crew.member)
    run_action(db.session, ACTIONS["mark_lead_lost"], crew.member, [lead.id],
               {"reason": "Chose a competitor"})
    db.session.refresh(lead)
    assert (lead.status, lead.lost_reason) == (LeadStatus.lost, "Chose a competitor")


def test_flag_rush_once(crew):
    order = make.order(OrderStatus.confirmed, owner=crew.member)
    assert run_action(db.session, ACTIONS["flag_rush"], crew.member, [order.id]).done == [order.id]
    db.session.refresh(order)
    assert order.is_rush and order.status is OrderStatus.confirmed
    assert run_action(db.session, ACTIONS["flag_rush"], crew.member, [order.id]).skipped == \
        {order.id: "already rush"}


def test_cancel_order_keeps_the_reason(crew):
    order = make.order(owner=crew.member)
    run_action(db.session, ACTIONS["cancel_order"], crew.member, [order.id], {"reason": "Duplicate"})
    db.session.refresh(order)
    assert (order.status, order.cancel_reason) == (OrderStatus.cancelled, "Duplicate")


def test_rework_request_from_an_order_then_done(crew, clock):
    order = make.order(OrderStatus.delivered, owner=crew.member)
    result = run_action(db.session, ACTIONS["create_rework_request"], crew.member, [order.id],
                        {"division": "worktops", "kind": "remake", "description": "Cracked worktop"})
    [event] = audit_events("create_rework_request", "sales_order", order.id)
    rework = db.session.get(ReworkRequest, event.after["rework_request_id"])
    assert result.done == [order.id]
    assert (rework.order_id, rework.division, rework.kind, rework.requested_by_id) == \
        (order.id, Division.worktops, ReworkKind.remake, crew.member.id)
    run_action(db.session, ACTIONS["mark_rework_done"], crew.member, [rework.id])
    db.session.refresh(rework)
    assert rework.done_at == clock


def test_order_is_shipped_when_all_its_shipments_are_dispatched(crew, clock):
    order = make.order(OrderStatus.ready_to_ship, owner=crew.member)
    first, second = (make.shipment(ShipmentStatus.booked, order) for _ in range(2))
    dispatch = {"carrier": "DHL", "tracking_number": "JD014600"}

    run_action(db.session, ACTIONS["mark_dispatched"], crew.member, [first.id], dispatch)
    db.session.refresh(order)
    assert order.status is OrderStatus.ready_to_ship  # one shipment still waits

    run_action(db.session, ACTIONS["mark_dispatched"], crew.member, [second.id], dispatch)
    db.session.refresh(order)
    db.session.refresh(second)
    assert (order.status, order.shipped_at) == (OrderStatus.shipped, clock)
    assert (second.carrier, second.tracking_number, second.dispatched_at) == ("DHL", "JD014600", clock)
    [event] = audit_events("mark_dispatched", "sales_order", order.id)
    assert event.before["status"] == "ready_to_ship" and event.after["status"] == "shipped"

    run_action(db.session, ACTIONS["mark_delivered"], crew.member, [first.id])
    db.session.refresh(order)
    assert order.status is OrderStatus.shipped
    run_action(db.session, ACTIONS["mark_delivered"], crew.member, [second.id])
    db.session.refresh(order)
    assert (order.status, order.delivered_at) == (OrderStatus.delivered, clock)


def test_dispatch_needs_carrier_and_tracking_number(crew):
    shipment = make.shipment(ShipmentStatus.booked)
    with pytest.raises(ActionInputError) as raised:
        run_action(db.session, ACTIONS["mark_dispatched"], crew.member, [shipment.id], {"carrier": "DHL"})
    assert set(raised.value.errors) == {"tracking_number"}


def test_escalate_to_the_supervisor_of_the_owners_team(crew, clock):
    request = make.customer_request(owner=crew.member)
    run_action(db.session, ACTIONS["escalate_request"], crew.member, [request.id], {"reason": "Angry dealer"})
    db.session.refresh(request)
    assert (request.status, request.escalated_to_id, request.acknowledged_at) == \
        (RequestStatus.escalated, crew.supervisor.id, clock)
    assert audit_events("escalate_request", "customer_request", request.id)[0].reason == "Angry dealer"


def test_no_escalation_without_a_supervisor(crew):
    lonely = make.user(Role.coordinator, make.team())
    request = make.customer_request(owner=lonely)
    result = run_action(db.session, ACTIONS["escalate_request"], lonely, [request.id], {"reason": "Help"})
    assert result.skipped == {request.id: "the owner's team has no supervisor"}


def test_resolve_with_root_cause_resolution_and_score(crew, clock):
    request = make.customer_request(RequestStatus.acknowledged, owner=crew.member)
    inputs = {"root_cause": "Wrong hinge", "resolution": "Sent new hinges", "satisfaction_score": "5"}
    run_action(db.session, ACTIONS["resolve_request"], crew.member, [request.id], inputs)
    db.session.refresh(request)
    assert (request.root_cause, request.resolution, request.satisfaction_score, request.resolved_at) == \
        ("Wrong hinge", "Sent new hinges", 5, clock)


def test_satisfaction_score_is_one_to_five(crew):
    request = make.customer_request(RequestStatus.acknowledged, owner=crew.member)
    with pytest.raises(ActionInputError) as raised:
        run_action(db.session, ACTIONS["resolve_request"], crew.member, [request.id],
                   {"root_cause": "x", "resolution": "y", "satisfaction_score": 6})
    assert set(raised.value.errors) == {"satisfaction_score"}


def test_supervisors_decide_for_their_team_only_and_never_for_themselves(crew, clock):
    mine = make.absence(crew.member)
    other_team = make.absence(make.user(Role.coordinator, make.team()))
    own = make.absence(crew.supervisor)
    result = run_action(db.session, ACTIONS["approve_absence"], crew.supervisor,
                        [mine.id, other_team.id, own.id])
    assert result.done == [mine.id]
    assert result.skipped == {other_team.id: "not from your team", own.id: "your own request"}
    db.session.refresh(mine)
    assert (mine.status, mine.decided_by_id, mine.decided_at) == (DecisionStatus.approved, crew.supervisor.id,
                                                                  clock)
    manager = run_action(db.session, ACTIONS["approve_absence"], crew.manager, [other_team.id, own.id])
    assert manager.done == [other_team.id, own.id]


def test_reject_overtime_with_a_reason(crew):
    overtime = make.overtime(crew.member)
    run_action(db.session, ACTIONS["reject_overtime"], crew.supervisor, [overtime.id],
               {"reason": "Not agreed"})
    db.session.refresh(overtime)
    assert (overtime.status, overtime.decision_reason) == (DecisionStatus.rejected, "Not agreed")
