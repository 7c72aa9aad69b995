"""Per-entity overrides: small declarative classes, only what differs from the generated view.

Every model's view declares its `access` (admin/access.py); one that declares nothing is read-only for
managers and admins (deny by default). `scope = Scope.TEAM` unless a view says otherwise: coordinators
work their team's rows, supervisors also delete, managers see every team.
"""
from flask_babel import gettext
from flask_login import current_user
from wtforms import ValidationError

from admin.access import (
    ADMINISTRATION, AUDIT_TRAIL, MANAGEMENT, OWN_REQUESTS, PERSONAL_SETTINGS, POLICIES, READING,
    REFERENCE, SALES_DATA, SALES_RECORDS, TEAM_PLANNING, Scope, access, EVERYTHING,
)
from admin.account import ConfirmWithPasswordMixin
from admin.base import DeskModelView
from admin.generate import ModelShape
from admin.i18n import translated
from admin.imports import Importing
from admin.queues import SlaFilter, sla_badge
from admin.registry import register
from admin.saved_views import list_view, make_sole_default, may_share, refusals
from rules.core import N_
from models import (
    Absence, Account, Activity, ApprovalPolicy, Appraisal, AuditEvent, Campaign, CommissionPlan,
    CommissionStatement, Contact, CustomerRequest, Invoice, Lead, MarketNote, OrderLine, Overtime, Payment,
    Product, Quote, QuoteLine, QuoteStatus, ReworkRequest, Role, SalesOrder, Shipment, SavedView, Shift, Target, Team, TrainingRecord, User, db,
)

# Who may change which fields on many rows at once (bulk edit); owners only by supervisors and managers.
def _bulk_fields(everyone: tuple, leaders: tuple = ()) -> dict:
    return {Role.coordinator: everyone, Role.supervisor: everyone + leaders, Role.manager: everyone + leaders}


# Pipeline, orders, finance, service: the team's daily work.
class SalesDataView(DeskModelView):
    """Coordinators work their team's rows, supervisors also delete, managers work every team's."""

    access = SALES_DATA


@register(Lead)
class LeadView(SalesDataView):
    unowned_visible_to = frozenset({Role.supervisor})  # the pool of new leads they hand out
    column_editable_list = ["next_follow_up"]
    bulk_edit_fields = _bulk_fields(("next_follow_up", "campaign", "region", "source"), ("owner",))
    importing = Importing(keys=(("contact_email",), ("company",)), polish={
        "company": "Firma", "contact_name": "Osoba kontaktowa", "contact_email": "E-mail kontaktowy",
        "contact_phone": "Telefon kontaktowy", "source": "Źródło", "region": "Region",
        "next_follow_up": "Następny kontakt", "campaign": "Kampania", "notes": "Notatki",
    })


@register(Account)
class AccountView(SalesDataView):
    hidden_columns = {Role.coordinator: {"credit_limit"}}
    bulk_edit_fields = _bulk_fields(("region", "status", "payment_terms_days"), ("owner",))
    importing = Importing(keys=(("vat_number",), ("name",)), polish={  # a shared mailbox is common
        "name": "Nazwa", "kind": "Rodzaj", "region": "Region", "status": "Status", "email": "E-mail",
        "phone": "Telefon", "vat_number": "NIP", "billing_address": "Adres rozliczeniowy",
        "shipping_address": "Adres dostawy", "payment_terms_days": "Termin płatności (dni)",
        "payment_method": "Forma płatności", "credit_limit": "Limit kredytowy",
        "product_preferences": "Preferencje produktowe", "owner": "Opiekun",
        "dealer_onboarding_started_on": "Początek wdrożenia dealera", "dealer_onboarded_on": "Dealer wdrożony",
    })


@register(Contact)
class ContactView(SalesDataView):
    importing = Importing(keys=(("email",),), polish={
        "account": "Klient", "name": "Imię i nazwisko", "job_title": "Stanowisko", "email": "E-mail",
        "phone": "Telefon", "is_primary": "Główny kontakt",
    })


@register(Activity)
class ActivityView(SalesDataView):
    bulk_edit_fields = _bulk_fields(("scheduled_at",), ("owner",))
    importing = Importing(polish={
        "kind": "Rodzaj", "subject": "Temat", "owner": "Właściciel", "account": "Klient",
        "contact": "Kontakt", "lead": "Lead", "is_prospecting": "Poszukiwanie klientów",
        "scheduled_at": "Zaplanowano", "done_at": "Wykonano", "outcome": "Wynik",
    })


@register(CustomerRequest)
class CustomerRequestView(SalesDataView):
    column_list = ["subject", "kind", "priority", "status", "sla", "account", "owner", "received_at",
                   "acknowledged_at", "due_at", "escalated_to"]
    column_filters = [*ModelShape(CustomerRequest).filter_columns(), SlaFilter()]
    column_formatters = {"sla": sla_badge}
    column_labels = {"sla": "SLA"}
    column_editable_list = ["priority"]
    bulk_edit_fields = _bulk_fields(("priority", "due_at"), ("owner",))


@register(Quote)
class QuoteView(SalesDataView):
    column_list = ["number", "account", "owner", "status", "is_rfp", "discount_pct", "total",
                   "valid_until", "approved_by"]
    column_searchable_list = ["number", "account.name"]

    def write_refusal(self, record):
        return quote_locked(record)


@register(QuoteLine)
class QuoteLineView(SalesDataView):
    def write_refusal(self, record):
        quote = record.quote or (db.session.get(Quote, record.quote_id) if record.quote_id else None)
        return quote_locked(quote) if quote is not None else None


def quote_locked(quote) -> str | None:
    """A quote is typed while it is a draft; once submitted it changes only through its actions."""
    if quote.status not in (None, QuoteStatus.draft):
        return gettext("The quote is %(state)s: it changes only through its actions now.",
                       state=translated(quote.status.label).lower())
    return None


@register(SalesOrder)
class SalesOrderView(SalesDataView):
    column_list = ["number", "account", "owner", "status", "is_rush", "ordered_on",
                   "requested_ship_date", "promised_ship_date", "drawing_status", "total"]
    column_searchable_list = ["number", "customer_po", "account.name"]
    column_editable_list = ["promised_ship_date"]
    bulk_edit_fields = _bulk_fields(("requested_ship_date", "promised_ship_date"))


for model in (OrderLine, Shipment, ReworkRequest, Invoice):  # nothing else differs from the generated view
    register(model)(SalesDataView)


@register(Payment)
class PaymentView(DeskModelView):
    """Payments are recorded with the invoice's "Record payment" action, which keeps the balance."""

    access = SALES_RECORDS


# Shared reference data.
@register(Product)
class ProductView(DeskModelView):
    access = REFERENCE
    scope = Scope.ALL
    importing = Importing(keys=(("sku",),), polish={
        "sku": "Indeks", "name": "Nazwa", "division": "Dział", "list_price": "Cena katalogowa",
        "unit": "Jednostka", "active": "Aktywny",
    })


@register(Campaign)
class CampaignView(DeskModelView):
    access = REFERENCE
    scope = Scope.ALL


@register(MarketNote)
class MarketNoteView(SalesDataView):
    scope = Scope.ALL  # what the market says is everyone's to read

    def write_refusal(self, record):
        """A note is its author's to change; their supervisor and the managers may correct it."""
        if record.author_id in (None, current_user.id) or current_user.role is Role.manager:
            return None
        if current_user.role is Role.supervisor and record.author.team_id == current_user.team_id:
            return None
        return gettext("Only its author, their supervisor or a manager changes a market note.")


# Targets and pay.
@register(Target)
class TargetView(DeskModelView):
    access = TEAM_PLANNING
    scope = Scope.PERSONAL

    def write_refusal(self, record):
        if record.user_id is None and record.team_id is None and current_user.role is not Role.manager:
            return gettext("Only managers set company-wide targets: choose a person or your team.")
        return None
    bulk_edit_fields = {role: ("period_end", "target_value") for role in (Role.supervisor, Role.manager)}
    importing = Importing(keys=(("user", "metric", "period_start"), ("team", "metric", "period_start")), polish={
        "user": "Pracownik", "team": "Zespół", "metric": "Miara", "period_start": "Początek okresu",
        "period_end": "Koniec okresu", "target_value": "Cel",
    })


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
class UserView(ConfirmWithPasswordMixin, DeskModelView):
    access = ADMINISTRATION
    column_list = ["name", "email", "role", "team", "reports_to", "active", "locale", "last_login_at"]
    form_columns = ["name", "email", "role", "team", "reports_to", "active", "locale"]
    hidden_columns = {role: {"last_login_at", "locale"} for role in (Role.supervisor, Role.manager)}

    def write_refusal(self, record):
        """An admin cannot lock themselves out: another admin changes their role or deactivates them."""
        if record.id == current_user.id and (record.role is not Role.admin or not record.active):
            return gettext("You cannot remove your own admin role or deactivate yourself; ask another admin.")
        return None

    def on_model_delete(self, model) -> None:
        if model.id == current_user.id:
            raise ValidationError(gettext("You cannot delete your own account; ask another admin."))
        super().on_model_delete(model)


@register(Team)
class TeamView(DeskModelView):
    access = ADMINISTRATION  # supervisors see (and pick) their own team; managers and admins all


@register(ApprovalPolicy)
class ApprovalPolicyView(DeskModelView):
    access = POLICIES
    scope = Scope.ALL


@register(SavedView)
class SavedViewView(DeskModelView):
    """Rename, share or delete saved views; they are made on the lists themselves (Save this view)."""

    access = PERSONAL_SETTINGS
    scope = Scope.OWN  # your own, and those shared with your role (read only)
    column_list = ["name", "endpoint", "shared_with_role", "is_default", "owner", "updated_at"]
    form_columns = ["name", "shared_with_role", "is_default"]
    column_labels = {"endpoint": N_("List")}

    def write_refusal(self, record):
        if record.owner_id not in (None, current_user.id):
            return gettext("Only its owner changes or deletes a saved view.")
        return None

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if not may_share(current_user):  # they save views for themselves only
            for name in ("shared_with_role", "is_default"):
                del form[name]
        return form

    def on_model_change(self, form, model, is_created: bool) -> None:
        self._refuse_write(model)  # the owner, before anything else is said about the view
        with db.session.no_autoflush:  # a new default is written only after the old one is unset
            problems = refusals(current_user, list_view(model.endpoint), name=model.name,
                                shared_with_role=model.shared_with_role, is_default=model.is_default,
                                record_id=model.id)
            if problems:
                raise ValidationError(next(iter(problems.values())))
            if model.is_default:
                make_sole_default(model, current_user)
        super().on_model_change(form, model, is_created)


@register(AuditEvent)
class AuditEventView(DeskModelView):
    """The audit trail is append-only: readable and filterable, never edited in the panel."""

    access = AUDIT_TRAIL
    scope = Scope.ALL
    column_list = ["at", "user", "action", "entity", "entity_id", "reason", "remote_addr"]
    column_filters = ["at", "action", "entity", "entity_id"]
    column_searchable_list = ["action", "entity", "entity_id"]
    column_default_sort = ("at", True)
