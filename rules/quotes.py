"""Quote actions: submit, approve within the approval policy, reject, send, accept, convert to an order."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from models import ApprovalPolicy, OrderLine, OrderStatus, Quote, QuoteStatus, Role, SalesOrder
from rules.core import (
    N_, APPROVERS, SALES, Phrase, Refused, money, next_number, now, per_transaction, percent, today, transition,
)
from rules.forms import InputForm, ReasonForm


class ApprovalForm(InputForm):
    """Why the quote is approved; required (per quote) only above the supervisor's limit."""

    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)])


def approval_policies(session) -> dict[Role, ApprovalPolicy]:
    """The approval policy of each role (edited in the panel), read once per transaction."""
    return per_transaction(
        session, "approval_policies",
        lambda: {policy.role: policy for policy in session.scalars(select(ApprovalPolicy))},
    )


def exceeds(quote: Quote, policy: ApprovalPolicy | None) -> bool:
    """Whether the quote's discount or total is beyond the policy (no policy: everything is)."""
    return (policy is None or quote.discount_pct > policy.max_discount_pct
            or quote.total > policy.max_quote_total)


def limit_text(policy: ApprovalPolicy | None) -> str:
    """'15% / 50,000.00'."""
    if policy is None:
        return Phrase(N_("no policy"))
    return Phrase("%(discount)s / %(total)s", discount=percent(policy.max_discount_pct),
                  total=money(policy.max_quote_total))


def has_lines(quote: Quote, user) -> str | None:
    """A quote without lines cannot be submitted."""
    return None if quote.lines else N_("has no lines")


def within_approval_limit(quote: Quote, user) -> str | None:
    """Supervisors approve within their role's policy; managers approve any quote."""
    if user.role is Role.manager:
        return None
    policy = approval_policies(object_session(quote)).get(user.role)
    if exceeds(quote, policy):
        return Phrase(N_("above your approval limit (%(limit)s)"), limit=limit_text(policy))
    return None


def not_converted(quote: Quote, user) -> str | None:
    """A quote becomes at most one order."""
    number = object_session(quote).scalar(select(SalesOrder.number).where(SalesOrder.quote_id == quote.id))
    return Phrase(N_("already converted to %(number)s"), number=number) if number else None


@transition(Quote, source={QuoteStatus.draft}, target=QuoteStatus.submitted, roles=SALES,
            guard=has_lines, label="Submit quote", confirm="Submit the selected quotes for approval?")
def submit_quote(quote, user):
    """Submit a draft quote with lines for approval."""
    quote.submitted_at = now()


@transition(Quote, source={QuoteStatus.submitted}, target=QuoteStatus.approved, roles=APPROVERS,
            guard=within_approval_limit, label="Approve quote", confirm="Approve the selected quotes?",
            form=ApprovalForm)
def approve_quote(quote, user, reason=None):
    """Approve a submitted quote within the approver's limit; above the supervisor's, with a reason."""
    supervisor_policy = approval_policies(object_session(quote)).get(Role.supervisor)
    if exceeds(quote, supervisor_policy) and not reason:
        raise Refused(Phrase(N_("above the supervisor limit (%(limit)s) without a reason"),
                              limit=limit_text(supervisor_policy)))
    quote.approved_by_id = user.id
    quote.approved_at = now()
    quote.approval_reason = reason


@transition(Quote, source={QuoteStatus.submitted}, target=QuoteStatus.rejected, roles=APPROVERS,
            label="Reject quote", confirm="Reject the selected quotes?", form=ReasonForm)
def reject_quote(quote, user, reason):
    """Reject a submitted quote, saying why."""
    quote.rejection_reason = reason


@transition(Quote, source={QuoteStatus.approved}, target=QuoteStatus.sent, roles=SALES,
            label="Mark sent", confirm="Mark the selected quotes as sent to the customer?")
def mark_quote_sent(quote, user):
    """Record that an approved quote went to the customer."""
    quote.sent_at = now()


@transition(Quote, source={QuoteStatus.sent}, target=QuoteStatus.accepted, roles=SALES,
            label="Mark accepted", confirm="Mark the selected quotes as accepted by the customer?")
def mark_quote_accepted(quote, user):
    """Record the customer's acceptance of a sent quote."""
    quote.accepted_at = now()


@transition(Quote, source={QuoteStatus.accepted}, target=None, roles=SALES, guard=not_converted,
            label="Convert to order", confirm="Create a sales order from each selected quote?")
def convert_quote_to_order(quote, user):
    """Create a pending sales order with the accepted quote's account, owner, lines and discount."""
    session = object_session(quote)
    order = SalesOrder(
        number=next_number(session, SalesOrder.number, f"SO-{today():%Y}-"),
        account_id=quote.account_id, owner_id=quote.owner_id, quote_id=quote.id,
        status=OrderStatus.pending, ordered_on=today(), discount_pct=quote.discount_pct,
    )
    session.add(order)
    session.flush()
    session.add_all(
        OrderLine(order_id=order.id, product_id=line.product_id, quantity=line.quantity,
                  unit_price=line.unit_price, discount_pct=line.discount_pct)
        for line in quote.lines
    )
    return {"sales_order": order.number}
