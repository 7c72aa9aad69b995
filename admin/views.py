"""Per-entity overrides: small declarative classes, only what differs from the generated view.

Every view inherits `access = SALES_DATA` and `scope = Scope.TEAM` (admin/access.py): coordinators work
their team's rows, supervisors also delete, managers see every team, admins see none of it. The classes
below say where an entity differs.
"""
from admin.access import (
    ADMINISTRATION, AUDIT_TRAIL, MANAGEMENT, OWN_REQUESTS, PERSONAL_SETTINGS, POLICIES, READING,
    REFERENCE, SALES_RECORDS, TEAM_PLANNING, Scope, access, EVERYTHING,
)
from admin.base import DeskModelView
from admin.generate import ModelShape
from admin.queues import SlaFilter, sla_badge
from admin.registry import register
from models import (
    Absence, Account, ApprovalPolicy, Appraisal, AuditEvent, Campaign, CommissionPlan,
    CommissionStatement, CustomerRequest, Lead, MarketNote, Overtime, Payment, Product, Quote, Role, SalesOrder,
    SavedView, Shift, Target, Team, TrainingRecord, User,
)


# Pipeline, orders, finance, service: the team's daily work.
@register(Lead)
class LeadView(DeskModelView):
    unowned_visible_to = frozenset({Role.supervisor})  # the pool of new leads they hand out


@register(Account)
class AccountView(DeskModelView):
    hidden_columns = {Role.coordinator: {"credit_limit"}}


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


@register(CustomerRequest)
class CustomerRequestView(DeskModelView):
    column_list = ["subject", "kind", "priority", "status", "sla", "account", "owner", "received_at",
                   "acknowledged_at", "due_at", "escalated_to"]
    column_filters = [*ModelShape(CustomerRequest).filter_columns(), SlaFilter()]
    column_formatters = {"sla": sla_badge}
    column_labels = {"sla": "SLA"}
    column_default_sort = ("received_at", True)


@register(Payment)
class PaymentView(DeskModelView):
    """Payments are recorded with the invoice's "Record payment" action, which keeps the balance."""

    access = SALES_RECORDS


# Shared reference data.
@register(Product)
class ProductView(DeskModelView):
    access = REFERENCE
    scope = Scope.ALL


@register(Campaign)
class CampaignView(DeskModelView):
    access = REFERENCE
    scope = Scope.ALL


@register(MarketNote)
class MarketNoteView(DeskModelView):
    scope = Scope.ALL


# Targets and pay.
@register(Target)
class TargetView(DeskModelView):
    access = TEAM_PLANNING
    scope = Scope.PERSONAL


@register(CommissionPlan)
class CommissionPlanView(DeskModelView):
    access = MANAGEMENT
    scope = Scope.ALL


@register(CommissionStatement)
class CommissionStatementView(DeskModelView):
    """Pay is between a person and management: coordinators see their own statements only."""

    access = access(coordinator=READING, manager=EVERYTHING)
    scope = Scope.PERSONAL


# Staff.
@register(Shift)
class ShiftView(DeskModelView):
    access = TEAM_PLANNING


@register(Absence)
class AbsenceView(DeskModelView):
    access = OWN_REQUESTS  # the team sees who is out (and who backs them up)


@register(Overtime)
class OvertimeView(DeskModelView):
    access = OWN_REQUESTS
    scope = Scope.PERSONAL


@register(TrainingRecord)
class TrainingRecordView(DeskModelView):
    access = TEAM_PLANNING
    scope = Scope.PERSONAL


@register(Appraisal)
class AppraisalView(DeskModelView):
    access = TEAM_PLANNING
    scope = Scope.PERSONAL


# Administration.
@register(User)
class UserView(DeskModelView):
    access = ADMINISTRATION
    column_list = ["name", "email", "role", "team", "reports_to", "active", "locale", "last_login_at"]
    form_columns = ["name", "email", "role", "team", "reports_to", "active", "locale"]
    hidden_columns = {role: {"last_login_at", "locale"} for role in (Role.supervisor, Role.manager)}


@register(Team)
class TeamView(DeskModelView):
    access = ADMINISTRATION
    scope = Scope.ALL


@register(ApprovalPolicy)
class ApprovalPolicyView(DeskModelView):
    access = POLICIES
    scope = Scope.ALL


@register(SavedView)
class SavedViewView(DeskModelView):
    access = PERSONAL_SETTINGS
    scope = Scope.OWN


@register(AuditEvent)
class AuditEventView(DeskModelView):
    """The audit trail is append-only: readable and filterable, never edited in the panel."""

    access = AUDIT_TRAIL
    scope = Scope.ALL
    column_list = ["at", "user", "action", "entity", "entity_id", "reason", "remote_addr"]
    column_filters = ["at", "action", "entity", "entity_id"]
    column_searchable_list = ["action", "entity", "entity_id"]
    column_default_sort = ("at", True)
