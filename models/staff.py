"""Staff: rotations and shifts, absences with backups, overtime, training and annual appraisals."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    CheckConstraint, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import SET_BY_ACTION, Choice, Entity, enum_column
from models.people import User


class AbsenceKind(Choice):
    vacation = "vacation"
    sick = "sick"
    training = "training"


class DecisionStatus(Choice):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"


class Shift(Entity):
    __tablename__ = "shift"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("break_minutes >= 0", name="break_not_negative"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    rotation: Mapped[str] = mapped_column(String(60), index=True)
    assignment: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    break_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")

    user: Mapped[User] = relationship()

    def __str__(self) -> str:
        return f"{self.user} · {self.starts_at:%Y-%m-%d %H:%M}"


class Absence(Entity):
    __tablename__ = "absence"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    kind: Mapped[AbsenceKind] = enum_column(AbsenceKind, index=True)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    backup_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True)
    status: Mapped[DecisionStatus] = enum_column(DecisionStatus, index=True, default=DecisionStatus.requested, info=SET_BY_ACTION)
    note: Mapped[Optional[str]] = mapped_column(Text)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True, info=SET_BY_ACTION)
    decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)
    decision_reason: Mapped[Optional[str]] = mapped_column(Text, info=SET_BY_ACTION)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    backup_user: Mapped[Optional[User]] = relationship(foreign_keys=[backup_user_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])

    def __str__(self) -> str:
        return f"{self.user} · {self.kind.label} {self.starts_on}–{self.ends_on}"


class Overtime(Entity):
    __tablename__ = "overtime"
    __plural__ = "Overtime"
    __table_args__ = (CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    worked_on: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[DecisionStatus] = enum_column(DecisionStatus, index=True, default=DecisionStatus.requested, info=SET_BY_ACTION)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True, info=SET_BY_ACTION)
    decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=SET_BY_ACTION)
    decision_reason: Mapped[Optional[str]] = mapped_column(Text, info=SET_BY_ACTION)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[Optional[User]] = relationship(foreign_keys=[decided_by_id])

    def __str__(self) -> str:
        return f"{self.user} · {self.hours} h on {self.worked_on}"


class TrainingRecord(Entity):
    __tablename__ = "training_record"
    __table_args__ = (CheckConstraint("hours IS NULL OR hours > 0", name="hours_positive"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    course: Mapped[str] = mapped_column(String(200), index=True)
    provider: Mapped[Optional[str]] = mapped_column(String(120))
    completed_on: Mapped[Optional[date]] = mapped_column(Date, index=True)
    valid_until: Mapped[Optional[date]] = mapped_column(Date, index=True)
    hours: Mapped[Optional[Decimal]] = mapped_column(Numeric(5, 1))

    user: Mapped[User] = relationship()

    def __str__(self) -> str:
        return f"{self.course} · {self.user}"


class Appraisal(Entity):
    __tablename__ = "appraisal"
    __owner__ = "user_id"  # the person appraised, not the reviewer
    __table_args__ = (
        UniqueConstraint("user_id", "year", name="uq_appraisal_user_year"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    rating: Mapped[Optional[int]] = mapped_column(Integer)
    strengths: Mapped[Optional[str]] = mapped_column(Text)
    improvements: Mapped[Optional[str]] = mapped_column(Text)
    goals: Mapped[Optional[str]] = mapped_column(Text)
    held_on: Mapped[Optional[date]] = mapped_column(Date)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])

    def __str__(self) -> str:
        return f"{self.user} · {self.year}"
