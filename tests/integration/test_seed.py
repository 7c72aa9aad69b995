"""The demo seed: every entity present, and a second run adds nothing."""
import pytest
from sqlalchemy import func, select

from models import (
    AuditEvent, CustomerRequest, Invoice, InvoiceStatus, OrderStatus, Quote, RequestStatus, SalesOrder,
    db,
)
from admin.registry import mapped_models
from seed.demo import seed_demo
from tests.conftest import DEMO_LOGINS, DEMO_PASSWORD

MODELS = [m for m in mapped_models() if m is not AuditEvent]


def counts() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_seed_produces_every_entity(app):
    empty = [table for table, n in counts().items() if n == 0]
    assert empty == []


def test_seed_is_idempotent(app):
    before = counts()
    seed_demo(db.session, DEMO_PASSWORD)
    assert counts() == before


@pytest.mark.parametrize("email", sorted(DEMO_LOGINS.values()) + ["coordinator2@example.com"])
def test_demo_logins_work(client, email):
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_data_covers_the_daily_work(app, clock):
    statuses = set(db.session.scalars(select(SalesOrder.status).distinct()))
    assert statuses == set(OrderStatus)
    assert db.session.scalar(select(func.count()).where(SalesOrder.is_rush.is_(True))) > 0
    assert set(db.session.scalars(select(Quote.status).distinct())) >= {"draft", "submitted", "approved"}
    assert db.session.scalar(select(func.count()).where(Invoice.status == InvoiceStatus.overdue)) > 0
    from models.service import ACKNOWLEDGE_WITHIN

    breached = select(func.count()).where(
        CustomerRequest.status == RequestStatus.new,
        CustomerRequest.received_at < clock - ACKNOWLEDGE_WITHIN,
    )
    assert db.session.scalar(breached) > 0
