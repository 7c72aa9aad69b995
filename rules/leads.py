"""Lead actions: reassign, mark contacted, qualify, mark lost, convert to an account and contact."""
from __future__ import annotations

from sqlalchemy import case, literal
from sqlalchemy.orm import object_session
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length

from models import Account, AccountKind, AccountStatus, Contact, Lead, LeadStatus, Role, User
from rules.core import N_, APPROVERS, SALES, Assignments, Phrase, Refused, now, transition
from rules.forms import InputForm, ReasonForm

OPEN = {LeadStatus.new, LeadStatus.assigned, LeadStatus.contacted, LeadStatus.qualified}


class ReassignForm(InputForm):
    """To whom the leads go, and why."""

    to_user_id = IntegerField("To", validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])


def assignee_refusal(assignee: User | None, user) -> str | None:
    """Leads go to an active member of the sales team; a supervisor's, to someone in their team."""
    if assignee is None:
        return N_("no such user")
    if not assignee.active:
        return Phrase(N_("%(user)s is not active"), user=str(assignee))
    if assignee.role not in SALES:
        return Phrase(N_("%(user)s does not work leads"), user=str(assignee))
    if user.role is Role.supervisor and assignee.team_id != user.team_id:
        return Phrase(N_("%(user)s is not in your team"), user=str(assignee))
    return None


def has_region(lead: Lead, user) -> str | None:
    """The account made from a lead needs a region."""
    return None if lead.region else N_("has no region")


def usable_assignee(session, user, to_user_id) -> User:
    """The user leads are reassigned to; Refused when they may not take them from this user."""
    assignee = session.get(User, to_user_id)
    refusal = assignee_refusal(assignee, user)
    if refusal:
        raise Refused(refusal)
    return assignee


def reassignment(session, user, to_user_id, reason=None) -> Assignments:
    """`reassign_lead` as SQL, for reassigning thousands of leads in one statement."""
    assignee = usable_assignee(session, user, to_user_id)
    assigned = literal(LeadStatus.assigned, Lead.status.type)
    return Assignments(
        values={"owner_id": assignee.id, "assigned_at": now(),
                "status": case((Lead.status == LeadStatus.new, assigned), else_=Lead.status)},
        refuse={Phrase(N_("already with %(user)s"), user=str(assignee)): Lead.owner_id == assignee.id},
    )


@transition(Lead, source=OPEN, target=None, roles=APPROVERS, label="Reassign lead",
            confirm="Reassign the selected leads?", form=ReassignForm, assigns=reassignment)
def reassign_lead(lead, user, to_user_id, reason):
    """Give an open lead to another active user of the acting user's team."""
    assignee = usable_assignee(object_session(lead), user, to_user_id)
    if lead.owner_id == assignee.id:
        raise Refused(Phrase(N_("already with %(user)s"), user=str(assignee)))
    lead.owner_id = assignee.id
    lead.assigned_at = now()
    if lead.status is LeadStatus.new:
        lead.status = LeadStatus.assigned


@transition(Lead, source={LeadStatus.new, LeadStatus.assigned}, target=LeadStatus.contacted,
            roles=SALES, label="Mark contacted", confirm="Mark the selected leads as contacted?")
def mark_lead_contacted(lead, user):
    """Record the first contact with a lead."""


@transition(Lead, source={LeadStatus.assigned, LeadStatus.contacted}, target=LeadStatus.qualified,
            roles=SALES, label="Qualify lead", confirm="Mark the selected leads as qualified?")
def qualify_lead(lead, user):
    """Mark a lead worth pursuing."""


@transition(Lead, source=OPEN, target=LeadStatus.lost, roles=SALES, label="Mark lost",
            confirm="Mark the selected leads as lost?", form=ReasonForm,
            assigns=lambda session, user, reason: Assignments({"lost_reason": reason}))
def mark_lead_lost(lead, user, reason):
    """Close an open lead as lost, saying why."""
    lead.lost_reason = reason


@transition(Lead, source={LeadStatus.qualified}, target=LeadStatus.converted, roles=SALES,
            guard=has_region, label="Convert lead",
            confirm="Create an account and contact from each selected lead?")
def convert_lead(lead, user):
    """Create a prospect account (and its contact) from a qualified lead and link them to it."""
    session = object_session(lead)
    account = Account(
        name=lead.company, kind=AccountKind.customer, status=AccountStatus.prospect, region=lead.region,
        email=lead.contact_email, phone=lead.contact_phone, owner_id=lead.owner_id or user.id,
    )
    session.add(account)
    session.flush()
    lead.account_id = account.id
    if lead.contact_name:
        contact = Contact(account_id=account.id, name=lead.contact_name, email=lead.contact_email,
                          phone=lead.contact_phone, is_primary=True)
        session.add(contact)
        session.flush()
        lead.contact_id = contact.id
