"""Service: dealer and customer requests, complaints included, with their 24-hour acknowledgement."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import SET_BY_ACTION, Choice, Entity, enum_column, utcnow
from models.customers import Account, Contact
from models.people import User

ACKNOWLEDGE_WITHIN = timedelta(hours=24)


class RequestKind(Choice):
    inquiry = "inquiry"
    order_request = "order_request"
    quote_request = "quote_request"
    literature = "literature"
    price_enquiry = "price_enquiry"
    sales_visit = "sales_visit"
    complaint = "complaint"


class Priority(Choice):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class RequestStatus(Choice):
    new = "new"
    acknowledged = "acknowledged"
    escalated = "escalated"
    resolved = "resolved"


class CustomerRequest(Entity):
    __tablename__ = "customer_request"
    __table_args__ = (
        CheckConstraint(
            "satisfaction_score IS NULL OR (satisfaction_score >= 1 AND satisfaction_score <= 5)",
            name="satisfaction_score_range",
        ),
    )

    subject: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[RequestKind] = enum_column(RequestKind, index=True)
    priority: Mapped[Priority] = enum_column(Priority, index=True, default=Priority.normal)
    status: Mapped[RequestStatus] = enum_column(RequestStatus, index=True, default=RequestStatus.new, info=SET_BY_ACTION)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contact.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    description: Mapped[Optional[str]] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True, default=utcnow)
    acknowledged_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True, info=SET_BY_ACTION)
    due_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True, info=SET_BY_ACTION)
    escalated_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True, info=SET_BY_ACTION)
    root_cause: Mapped[Optional[str]] = mapped_column(Text, info=SET_BY_ACTION)
    resolution: Mapped[Optional[str]] = mapped_column(Text, info=SET_BY_ACTION)
    satisfaction_score: Mapped[Optional[int]] = mapped_column(Integer, info=SET_BY_ACTION)

    account: Mapped[Account] = relationship()
    contact: Mapped[Optional[Contact]] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    escalated_to: Mapped[Optional[User]] = relationship(foreign_keys=[escalated_to_id])

    def __str__(self) -> str:
        return self.subject

    @property
    def acknowledge_by(self) -> datetime:
        """When the 24-hour acknowledgement falls due."""
        return self.received_at + ACKNOWLEDGE_WITHIN
