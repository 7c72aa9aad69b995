"""Customer request actions: acknowledge (24-hour SLA), escalate to the team's supervisor, resolve."""
from __future__ import annotations

from sqlalchemy.orm import object_session
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import CustomerRequest, RequestStatus, Team, User
from rules.core import N_, SALES, now, transition
from rules.forms import InputForm, ReasonForm


class ResolutionForm(InputForm):
    """What caused the request and how it was resolved."""

    root_cause = TextAreaField("Root cause", validators=[DataRequired(), Length(max=4000)])
    resolution = TextAreaField("Resolution", validators=[DataRequired(), Length(max=4000)])
    satisfaction_score = IntegerField("Satisfaction (1–5)", validators=[Optional(), NumberRange(1, 5)])


def escalation_target(request: CustomerRequest) -> User | None:
    """The supervisor of the owner's team."""
    session = object_session(request)
    owner = session.get(User, request.owner_id)
    team = session.get(Team, owner.team_id) if owner.team_id else None
    return session.get(User, team.supervisor_id) if team and team.supervisor_id else None


def has_supervisor(request: CustomerRequest, user) -> str | None:
    """Escalation needs someone to escalate to."""
    supervisor = escalation_target(request)
    if supervisor is None:
        return N_("the owner's team has no supervisor")
    if supervisor.id == request.owner_id:
        return N_("the owner is the team's supervisor")
    return None


@transition(CustomerRequest, source={RequestStatus.new}, target=RequestStatus.acknowledged, roles=SALES,
            label="Acknowledge", confirm="Acknowledge the selected requests?")
def acknowledge_request(request, user):
    """Acknowledge a new request (the 24-hour SLA stops here)."""
    request.acknowledged_at = now()


@transition(CustomerRequest, source={RequestStatus.new, RequestStatus.acknowledged},
            target=RequestStatus.escalated, roles=SALES, guard=has_supervisor, label="Escalate",
            confirm="Escalate the selected requests to the team's supervisor?", form=ReasonForm)
def escalate_request(request, user, reason):
    """Hand a request to the supervisor of its owner's team, saying why."""
    request.escalated_to_id = escalation_target(request).id
    if request.acknowledged_at is None:
        request.acknowledged_at = now()


@transition(CustomerRequest, source={RequestStatus.acknowledged, RequestStatus.escalated},
            target=RequestStatus.resolved, roles=SALES, label="Resolve", form=ResolutionForm, bulk=False)
def resolve_request(request, user, root_cause, resolution, satisfaction_score=None):
    """Close a request with its root cause, resolution and (if known) the customer's satisfaction."""
    request.root_cause = root_cause
    request.resolution = resolution
    request.satisfaction_score = satisfaction_score
    request.resolved_at = now()
