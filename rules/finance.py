"""Invoice actions: issue, record a payment (paid when settled), mark overdue (also a daily command)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.orm import Session, object_session
from wtforms import DateField, DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import Account, Invoice, InvoiceStatus, Payment, PaymentMethod
from rules.core import N_, SALES, Phrase, Refused, money, now, record_event, today as current_date, transition
from rules.forms import InputForm, choices_of


class PaymentForm(InputForm):
    """A payment received against an invoice."""

    amount = DecimalField("Amount", places=2, validators=[DataRequired(), NumberRange(min=Decimal("0.01"))])
    method = SelectField("Method", choices=choices_of(PaymentMethod),
                         validators=[DataRequired()])
    reference = StringField("Reference", validators=[Optional(), Length(max=80)])
    received_on = DateField("Received on", validators=[Optional()])


def due_not_before_today(invoice: Invoice, user) -> str | None:
    """An invoice issued today cannot already be due yesterday."""
    if invoice.due_on and invoice.due_on < current_date():
        return Phrase(N_("due date %(day)s is in the past"), day=invoice.due_on)
    return None


def past_due(invoice: Invoice, user) -> str | None:
    """Only an invoice past its due date is overdue."""
    if invoice.due_on is None:
        return N_("has no due date")
    if invoice.due_on >= current_date():
        return Phrase(N_("not due until %(day)s"), day=invoice.due_on)
    return None


@transition(Invoice, source={InvoiceStatus.draft}, target=InvoiceStatus.issued, roles=SALES,
            guard=due_not_before_today, label="Issue invoice", confirm="Issue the selected invoices?")
def issue_invoice(invoice, user):
    """Issue a draft invoice today, due after the account's payment terms unless a date is set."""
    invoice.issued_on = current_date()
    if invoice.due_on is None:
        terms = object_session(invoice).get(Account, invoice.account_id).payment_terms_days
        invoice.due_on = invoice.issued_on + timedelta(days=terms)


@transition(Invoice, source={InvoiceStatus.issued, InvoiceStatus.overdue}, target=None, roles=SALES,
            label="Record payment", form=PaymentForm, bulk=False)
def record_payment(invoice, user, amount, method, reference=None, received_on=None):
    """Record a payment of at most the balance; a settled invoice becomes paid."""
    if amount > invoice.balance:
        raise Refused(Phrase(N_("more than the balance (%(amount)s)"), amount=money(invoice.balance)))
    payment = Payment(invoice_id=invoice.id, amount=amount, method=PaymentMethod(method),
                      reference=reference, received_on=received_on or current_date())
    object_session(invoice).add(payment)
    invoice.paid_amount = invoice.paid_amount + amount
    if invoice.balance == 0:
        # run_action holds the invoice under its conditional update, and the flush checks the version.
        invoice.status = InvoiceStatus.paid
    return {"payment_amount": amount, "payment_method": method}


@transition(Invoice, source={InvoiceStatus.issued}, target=InvoiceStatus.overdue, roles=SALES,
            guard=past_due, label="Mark overdue", confirm="Mark the selected invoices as overdue?")
def mark_overdue(invoice, user):
    """Mark an issued invoice past its due date as overdue."""


def mark_overdue_invoices(session: Session, today: date | None = None, user=None) -> int:
    """Mark every issued invoice past its due date overdue (one UPDATE, audited); safe to run daily."""
    day = today or current_date()
    statement = (
        update(Invoice)
        .where(Invoice.status == InvoiceStatus.issued, Invoice.due_on < day)
        .values(status=InvoiceStatus.overdue, version=Invoice.version + 1, updated_at=now())
        .returning(Invoice.id)
    )
    try:
        ids = session.scalars(statement, execution_options={"synchronize_session": False}).all()
        for invoice_id in ids:
            record_event(session, user=user, action="mark_overdue", entity=Invoice.__tablename__,
                         entity_id=invoice_id, before={"status": InvoiceStatus.issued},
                         after={"status": InvoiceStatus.overdue}, reason=f"past due on {day}")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(ids)
