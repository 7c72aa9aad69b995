"""Helpers shared by the rules tests (fixtures live in conftest.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from models import AuditEvent, Role, Team, User, db


@dataclass
class Crew:
    """One team: its supervisor, two coordinators; a manager and an admin outside it."""

    team: Team
    supervisor: User
    member: User
    colleague: User
    manager: User
    admin: User

    def actor(self, role: Role) -> User:
        """Who acts as the given role (the coordinator is the member who owns the rows)."""
        return {Role.coordinator: self.member, Role.supervisor: self.supervisor,
                Role.manager: self.manager, Role.admin: self.admin}[role]


def audit_events(action: str, entity: str | None = None, entity_id=None) -> list[AuditEvent]:
    """The audit events of an action, optionally about one record, oldest first."""
    query = select(AuditEvent).where(AuditEvent.action == action)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == str(entity_id))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def audit_count() -> int:
    """How many audit events there are."""
    return db.session.scalar(select(func.count()).select_from(AuditEvent))
