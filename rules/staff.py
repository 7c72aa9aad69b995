"""Absence and overtime decisions: by the supervisor of the requester's team, or a manager."""
from __future__ import annotations

from sqlalchemy.orm import object_session

from models import Absence, DecisionStatus, Overtime, Role, Team, User
from rules.core import N_, APPROVERS, now, transition
from rules.forms import ReasonForm

REQUESTED = {DecisionStatus.requested}


def decides_for_requester(request, user) -> str | None:
    """Nobody decides their own request; a supervisor decides only for their own team."""
    if request.user_id == user.id:
        return N_("your own request")
    if user.role is Role.manager:
        return None
    session = object_session(request)
    requester = session.get(User, request.user_id)
    team = session.get(Team, requester.team_id) if requester.team_id else None
    if team is None or team.supervisor_id != user.id:
        return N_("not from your team")
    return None


def decide(request, user, reason: str | None) -> None:
    """Stamp who decided, when and why."""
    request.decided_by_id = user.id
    request.decided_at = now()
    request.decision_reason = reason


@transition(Absence, source=REQUESTED, target=DecisionStatus.approved, roles=APPROVERS,
            guard=decides_for_requester, label="Approve absence", confirm="Approve the selected absences?")
def approve_absence(absence, user):
    """Approve a requested absence."""
    decide(absence, user, None)


@transition(Absence, source=REQUESTED, target=DecisionStatus.rejected, roles=APPROVERS,
            guard=decides_for_requester, label="Reject absence", confirm="Reject the selected absences?",
            form=ReasonForm)
def reject_absence(absence, user, reason):
    """Reject a requested absence, saying why."""
    decide(absence, user, reason)


@transition(Overtime, source=REQUESTED, target=DecisionStatus.approved, roles=APPROVERS,
            guard=decides_for_requester, label="Approve overtime", confirm="Approve the selected overtime?")
def approve_overtime(overtime, user):
    """Approve requested overtime."""
    decide(overtime, user, None)


@transition(Overtime, source=REQUESTED, target=DecisionStatus.rejected, roles=APPROVERS,
            guard=decides_for_requester, label="Reject overtime", confirm="Reject the selected overtime?",
            form=ReasonForm)
def reject_overtime(overtime, user, reason):
    """Reject requested overtime, saying why."""
    decide(overtime, user, reason)
