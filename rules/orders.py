"""Sales order actions (confirm, produce, ready, cancel, archive, rush) and rework requests."""
from __future__ import annotations

from sqlalchemy.orm import object_session
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from models import Division, OrderStatus, ReworkKind, ReworkRequest, ReworkStatus, SalesOrder
from rules.core import N_, SALES, now, transition
from rules.forms import InputForm, ReasonForm, choices_of

OPEN = {OrderStatus.pending, OrderStatus.confirmed, OrderStatus.in_production, OrderStatus.ready_to_ship}
MADE = {OrderStatus.confirmed, OrderStatus.in_production, OrderStatus.ready_to_ship,
        OrderStatus.shipped, OrderStatus.delivered}


class ReworkForm(InputForm):
    """Which division reworks or remakes what."""

    division = SelectField("Division", choices=choices_of(Division),
                           validators=[DataRequired()])
    kind = SelectField("Kind", choices=choices_of(ReworkKind), validators=[DataRequired()])
    description = TextAreaField("Description", validators=[DataRequired(), Length(max=4000)])
    due_on = DateField("Due on", validators=[Optional()])


def not_rush(order: SalesOrder, user) -> str | None:
    """Flagging rush twice changes nothing."""
    return N_("already rush") if order.is_rush else None


@transition(SalesOrder, source={OrderStatus.pending}, target=OrderStatus.confirmed, roles=SALES,
            label="Confirm order", confirm="Confirm the selected orders?")
def confirm_order(order, user):
    """Confirm a pending order."""
    order.confirmed_at = now()


@transition(SalesOrder, source={OrderStatus.confirmed}, target=OrderStatus.in_production, roles=SALES,
            label="Start production", confirm="Mark the selected orders as in production?")
def start_production(order, user):
    """Record that production started on a confirmed order."""


@transition(SalesOrder, source={OrderStatus.confirmed, OrderStatus.in_production},
            target=OrderStatus.ready_to_ship, roles=SALES, label="Mark ready to ship",
            confirm="Mark the selected orders as ready to ship?")
def mark_ready_to_ship(order, user):
    """Record that an order is made and can be shipped."""


@transition(SalesOrder, source={OrderStatus.pending, OrderStatus.confirmed, OrderStatus.in_production},
            target=OrderStatus.cancelled, roles=SALES, label="Cancel order",
            confirm="Cancel the selected orders?", form=ReasonForm)
def cancel_order(order, user, reason):
    """Cancel an order that has not gone past production, saying why."""
    order.cancel_reason = reason


@transition(SalesOrder, source={OrderStatus.delivered, OrderStatus.cancelled}, target=OrderStatus.archived,
            roles=SALES, label="Archive order", confirm="Archive the selected orders?")
def archive_order(order, user):
    """Archive a delivered or cancelled order."""


@transition(SalesOrder, source=OPEN, target=None, roles=SALES, guard=not_rush, label="Flag rush",
            confirm="Flag the selected orders as rush?")
def flag_rush(order, user):
    """Mark an open order as a rush order."""
    order.is_rush = True


@transition(SalesOrder, source=MADE, target=None, roles=SALES, label="Request rework",
            form=ReworkForm, bulk=False)
def create_rework_request(order, user, division, kind, description, due_on=None):
    """Ask a production division to rework or remake part of an order."""
    rework = ReworkRequest(order_id=order.id, division=Division(division), kind=ReworkKind(kind),
                           description=description, due_on=due_on, requested_by_id=user.id)
    session = object_session(order)
    session.add(rework)
    session.flush()
    return {"rework_request_id": rework.id}


@transition(ReworkRequest, source={ReworkStatus.open}, target=ReworkStatus.in_progress, roles=SALES,
            label="Start rework", confirm="Mark the selected rework requests as in progress?")
def start_rework(rework, user):
    """Record that the division started on a rework request."""


@transition(ReworkRequest, source={ReworkStatus.open, ReworkStatus.in_progress}, target=ReworkStatus.done,
            roles=SALES, label="Mark rework done", confirm="Mark the selected rework requests as done?")
def mark_rework_done(rework, user):
    """Close a rework request as done."""
    rework.done_at = now()
