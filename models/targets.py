"""Targets and pay: targets against actuals, commission plans and statements."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Numeric, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import COMPUTED, SET_BY_ACTION, Choice, Entity, Money, Percent, enum_column
from models.people import Team, User


class Metric(Choice):
    revenue = "revenue"
    orders = "orders"
    new_leads = "new_leads"
    customer_contacts = "customer_contacts"
    prospecting_calls = "prospecting_calls"
    quotes_on_time = "quotes_on_time"


class StatementStatus(Choice):
    draft = "draft"
    approved = "approved"
    paid = "paid"


class Target(Entity):
    """A target for a user, a team, or (neither set) the whole company, over one period."""

    __tablename__ = "target"
    __team__ = "team_id"
    __table_args__ = (
        CheckConstraint("user_id IS NULL OR team_id IS NULL", name="user_or_team"),
        CheckConstraint("period_end >= period_start", name="period_order"),
        CheckConstraint("target_value >= 0", name="target_not_negative"),
    )

    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True)
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team.id"), index=True)
    metric: Mapped[Metric] = enum_column(Metric, index=True)
    period_start: Mapped[date] = mapped_column(Date, index=True)
    period_end: Mapped[date] = mapped_column(Date)
    target_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    actual_value: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2), info=COMPUTED)
    rolled_up_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=COMPUTED)

    user: Mapped[Optional[User]] = relationship()
    team: Mapped[Optional[Team]] = relationship()

    def __str__(self) -> str:
        who = self.user or self.team or "Company"
        return f"{who} · {self.metric.label} · {self.period_start:%Y-%m}"


class CommissionPlan(Entity):
    __tablename__ = "commission_plan"
    __table_args__ = (
        CheckConstraint("rate_pct >= 0 AND rate_pct <= 100", name="rate_pct_range"),
        CheckConstraint("threshold_pct >= 0", name="threshold_not_negative"),
        CheckConstraint("cap IS NULL OR cap >= 0", name="cap_not_negative"),
    )

    name: Mapped[str] = mapped_column(String(120), unique=True)
    metric: Mapped[Metric] = enum_column(Metric, default=Metric.revenue)
    rate_pct: Mapped[Decimal] = mapped_column(Percent)
    threshold_pct: Mapped[Decimal] = mapped_column(Percent, default=0, server_default="0")
    cap: Mapped[Optional[Decimal]] = mapped_column(Money)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[Optional[date]] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), index=True)

    def __str__(self) -> str:
        return self.name


class CommissionStatement(Entity):
    __tablename__ = "commission_statement"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("period_end >= period_start", name="period_order"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("commission_plan.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date, index=True)
    period_end: Mapped[date] = mapped_column(Date)
    attainment_pct: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=0, server_default="0", info=COMPUTED)
    amount: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0", info=COMPUTED)
    status: Mapped[StatementStatus] = enum_column(StatementStatus, index=True, default=StatementStatus.draft, info=SET_BY_ACTION)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True, info=SET_BY_ACTION)
    approved_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    plan: Mapped[CommissionPlan] = relationship()
    approved_by: Mapped[Optional[User]] = relationship(foreign_keys=[approved_by_id])

    def __str__(self) -> str:
        return f"{self.user} · {self.period_start:%Y-%m}"
