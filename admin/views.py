"""Per-entity overrides: small declarative classes, only what differs from the generated view."""
from admin.base import DeskModelView
from admin.registry import register
from models import AuditEvent, Payment, Quote, SalesOrder, User


@register(User)
class UserView(DeskModelView):
    column_list = ["name", "email", "role", "team", "reports_to", "active", "locale", "last_login_at"]
    form_columns = ["name", "email", "role", "team", "reports_to", "active", "locale"]


@register(Quote)
class QuoteView(DeskModelView):
    column_list = ["number", "account", "owner", "status", "is_rfp", "discount_pct", "total",
                   "valid_until", "approved_by"]
    column_searchable_list = ["number", "account.name"]


@register(SalesOrder)
class SalesOrderView(DeskModelView):
    column_list = ["number", "account", "owner", "status", "is_rush", "ordered_on",
                   "requested_ship_date", "promised_ship_date", "drawing_status", "total"]
    column_searchable_list = ["number", "customer_po", "account.name"]


class ReadOnlyView(DeskModelView):
    """Rows written only by the system or by a business action: readable, never edited here."""

    can_create = False
    can_edit = False
    can_delete = False


@register(Payment)
class PaymentView(ReadOnlyView):
    """Payments are recorded with the invoice's "Record payment" action, which keeps the balance."""


@register(AuditEvent)
class AuditEventView(ReadOnlyView):
    """The audit trail is append-only: readable and filterable, never edited in the panel."""

    column_list = ["at", "user", "action", "entity", "entity_id", "reason", "remote_addr"]
    column_filters = ["at", "action", "entity", "entity_id"]
    column_searchable_list = ["action", "entity", "entity_id"]
    column_default_sort = ("at", True)
