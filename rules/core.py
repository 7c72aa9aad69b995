"""Machinery shared by every business action. Never imports Flask: it is used and tested without HTTP."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from models import AuditEvent, utcnow


def plain(value: Any) -> Any:
    """A value as plain JSON data (the audit trail stores data, never objects or markup)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    return str(value)


def record_event(session: Session, *, user, action: str, entity: str | None = None,
                 entity_id: Any = None, before: dict | None = None, after: dict | None = None,
                 reason: str | None = None, remote_addr: str | None = None) -> AuditEvent:
    """Add one audit event to the session; it commits (or rolls back) with the change it records."""
    event = AuditEvent(
        at=utcnow(),
        user_id=getattr(user, "id", user),
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        action=action,
        before=plain(before),
        after=plain(after),
        reason=reason,
        remote_addr=remote_addr,
    )
    session.add(event)
    return event
