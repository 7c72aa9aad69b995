"""Invoices: issue with payment terms, partial and full payments, overdue marking (action and daily job)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from models import Invoice, InvoiceStatus, Payment, db
from rules.core import ACTIONS, run_action
from rules.finance import mark_overdue_invoices
from tests import factories as make
from tests.unit.support import audit_events


def pay(crew, invoice, amount, method="card"):
    """Record one payment against the invoice."""
    return run_action(db.session, ACTIONS["record_payment"], crew.member, [invoice.id],
                      {"amount": Decimal(amount), "method": method, "reference": "REF-1"})


def test_issue_sets_today_and_due_date_from_payment_terms(crew, clock):
    draft = make.invoice(InvoiceStatus.draft, make.account(crew.member, payment_terms_days=45))
    run_action(db.session, ACTIONS["issue_invoice"], crew.member, [draft.id])
    db.session.refresh(draft)
    assert draft.status is InvoiceStatus.issued
    assert draft.issued_on == clock.date()
    assert draft.due_on == clock.date() + timedelta(days=45)


def test_issue_keeps_a_due_date_already_set(crew, clock):
    due = clock.date() + timedelta(days=10)
    draft = make.invoice(InvoiceStatus.draft, due_on=due)
    run_action(db.session, ACTIONS["issue_invoice"], crew.member, [draft.id])
    db.session.refresh(draft)
    assert draft.due_on == due


def test_partial_then_full_payment_settles_the_invoice(crew, clock):
    invoice = make.invoice(InvoiceStatus.issued, amount=Decimal("1000.00"))

    partial = pay(crew, invoice, "400.00")
    assert partial.done == [invoice.id]
    db.session.refresh(invoice)
    assert (invoice.status, invoice.paid_amount, invoice.balance) == \
        (InvoiceStatus.issued, Decimal("400.00"), Decimal("600.00"))

    too_much = pay(crew, invoice, "600.01")
    assert too_much.skipped == {invoice.id: "more than the balance (600.00)"}

    full = pay(crew, invoice, "600.00", method="bank_transfer")
    assert full.done == [invoice.id]
    db.session.refresh(invoice)
    assert (invoice.status, invoice.paid_amount) == (InvoiceStatus.paid, Decimal("1000.00"))

    payments = db.session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)).all()
    assert sorted(p.amount for p in payments) == [Decimal("400.00"), Decimal("600.00")]
    assert {p.received_on for p in payments} == {clock.date()}
    events = audit_events("record_payment", "invoice", invoice.id)
    assert [e.after.get("status") for e in events] == [None, "paid"]
    assert events[1].after["paid_amount"] == "1000.00"

    paid = pay(crew, invoice, "1.00")
    assert paid.skipped == {invoice.id: "is paid, not issued or overdue"}


def test_an_overdue_invoice_can_be_paid_too(crew):
    invoice = make.invoice(InvoiceStatus.overdue, amount=Decimal("50.00"))
    assert pay(crew, invoice, "50.00").done == [invoice.id]
    db.session.refresh(invoice)
    assert invoice.status is InvoiceStatus.paid


def test_mark_overdue_action_only_past_due(crew, clock):
    today = clock.date()
    late = make.invoice(due_on=today - timedelta(days=1))
    due_today = make.invoice(due_on=today)
    result = run_action(db.session, ACTIONS["mark_overdue"], crew.member, [late.id, due_today.id])
    assert result.done == [late.id]
    assert result.skipped == {due_today.id: f"not due until {today}"}


def test_mark_overdue_invoices_is_idempotent(crew, clock):
    today = clock.date()
    late = make.invoice(due_on=today - timedelta(days=3), issued_on=today - timedelta(days=33))
    not_yet = make.invoice(due_on=today + timedelta(days=3), issued_on=today - timedelta(days=27))
    paid_late = make.invoice(InvoiceStatus.paid, due_on=today - timedelta(days=3),
                             issued_on=today - timedelta(days=33), paid_amount=Decimal("1000.00"))
    db.session.commit()
    expected = db.session.scalars(select(Invoice.id).where(
        Invoice.status == InvoiceStatus.issued, Invoice.due_on < today)).all()

    first = mark_overdue_invoices(db.session, today=today)
    assert first == len(expected) >= 1
    second = mark_overdue_invoices(db.session, today=today)
    assert second == 0

    for invoice in (late, not_yet, paid_late):
        db.session.refresh(invoice)
    assert (late.status, not_yet.status, paid_late.status) == \
        (InvoiceStatus.overdue, InvoiceStatus.issued, InvoiceStatus.paid)
    assert late.version == 2
    events = audit_events("mark_overdue", "invoice")
    assert sorted(int(e.entity_id) for e in events) == sorted(expected)
    assert events[0].before == {"status": "issued"} and events[0].after == {"status": "overdue"}

    late.currency = "PLN"  # the ORM knows the new version: a later edit is not a stale write
    db.session.commit()
