"""Shipment actions: book, dispatch, deliver; the order follows when all its shipments have."""
from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy.orm import object_session
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from models import OrderStatus, SalesOrder, Shipment, ShipmentStatus
from rules.core import SALES, lock, move, now, transition
from rules.forms import InputForm

ON_THE_WAY = {ShipmentStatus.dispatched, ShipmentStatus.delivered}
BEFORE_SHIPPING = {OrderStatus.confirmed, OrderStatus.in_production, OrderStatus.ready_to_ship}


class BookingForm(InputForm):
    """The carrier's booking reference."""

    booking_ref = StringField("Booking reference", validators=[DataRequired(), Length(max=60)])
    carrier = StringField("Carrier", validators=[Optional(), Length(max=80)])


class DispatchForm(InputForm):
    """Who carries the shipment and how to track it."""

    carrier = StringField("Carrier", validators=[DataRequired(), Length(max=80)])
    tracking_number = StringField("Tracking number", validators=[DataRequired(), Length(max=60)])


def none_of_its_shipments(order_id: int, statuses: set) -> object:
    """SQL: no shipment of the order is outside `statuses`."""
    return ~exists().where(Shipment.order_id == order_id, Shipment.status.not_in(statuses))


def follow_shipments(shipment: Shipment, user, action: str) -> None:
    """Move the order to shipped (all dispatched) or delivered (all delivered), conditionally."""
    session = object_session(shipment)
    order = session.get(SalesOrder, shipment.order_id)
    # Lock the order first: two people dispatching its last two shipments at once must not both
    # see the other's shipment as still waiting.
    lock(session, order)
    move(session, order, OrderStatus.shipped, source=BEFORE_SHIPPING, user=user, action=action,
         values={"shipped_at": now()}, where=[none_of_its_shipments(order.id, ON_THE_WAY)])
    move(session, order, OrderStatus.delivered, source={OrderStatus.shipped}, user=user, action=action,
         values={"delivered_at": now()},
         where=[none_of_its_shipments(order.id, {ShipmentStatus.delivered})])


@transition(Shipment, source={ShipmentStatus.planned}, target=ShipmentStatus.booked, roles=SALES,
            label="Book shipment", form=BookingForm, bulk=False)
def book_shipment(shipment, user, booking_ref, carrier=None):
    """Record the carrier's booking of a planned shipment."""
    shipment.booking_ref = booking_ref
    if carrier:
        shipment.carrier = carrier


@transition(Shipment, source={ShipmentStatus.booked}, target=ShipmentStatus.dispatched, roles=SALES,
            label="Mark dispatched", form=DispatchForm, bulk=False)
def mark_dispatched(shipment, user, carrier, tracking_number):
    """Record that a booked shipment left, with its carrier and tracking number."""
    shipment.carrier = carrier
    shipment.tracking_number = tracking_number
    shipment.dispatched_at = now()
    follow_shipments(shipment, user, "mark_dispatched")


@transition(Shipment, source={ShipmentStatus.dispatched}, target=ShipmentStatus.delivered, roles=SALES,
            label="Mark delivered", confirm="Mark the selected shipments as delivered?")
def mark_delivered(shipment, user):
    """Record the delivery of a dispatched shipment."""
    shipment.delivered_at = now()
    follow_shipments(shipment, user, "mark_delivered")
