"""Finance: invoices and the payments received against them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import SET_BY_ACTION, Choice, Entity, Money, enum_column
from models.customers import Account, PaymentMethod
from models.orders import SalesOrder


class InvoiceStatus(Choice):
    draft = "draft"
    issued = "issued"
    paid = "paid"
    overdue = "overdue"
    void = "void"


class Invoice(Entity):
    __tablename__ = "invoice"
    __owner__ = "account.owner_id"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("paid_amount >= 0", name="paid_amount_not_negative"),
        CheckConstraint("due_on IS NULL OR issued_on IS NULL OR due_on >= issued_on", name="due_after_issue"),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    order_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sales_order.id"), index=True)
    status: Mapped[InvoiceStatus] = enum_column(InvoiceStatus, index=True, default=InvoiceStatus.draft, info=SET_BY_ACTION)
    issued_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    due_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0", info=SET_BY_ACTION)
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")

    account: Mapped[Account] = relationship()
    order: Mapped[Optional[SalesOrder]] = relationship()
    payments: Mapped[list["Payment"]] = relationship(back_populates="invoice", viewonly=True)

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> Decimal:
        return (self.amount or 0) - (self.paid_amount or 0)


class Payment(Entity):
    __tablename__ = "payment"
    __owner__ = "invoice.account.owner_id"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[PaymentMethod] = enum_column(PaymentMethod, index=True)
    reference: Mapped[Optional[str]] = mapped_column(String(80), index=True)

    invoice: Mapped[Invoice] = relationship(back_populates="payments")

    def __str__(self) -> str:
        return f"{self.amount} on {self.invoice}"
