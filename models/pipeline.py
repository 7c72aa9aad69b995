"""Pipeline: leads and the team's diary of activities."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import CATEGORY, SET_BY_ACTION, Choice, Entity, enum_column, utcnow
from models.customers import Account, Contact
from models.marketing import Campaign
from models.people import User
from models.values import EMAIL


class LeadStatus(Choice):
    new = "new"
    assigned = "assigned"
    contacted = "contacted"
    qualified = "qualified"
    converted = "converted"
    lost = "lost"


class LeadSource(Choice):
    web = "web"
    referral = "referral"
    trade_show = "trade_show"
    campaign = "campaign"
    cold_call = "cold_call"
    dealer = "dealer"
    other = "other"


class ActivityKind(Choice):
    call = "call"
    email = "email"
    meeting = "meeting"
    appointment = "appointment"
    site_visit = "site_visit"
    field_visit = "field_visit"


class Lead(Entity):
    __tablename__ = "lead"

    company: Mapped[str] = mapped_column(String(200), index=True)
    contact_name: Mapped[Optional[str]] = mapped_column(String(120))
    contact_email: Mapped[Optional[str]] = mapped_column(String(254), index=True, info=EMAIL)
    contact_phone: Mapped[Optional[str]] = mapped_column(String(40))
    source: Mapped[LeadSource] = enum_column(LeadSource, index=True, default=LeadSource.web)
    status: Mapped[LeadStatus] = enum_column(LeadStatus, index=True, default=LeadStatus.new, info=SET_BY_ACTION)
    region: Mapped[Optional[str]] = mapped_column(String(60), index=True, info=CATEGORY)
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True, info=SET_BY_ACTION)
    assigned_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)
    next_follow_up: Mapped[Optional[date]] = mapped_column(Date, index=True)
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("account.id"), index=True, info=SET_BY_ACTION)
    contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contact.id"), index=True, info=SET_BY_ACTION)
    lost_reason: Mapped[Optional[str]] = mapped_column(Text, info=SET_BY_ACTION)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    owner: Mapped[Optional[User]] = relationship()
    campaign: Mapped[Optional[Campaign]] = relationship()
    account: Mapped[Optional[Account]] = relationship()
    contact: Mapped[Optional[Contact]] = relationship()

    def __str__(self) -> str:
        return self.company


class Activity(Entity):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("account_id IS NOT NULL OR lead_id IS NOT NULL", name="about_account_or_lead"),
    )

    kind: Mapped[ActivityKind] = enum_column(ActivityKind, index=True)
    subject: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("account.id"), index=True)
    contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contact.id"), index=True)
    lead_id: Mapped[Optional[int]] = mapped_column(ForeignKey("lead.id"), index=True)
    is_prospecting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    scheduled_at: Mapped[datetime] = mapped_column(DateTime, index=True, default=utcnow)
    done_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True)
    outcome: Mapped[Optional[str]] = mapped_column(Text)

    owner: Mapped[User] = relationship()
    account: Mapped[Optional[Account]] = relationship()
    contact: Mapped[Optional[Contact]] = relationship()
    lead: Mapped[Optional[Lead]] = relationship()

    def __str__(self) -> str:
        return self.subject
