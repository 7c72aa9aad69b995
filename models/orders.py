"""Quotes and orders: products, quotes and their lines, sales orders, shipments and rework."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, false, true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from decimal import ROUND_HALF_UP

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from models import COMPUTED, SET_BY_ACTION, Choice, Entity, Money, Percent, enum_column
from models.customers import Account, Contact
from models.people import User


class Division(Choice):
    cabinets = "cabinets"
    worktops = "worktops"
    doors = "doors"
    hardware = "hardware"


class QuoteStatus(Choice):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    sent = "sent"
    accepted = "accepted"
    expired = "expired"


class OrderStatus(Choice):
    pending = "pending"
    confirmed = "confirmed"
    in_production = "in_production"
    ready_to_ship = "ready_to_ship"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    archived = "archived"


class DrawingStatus(Choice):
    not_required = "not_required"
    awaiting = "awaiting"
    sent_for_approval = "sent_for_approval"
    approved = "approved"
    changes_requested = "changes_requested"


class ShipmentStatus(Choice):
    planned = "planned"
    booked = "booked"
    dispatched = "dispatched"
    delivered = "delivered"


class ReworkKind(Choice):
    rework = "rework"
    remake = "remake"


class ReworkStatus(Choice):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


def _line_checks() -> tuple:
    return (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("discount_pct >= 0 AND discount_pct <= 100", name="discount_pct_range"),
    )


class Product(Entity):
    __tablename__ = "product"
    __table_args__ = (CheckConstraint("list_price >= 0", name="list_price_not_negative"),)

    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    division: Mapped[Division] = enum_column(Division, index=True)
    list_price: Mapped[Decimal] = mapped_column(Money)
    unit: Mapped[str] = mapped_column(String(12), default="pcs", server_default="pcs")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), index=True)

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Quote(Entity):
    __tablename__ = "quote"
    __table_args__ = (
        CheckConstraint("discount_pct >= 0 AND discount_pct <= 100", name="discount_pct_range"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        # The list filtered by status, newest first (and its count): one index range, no sort.
        Index("ix_quote_status_id", "status", "id"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contact.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    status: Mapped[QuoteStatus] = enum_column(QuoteStatus, default=QuoteStatus.draft, info=SET_BY_ACTION)
    is_rfp: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    discount_pct: Mapped[Decimal] = mapped_column(Percent, default=0, server_default="0")
    total: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0", info=COMPUTED)
    valid_until: Mapped[Optional[date]] = mapped_column(Date, index=True)
    due_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True, info=SET_BY_ACTION)
    approved_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)
    approval_reason: Mapped[Optional[str]] = mapped_column(Text, info=SET_BY_ACTION)
    rejection_reason: Mapped[Optional[str]] = mapped_column(Text, info=SET_BY_ACTION)
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True, info=SET_BY_ACTION)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    account: Mapped[Account] = relationship()
    contact: Mapped[Optional[Contact]] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    approved_by: Mapped[Optional[User]] = relationship(foreign_keys=[approved_by_id])
    lines: Mapped[list["QuoteLine"]] = relationship(back_populates="quote", viewonly=True)

    def __str__(self) -> str:
        return self.number


class QuoteLine(Entity):
    __tablename__ = "quote_line"
    __owner__ = "quote.owner_id"
    __table_args__ = _line_checks()

    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    discount_pct: Mapped[Decimal] = mapped_column(Percent, default=0, server_default="0")

    quote: Mapped[Quote] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"


class SalesOrder(Entity):
    __tablename__ = "sales_order"
    __table_args__ = (
        CheckConstraint("discount_pct >= 0 AND discount_pct <= 100", name="discount_pct_range"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        # The list filtered by status, newest first (and its count): one index range, no sort.
        Index("ix_sales_order_status_id", "status", "id"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    quote_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quote.id"), index=True, info=SET_BY_ACTION)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    status: Mapped[OrderStatus] = enum_column(OrderStatus, default=OrderStatus.pending, info=SET_BY_ACTION)
    is_rush: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True, info=SET_BY_ACTION)
    customer_po: Mapped[Optional[str]] = mapped_column(String(60), index=True)
    ordered_on: Mapped[date] = mapped_column(Date, index=True)
    requested_ship_date: Mapped[Optional[date]] = mapped_column(Date, index=True)
    promised_ship_date: Mapped[Optional[date]] = mapped_column(Date, index=True)
    drawing_status: Mapped[DrawingStatus] = enum_column(
        DrawingStatus, index=True, default=DrawingStatus.not_required
    )
    discount_pct: Mapped[Decimal] = mapped_column(Percent, default=0, server_default="0")
    total: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0", info=COMPUTED)
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)
    shipped_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)
    cancel_reason: Mapped[Optional[str]] = mapped_column(Text, info=SET_BY_ACTION)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    account: Mapped[Account] = relationship()
    quote: Mapped[Optional[Quote]] = relationship()
    owner: Mapped[User] = relationship()
    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order", viewonly=True)
    shipments: Mapped[list["Shipment"]] = relationship(back_populates="order", viewonly=True)

    def __str__(self) -> str:
        return self.number


class OrderLine(Entity):
    __tablename__ = "order_line"
    __owner__ = "order.owner_id"
    __table_args__ = _line_checks()

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    discount_pct: Mapped[Decimal] = mapped_column(Percent, default=0, server_default="0")

    order: Mapped[SalesOrder] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"


class Shipment(Entity):
    __tablename__ = "shipment"
    __owner__ = "order.owner_id"

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    status: Mapped[ShipmentStatus] = enum_column(ShipmentStatus, index=True, default=ShipmentStatus.planned, info=SET_BY_ACTION)
    is_export: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    carrier: Mapped[Optional[str]] = mapped_column(String(80), index=True)
    booking_ref: Mapped[Optional[str]] = mapped_column(String(60), index=True, info=SET_BY_ACTION)
    tracking_number: Mapped[Optional[str]] = mapped_column(String(60), index=True, info=SET_BY_ACTION)
    destination: Mapped[str] = mapped_column(String(200))
    destination_country: Mapped[str] = mapped_column(String(2), index=True)
    planned_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    dispatched_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True, info=SET_BY_ACTION)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)

    order: Mapped[SalesOrder] = relationship(back_populates="shipments")

    def __str__(self) -> str:
        return f"{self.order} → {self.destination}"


class ReworkRequest(Entity):
    __tablename__ = "rework_request"
    __owner__ = "order.owner_id"

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    division: Mapped[Division] = enum_column(Division, index=True)
    kind: Mapped[ReworkKind] = enum_column(ReworkKind, index=True, default=ReworkKind.rework)
    status: Mapped[ReworkStatus] = enum_column(ReworkStatus, index=True, default=ReworkStatus.open, info=SET_BY_ACTION)
    description: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True, info=SET_BY_ACTION)
    due_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    done_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)

    order: Mapped[SalesOrder] = relationship()
    requested_by: Mapped[User] = relationship()

    def __str__(self) -> str:
        return f"{self.kind.label} for {self.order}"


HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def line_net(line) -> Decimal:
    """A line's value after its own discount, unrounded."""
    return Decimal(line.quantity or 0) * (line.unit_price or 0) * (HUNDRED - (line.discount_pct or 0)) / HUNDRED


def document_total(lines, discount_pct) -> Decimal:
    """Sum of the lines after their discounts, then after the document's discount, in cents."""
    subtotal = sum((line_net(line) for line in lines), Decimal(0))
    return (subtotal * (HUNDRED - (discount_pct or 0)) / HUNDRED).quantize(CENT, ROUND_HALF_UP)


# document model → (line model, the line's foreign key to it)
DOCUMENT_LINES = {Quote: (QuoteLine, "quote_id"), SalesOrder: (OrderLine, "order_id")}


@event.listens_for(Session, "before_flush")
def _keep_document_totals(session: Session, flush_context, instances) -> None:
    """Recompute the total of every quote or order whose lines or discount change, whoever changes them."""
    touched = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if type(obj) in DOCUMENT_LINES:
            touched.add(obj)
        for document, (line_class, key) in DOCUMENT_LINES.items():
            if isinstance(obj, line_class):
                parent = getattr(obj, key.removesuffix("_id"))
                if parent is None and getattr(obj, key) is not None:
                    parent = session.get(document, getattr(obj, key))
                if parent is not None:
                    touched.add(parent)
    for document in touched:
        if document in session.deleted:
            continue
        line_class, key = DOCUMENT_LINES[type(document)]
        with session.no_autoflush:
            stored = session.scalars(select(line_class).where(getattr(line_class, key) == document.id)).all() \
                if document.id is not None else []
        relation = key.removesuffix("_id")
        pending = [o for o in session.new if isinstance(o, line_class) and (
            getattr(o, relation) is document or (document.id is not None and getattr(o, key) == document.id))]
        lines = [line for line in stored if line not in session.deleted and getattr(line, key) == document.id]
        total = document_total(lines + pending, document.discount_pct)
        if document.total != total:
            document.total = total
