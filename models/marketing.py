"""Marketing: campaigns and notes on the market (competition, product acceptance, trends)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import CATEGORY, SET_BY_ACTION, Choice, Entity, Money, enum_column
from models.people import User


class CampaignKind(Choice):
    mail = "mail"
    email = "email"
    newsletter = "newsletter"
    promotional_event = "promotional_event"


class CampaignStatus(Choice):
    planned = "planned"
    running = "running"
    completed = "completed"


class MarketNoteKind(Choice):
    competition = "competition"
    product_acceptance = "product_acceptance"
    trend = "trend"


class Campaign(Entity):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    name: Mapped[str] = mapped_column(String(150), index=True)
    kind: Mapped[CampaignKind] = enum_column(CampaignKind, index=True)
    status: Mapped[CampaignStatus] = enum_column(CampaignStatus, index=True, default=CampaignStatus.planned)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[Optional[date]] = mapped_column(Date)
    budget: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0")
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    description: Mapped[Optional[str]] = mapped_column(Text)

    owner: Mapped[User] = relationship()

    def __str__(self) -> str:
        return self.name


class MarketNote(Entity):
    __tablename__ = "market_note"

    kind: Mapped[MarketNoteKind] = enum_column(MarketNoteKind, index=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    body: Mapped[str] = mapped_column(Text)
    region: Mapped[Optional[str]] = mapped_column(String(60), index=True, info=CATEGORY)
    noted_on: Mapped[date] = mapped_column(Date, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True, info=SET_BY_ACTION)
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("account.id"), index=True)
    product_id: Mapped[Optional[int]] = mapped_column(ForeignKey("product.id"), index=True)

    author: Mapped[User] = relationship()
    account: Mapped[Optional["Account"]] = relationship()
    product: Mapped[Optional["Product"]] = relationship()

    def __str__(self) -> str:
        return self.title
