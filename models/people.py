"""People: the users of the panel and the teams they work in."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from models import CATEGORY, COMPUTED, Choice, Entity, enum_column
from models.values import EMAIL


class Role(Choice):
    coordinator = "coordinator"
    supervisor = "supervisor"
    manager = "manager"
    admin = "admin"


class Team(Entity):
    __tablename__ = "team"
    __team__ = "id"  # a team's own row belongs to the team

    name: Mapped[str] = mapped_column(String(100), unique=True)
    region: Mapped[str] = mapped_column(String(60), index=True, info=CATEGORY)
    supervisor_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("app_user.id", use_alter=True, ondelete="SET NULL"), index=True
    )

    # post_update: a team and its supervisor refer to each other, so one row is written after the other.
    supervisor: Mapped[Optional["User"]] = relationship(foreign_keys=[supervisor_id], post_update=True)
    members: Mapped[list["User"]] = relationship(
        back_populates="team", foreign_keys="User.team_id", viewonly=True
    )

    def __str__(self) -> str:
        return self.name


class User(UserMixin, Entity):
    __tablename__ = "app_user"
    __owner__ = "id"  # a user record belongs to that user (and so to their team)
    __plural__ = "Users"

    email: Mapped[str] = mapped_column(String(254), unique=True, info=EMAIL)
    name: Mapped[str] = mapped_column(String(120), index=True)
    role: Mapped[Role] = enum_column(Role, index=True)
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team.id"), index=True)
    reports_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("app_user.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), index=True)
    locale: Mapped[Optional[str]] = mapped_column(String(5))
    password_hash: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # Raised to end every session of the user at once (logout everywhere, deactivation).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_login_at: Mapped[Optional[datetime]] = mapped_column(DateTime, info=COMPUTED)

    team: Mapped[Optional[Team]] = relationship(foreign_keys=[team_id], back_populates="members")
    reports_to: Mapped[Optional["User"]] = relationship(remote_side="User.id")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        """The session id: the user and the session epoch it was issued under."""
        return f"{self.id}:{self.session_epoch}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)
