"""Quotes and orders: products, quotes and their lines, sales orders, shipments and rework."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, false, true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import Choice, Entity, Money, Percent, enum_column
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
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contact.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    status: Mapped[QuoteStatus] = enum_column(QuoteStatus, index=True, default=QuoteStatus.draft)
    is_rfp: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    discount_pct: Mapped[Decimal] = mapped_column(Percent, default=0, server_default="0")
    total: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0")
    valid_until: Mapped[Optional[date]] = mapped_column(Date, index=True)
    due_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True)
    approved_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    approval_reason: Mapped[Optional[str]] = mapped_column(Text)
    rejection_reason: Mapped[Optional[str]] = mapped_column(Text)
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
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
    __table_args__ = (CheckConstraint("total >= 0", name="total_not_negative"),)

    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    quote_id: Mapped[Optional[int]] = mapped_column(ForeignKey("quote.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    status: Mapped[OrderStatus] = enum_column(OrderStatus, index=True, default=OrderStatus.pending)
    is_rush: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    customer_po: Mapped[Optional[str]] = mapped_column(String(60), index=True)
    ordered_on: Mapped[date] = mapped_column(Date, index=True)
    requested_ship_date: Mapped[Optional[date]] = mapped_column(Date, index=True)
    promised_ship_date: Mapped[Optional[date]] = mapped_column(Date, index=True)
    drawing_status: Mapped[DrawingStatus] = enum_column(
        DrawingStatus, index=True, default=DrawingStatus.not_required
    )
    total: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0")
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    shipped_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    cancel_reason: Mapped[Optional[str]] = mapped_column(Text)
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

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    status: Mapped[ShipmentStatus] = enum_column(ShipmentStatus, index=True, default=ShipmentStatus.planned)
    is_export: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)
    carrier: Mapped[Optional[str]] = mapped_column(String(80), index=True)
    booking_ref: Mapped[Optional[str]] = mapped_column(String(60), index=True)
    tracking_number: Mapped[Optional[str]] = mapped_column(String(60), index=True)
    destination: Mapped[str] = mapped_column(String(200))
    destination_country: Mapped[str] = mapped_column(String(2), index=True)
    planned_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    dispatched_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True)
    delivered_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    order: Mapped[SalesOrder] = relationship(back_populates="shipments")

    def __str__(self) -> str:
        return f"{self.order} → {self.destination}"


class ReworkRequest(Entity):
    __tablename__ = "rework_request"

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    division: Mapped[Division] = enum_column(Division, index=True)
    kind: Mapped[ReworkKind] = enum_column(ReworkKind, index=True, default=ReworkKind.rework)
    status: Mapped[ReworkStatus] = enum_column(ReworkStatus, index=True, default=ReworkStatus.open)
    description: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    due_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    done_at: Mapped[Optional[datetime]] = mapped_column(DateTime)

    order: Mapped[SalesOrder] = relationship()
    requested_by: Mapped[User] = relationship()

    def __str__(self) -> str:
        return f"{self.kind.label} for {self.order}"
