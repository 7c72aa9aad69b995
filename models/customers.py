"""Customers: accounts (end customers and dealers) and their contacts."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import CATEGORY, Choice, Entity, Money, enum_column
from models.people import User
from models.values import EMAIL


class AccountKind(Choice):
    customer = "customer"
    dealer = "dealer"


class AccountStatus(Choice):
    prospect = "prospect"
    active = "active"
    on_hold = "on_hold"
    inactive = "inactive"


class PaymentMethod(Choice):
    bank_transfer = "bank_transfer"
    card = "card"


class Account(Entity):
    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),
    )

    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[AccountKind] = enum_column(AccountKind, index=True, default=AccountKind.customer)
    region: Mapped[str] = mapped_column(String(60), index=True, info=CATEGORY)
    status: Mapped[AccountStatus] = enum_column(AccountStatus, index=True, default=AccountStatus.active)
    email: Mapped[Optional[str]] = mapped_column(String(254), index=True, info=EMAIL)
    phone: Mapped[Optional[str]] = mapped_column(String(40))
    vat_number: Mapped[Optional[str]] = mapped_column(String(40), index=True)
    billing_address: Mapped[Optional[str]] = mapped_column(Text)
    shipping_address: Mapped[Optional[str]] = mapped_column(Text)
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    payment_method: Mapped[PaymentMethod] = enum_column(PaymentMethod, default=PaymentMethod.bank_transfer)
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0")
    product_preferences: Mapped[Optional[str]] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    dealer_onboarding_started_on: Mapped[Optional[date]] = mapped_column(Date)
    dealer_onboarded_on: Mapped[Optional[date]] = mapped_column(Date)

    owner: Mapped[User] = relationship()
    contacts: Mapped[list["Contact"]] = relationship(back_populates="account", viewonly=True)

    def __str__(self) -> str:
        return self.name


class Contact(Entity):
    __tablename__ = "contact"
    __owner__ = "account.owner_id"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    job_title: Mapped[Optional[str]] = mapped_column(String(120))
    email: Mapped[Optional[str]] = mapped_column(String(254), index=True, info=EMAIL)
    phone: Mapped[Optional[str]] = mapped_column(String(40))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    account: Mapped[Account] = relationship(back_populates="contacts")

    def __str__(self) -> str:
        return self.name
