"""The demo seed: every entity present, and a second run adds nothing."""
from datetime import datetime, time

import pytest
from sqlalchemy import DateTime, func, select

from models import (
    Activity, AuditEvent, CustomerRequest, Invoice, InvoiceStatus, Lead, OrderStatus, Quote, RequestStatus,
    SalesOrder, Team, User, db,
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


PLANNED = {"activity": {"scheduled_at"}, "customer_request": {"due_at"}, "shift": {"starts_at", "ends_at"}}


def test_nothing_in_the_demo_happens_after_now(app, clock):
    """The demo is laid up to the moment it was seeded: nothing was made, sent, done or decided later."""
    later = {}
    for model in MODELS:
        for column in model.__table__.columns:
            if isinstance(column.type, DateTime) and column.name not in PLANNED.get(model.__tablename__, ()):
                if count := db.session.scalar(select(func.count()).where(column > clock)):
                    later[f"{model.__tablename__}.{column.name}"] = count
    assert later == {}


def test_every_team_has_work_in_the_running_month(app, clock):
    """From the month's first hour on: orders, quotes sent, leads and customer contacts in every team."""
    first = clock.date().replace(day=1)
    since = datetime.combine(first, time())
    for team in db.session.scalars(select(Team)):
        members = select(User.id).where(User.team_id == team.id)
        work = {
            "orders": select(func.count()).where(SalesOrder.owner_id.in_(members), SalesOrder.ordered_on >= first,
                                                 SalesOrder.status != OrderStatus.cancelled),
            "quotes sent": select(func.count()).where(Quote.owner_id.in_(members), Quote.sent_at >= since),
            "new leads": select(func.count()).where(Lead.owner_id.in_(members), Lead.created_at >= since),
            "contacts": select(func.count()).where(Activity.owner_id.in_(members), Activity.done_at >= since,
                                                   Activity.account_id.is_not(None)),
        }
        assert {what: db.session.scalar(query) > 0 for what, query in work.items()} == dict.fromkeys(work, True), \
            team.name
    resolved = select(func.count()).where(CustomerRequest.resolved_at >= since,
                                          CustomerRequest.satisfaction_score.is_not(None))
    assert db.session.scalar(resolved) > 0
