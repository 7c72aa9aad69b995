"""Control: approval policies, the audit trail, and saved list views."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON, BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint,
    false, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import COMPUTED, Entity, Money, Percent, db, enum_column, utcnow
from models.people import Role, User


class ApprovalPolicy(Entity):
    """How far a role may approve a quote on its own: maximum discount and maximum total."""

    __tablename__ = "approval_policy"
    __plural__ = "Approval policies"
    __table_args__ = (
        CheckConstraint("max_discount_pct >= 0 AND max_discount_pct <= 100", name="max_discount_pct_range"),
        CheckConstraint("max_quote_total >= 0", name="max_quote_total_not_negative"),
    )

    role: Mapped[Role] = enum_column(Role, unique=True)
    max_discount_pct: Mapped[Decimal] = mapped_column(Percent)
    max_quote_total: Mapped[Decimal] = mapped_column(Money)

    def __str__(self) -> str:
        return f"{self.role.label}: ≤ {self.max_discount_pct}% · ≤ {self.max_quote_total}"


class AuditEvent(db.Model):
    """One thing that happened: who, when (UTC), to which record, what, before and after, why.

    Append-only: rows are inserted and never updated or deleted by the application.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True)
    entity: Mapped[Optional[str]] = mapped_column(String(60))
    entity_id: Mapped[Optional[str]] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60), index=True)
    before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    after: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    reason: Mapped[Optional[str]] = mapped_column(Text)
    remote_addr: Mapped[Optional[str]] = mapped_column(String(45))

    user: Mapped[Optional[User]] = relationship()

    def __str__(self) -> str:
        return f"{self.action} {self.entity or ''} {self.entity_id or ''}".strip()


class SavedView(Entity):
    """A named list filter: personal, or shared with every user of one role (and maybe its default).

    A name is unique per owner and list; a role has at most one default view per list; only a view
    shared with a role can be that role's default.
    """

    __tablename__ = "saved_view"
    __table_args__ = (
        UniqueConstraint("owner_id", "endpoint", "name", name="uq_saved_view_owner_endpoint_name"),
        CheckConstraint("NOT is_default OR shared_with_role IS NOT NULL", name="default_is_shared"),
        Index("uq_saved_view_one_default_per_role", "endpoint", "shared_with_role", unique=True,
              sqlite_where=text("is_default"), postgresql_where=text("is_default")),
    )

    name: Mapped[str] = mapped_column(String(120))
    endpoint: Mapped[str] = mapped_column(String(60), index=True)
    query_string: Mapped[str] = mapped_column(Text, default="", server_default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True, info=COMPUTED)  # the creator
    shared_with_role: Mapped[Optional[Role]] = enum_column(Role, index=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    owner: Mapped[User] = relationship()

    def __str__(self) -> str:
        return self.name
