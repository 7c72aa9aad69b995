"""Record factories for tests: sensible defaults, unique names, every record added and flushed.

Each factory takes keyword overrides for any column, e.g. `quote(status=QuoteStatus.submitted, total=900)`
(document totals are reached through the lines, since the models compute them).
They use `db.session` unless a `session` is given (tests that commit for real use their own).
"""
from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from models import (
    Absence, AbsenceKind, Account, Activity, ActivityKind, ApprovalPolicy, CommissionPlan,
    CommissionStatement, CustomerRequest, DecisionStatus, Division, Invoice, InvoiceStatus, Lead,
    LeadStatus, Metric, OrderLine, OrderStatus, Overtime, Product, Quote, QuoteLine, QuoteStatus,
    RequestKind, ReworkRequest, ReworkStatus, Role, SalesOrder, Shipment, ShipmentStatus,
    StatementStatus, Target, Team, User, db,
)
from models.orders import CENT, HUNDRED
from rules.core import today
from rules.targets import month_bounds

_RUN = uuid.uuid4().hex[:6]  # keeps names unique even next to committed data of other runs
_sequence = itertools.count(1)


def unique(prefix: str) -> str:
    """'Team-3f9a1c-7': a value no other record has."""
    return f"{prefix}-{_RUN}-{next(_sequence)}"


def _save(obj, session=None):
    """Add and flush, so the record has its id."""
    session = session or db.session
    session.add(obj)
    session.flush()
    return obj


def team(supervisor: User | None = None, session=None, **values) -> Team:
    """A team in the North region, optionally with its supervisor."""
    values = {"name": unique("Team"), "region": "North", **values}
    if supervisor is not None:
        values["supervisor_id"] = supervisor.id
    return _save(Team(**values), session)


def user(role: Role = Role.coordinator, team: Team | None = None, session=None, **values) -> User:
    """An active user of a role; a supervisor given a team becomes that team's supervisor."""
    name = unique(role.value)
    values = {"email": f"{name}@example.test", "name": name, "role": role, "active": True, **values}
    if team is not None:
        values["team_id"] = team.id
    person = _save(User(**values), session)
    if role is Role.supervisor and team is not None and team.supervisor_id is None:
        team.supervisor_id = person.id
        (session or db.session).flush()
    return person


def account(owner: User | None = None, session=None, **values) -> Account:
    """A customer account with 30-day terms."""
    owner = owner or user(session=session)
    values = {"name": unique("Account"), "region": "North", "owner_id": owner.id,
              "payment_terms_days": 30, **values}
    return _save(Account(**values), session)


def product(session=None, **values) -> Product:
    """A cabinet at 100.00."""
    values = {"sku": unique("SKU"), "name": "Wall cabinet", "division": Division.cabinets,
              "list_price": Decimal("100.00"), **values}
    return _save(Product(**values), session)


def quote(status: QuoteStatus = QuoteStatus.draft, owner: User | None = None, lines: int = 1,
          session=None, total="1000.00", **values) -> Quote:
    """A quote of `lines` equal lines for the owner's account, adding up to `total` after its discount.

    The total is computed from the lines (models.orders), so the lines are priced to reach it.
    """
    owner = owner or user(session=session)
    values = {"number": unique("Q"), "status": status, "owner_id": owner.id,
              "discount_pct": Decimal("0"), **values}
    values.setdefault("account_id", account(owner, session=session).id)
    made = _save(Quote(**values), session)
    _add_lines(QuoteLine, "quote_id", made, lines, total, session)
    return made


def _add_lines(line_class, key: str, document, count: int, total, session=None) -> None:
    """`count` lines of quantity 1 whose total after the document discount is `total`."""
    if not count:
        return
    keep = (HUNDRED - document.discount_pct) / HUNDRED
    gross = Decimal(str(total)) / keep if keep else Decimal(str(total))
    item = product(session=session)
    for _ in range(count):
        _save(line_class(**{key: document.id}, product_id=item.id, quantity=1,
                         unit_price=(gross / count).quantize(CENT)), session)
    session = session or db.session
    session.refresh(document)


def policy(role: Role, max_discount_pct, max_quote_total, session=None) -> ApprovalPolicy:
    """Set a role's approval policy (there is one per role), creating it if missing."""
    session = session or db.session
    found = session.scalar(select(ApprovalPolicy).where(ApprovalPolicy.role == role))
    found = found or ApprovalPolicy(role=role)
    found.max_discount_pct = Decimal(str(max_discount_pct))
    found.max_quote_total = Decimal(str(max_quote_total))
    return _save(found, session)


def lead(status: LeadStatus = LeadStatus.new, owner: User | None = None, session=None, **values) -> Lead:
    """A web lead with a contact, in the North region."""
    values = {"company": unique("Lead Co"), "contact_name": "Ann Buyer", "contact_email": "ann@example.test",
              "status": status, "region": "North", "owner_id": owner.id if owner else None, **values}
    return _save(Lead(**values), session)


def activity(owner: User, kind: ActivityKind = ActivityKind.call, session=None, **values) -> Activity:
    """A diary entry about an account (a new one unless given)."""
    if "account_id" not in values and "lead_id" not in values:
        values["account_id"] = account(owner, session=session).id
    values = {"kind": kind, "subject": unique("Call"), "owner_id": owner.id, **values}
    return _save(Activity(**values), session)


def order(status: OrderStatus = OrderStatus.pending, owner: User | None = None, session=None,
          total="500.00", **values) -> SalesOrder:
    """A sales order of one line, ordered today, adding up to `total`."""
    owner = owner or user(session=session)
    values = {"number": unique("SO"), "status": status, "owner_id": owner.id,
              "ordered_on": today(), **values}
    values.setdefault("account_id", account(owner, session=session).id)
    made = _save(SalesOrder(**values), session)
    _add_lines(OrderLine, "order_id", made, 1, total, session)
    return made


def shipment(status: ShipmentStatus = ShipmentStatus.planned, order_: SalesOrder | None = None,
             session=None, **values) -> Shipment:
    """A domestic shipment of an order (a confirmed one unless given)."""
    order_ = order_ or order(OrderStatus.confirmed, session=session)
    values = {"order_id": order_.id, "status": status, "destination": "Depot 1",
              "destination_country": "PL", **values}
    return _save(Shipment(**values), session)


def rework(status: ReworkStatus = ReworkStatus.open, order_: SalesOrder | None = None,
           requested_by: User | None = None, session=None, **values) -> ReworkRequest:
    """A rework request on an order."""
    order_ = order_ or order(OrderStatus.in_production, session=session)
    values = {"order_id": order_.id, "division": Division.doors, "status": status,
              "description": "Door scratched", "requested_by_id": (requested_by or user(session=session)).id,
              **values}
    return _save(ReworkRequest(**values), session)


def invoice(status: InvoiceStatus = InvoiceStatus.issued, account_: Account | None = None, session=None,
            **values) -> Invoice:
    """An invoice of 1,000.00; issued ones were issued 10 days ago and are due in 20."""
    account_ = account_ or account(session=session)
    values = {"number": unique("INV"), "account_id": account_.id, "status": status,
              "amount": Decimal("1000.00"), "paid_amount": Decimal("0"), **values}
    if status is not InvoiceStatus.draft:
        values.setdefault("issued_on", today() - timedelta(days=10))
        values.setdefault("due_on", today() + timedelta(days=20))
    return _save(Invoice(**values), session)


def customer_request(status=None, owner: User | None = None, session=None, **values) -> CustomerRequest:
    """A new enquiry from the owner's account."""
    owner = owner or user(session=session)
    values = {"subject": unique("Request"), "kind": RequestKind.inquiry, "owner_id": owner.id,
              "account_id": account(owner, session=session).id, **values}
    if status is not None:
        values["status"] = status
    return _save(CustomerRequest(**values), session)


def absence(requester: User | None = None, status: DecisionStatus = DecisionStatus.requested,
            session=None, **values) -> Absence:
    """A week of vacation starting in a month."""
    requester = requester or user(session=session)
    start = today() + timedelta(days=30)
    values = {"user_id": requester.id, "kind": AbsenceKind.vacation, "starts_on": start,
              "ends_on": start + timedelta(days=6), "status": status, **values}
    return _save(Absence(**values), session)


def overtime(requester: User | None = None, status: DecisionStatus = DecisionStatus.requested,
             session=None, **values) -> Overtime:
    """Two hours of overtime yesterday."""
    requester = requester or user(session=session)
    values = {"user_id": requester.id, "worked_on": today() - timedelta(days=1),
              "hours": Decimal("2.00"), "reason": "Quarter-end orders", "status": status, **values}
    return _save(Overtime(**values), session)


def target(metric: Metric = Metric.revenue, period=None, session=None, **values) -> Target:
    """A target over a period (this month by default) for a user, a team or (neither) the company."""
    start, end = period or month_of(today())
    values = {"metric": metric, "period_start": start, "period_end": end,
              "target_value": Decimal("10000.00"), **values}
    return _save(Target(**values), session)


def commission_plan(session=None, **values) -> CommissionPlan:
    """5% of revenue from 80% attainment, capped at 5,000.00."""
    values = {"name": unique("Plan"), "metric": Metric.revenue, "rate_pct": Decimal("5.00"),
              "threshold_pct": Decimal("80.00"), "cap": Decimal("5000.00"),
              "valid_from": date(2000, 1, 1), "active": True, **values}
    return _save(CommissionPlan(**values), session)


def statement(owner: User | None = None, status: StatementStatus = StatementStatus.draft, session=None,
              **values) -> CommissionStatement:
    """A commission statement for this month."""
    owner = owner or user(session=session)
    start, end = month_of(today())
    values = {"user_id": owner.id, "plan_id": commission_plan(session=session).id, "period_start": start,
              "period_end": end, "amount": Decimal("100.00"), "status": status, **values}
    return _save(CommissionStatement(**values), session)


month_of = month_bounds
