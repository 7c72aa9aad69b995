"""Work-queue filters every list offers: "Owner is me" and the 24-hour acknowledgement SLA.

The dashboard counts through these same filters (admin/dashboard.py), so a figure and the list its
link opens always agree.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_babel import format_timedelta, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import and_, false

from admin.access import owner_expression, owner_path
from models import CustomerRequest, RequestStatus
from models.service import ACKNOWLEDGE_WITHIN
from rules.core import now

NEAR_BREACH_WITHIN = timedelta(hours=4)  # less time left than this: the request is about to breach

BREACHED, NEAR_BREACH, ON_TIME = "breached", "near_breach", "on_time"
SLA_LABELS = {BREACHED: _l("Breached"), NEAR_BREACH: _l("Near breach"), ON_TIME: _l("On time")}
SLA_BADGES = {BREACHED: "danger", NEAR_BREACH: "warning", ON_TIME: "success"}


def sla_state(received_at: datetime, status, at: datetime) -> str | None:
    """Where an unacknowledged request stands on its 24-hour SLA at `at`; None once acknowledged."""
    if status != RequestStatus.new:
        return None
    left = received_at + ACKNOWLEDGE_WITHIN - at
    if left <= timedelta(0):
        return BREACHED
    return NEAR_BREACH if left < NEAR_BREACH_WITHIN else ON_TIME


def sla_clause(state: str, at: datetime):
    """The SQL for `sla_state(...) == state` (the same boundaries, as comparisons on received_at)."""
    breach_line = at - ACKNOWLEDGE_WITHIN  # received at or before this: breached
    near_line = breach_line + NEAR_BREACH_WITHIN  # received at or before this: under 4 hours left
    received = CustomerRequest.received_at
    waiting = CustomerRequest.status == RequestStatus.new
    return {
        BREACHED: and_(waiting, received <= breach_line),
        NEAR_BREACH: and_(waiting, received > breach_line, received <= near_line),
        ON_TIME: and_(waiting, received > near_line),
    }[state]


class SlaFilter(BaseSQLAFilter):
    """Requests awaiting acknowledgement by where they stand on the SLA (`flt0_sla_is=breached`)."""

    def __init__(self, name=_l("SLA")):
        super().__init__(CustomerRequest.received_at, name, options=list(SLA_LABELS.items()))

    def validate(self, value) -> bool:
        return value in SLA_LABELS

    def apply(self, query, value, alias=None):
        return query.filter(sla_clause(value, now()))

    def operation(self):
        return _l("is")


class OwnerFilter(BaseSQLAFilter):
    """Rows the logged-in user owns (`flt0_owner_is=me`)."""

    def __init__(self, model: type, name=_l("Owner")):
        self.path = owner_path(model)
        super().__init__(getattr(model, self.path.split(".")[0]), name, options=[("me", _l("me"))])
        self.model = model

    def validate(self, value) -> bool:
        return value == "me"

    def apply(self, query, value, alias=None):
        if not current_user.is_authenticated:
            return query.filter(false())
        return query.filter(owner_expression(self.model, self.path, lambda c: c == current_user.id))

    def operation(self):
        return _l("is")


def sla_badge(view, context, request, name) -> Markup:
    """The list's SLA column: a coloured badge with the time left (or overdue) while unacknowledged."""
    state = sla_state(request.received_at, request.status, now())
    if state is None:
        return Markup("")
    left = request.received_at + ACKNOWLEDGE_WITHIN - now()
    text = SLA_LABELS[state]
    if state != BREACHED:
        text = f"{text} · {format_timedelta(left, threshold=1.1)}"
    return Markup(f'<span class="badge badge-{SLA_BADGES[state]}" data-sla="{state}">{escape(text)}</span>')


class QueueFiltersMixin:
    """Adds the "Owner is me" filter to every list whose rows have an owner column."""

    def __init__(self, model, *args, **kwargs):
        path = owner_path(model)
        if path and "." not in path and path != "id":
            self.column_filters = [*self.column_filters, OwnerFilter(model)]
        super().__init__(model, *args, **kwargs)
