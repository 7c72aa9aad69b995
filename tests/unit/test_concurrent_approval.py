"""Two approvers on the same quote at the same moment: exactly one wins, and the audit trail says so once.

Commits for real (each thread has its own session and connection), so it makes its own records and
deletes them afterwards. Only PostgreSQL proves anything: SQLite runs one writer at a time.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from models import Account, AuditEvent, Product, Quote, QuoteLine, QuoteStatus, Role, Team, User, db
from rules.core import ACTIONS, LOST_RACE, run_action
from tests import factories as make

ROUNDS = 50
# The audit trail is append-only; this transaction may delete the test's own events (PostgreSQL).
PURGE_AUDIT_EVENTS = text("SET LOCAL desk.audit_purge = 'on'")


@pytest.fixture
def engine():
    """The application's engine; PostgreSQL only."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises all writers, so a race cannot happen there; run with a "
                    "PostgreSQL DATABASE_URL to prove the conditional update")
    return db.engine


@pytest.fixture
def race_records(engine):
    """Two managers and a quote with one line, committed; deleted again afterwards."""
    with Session(engine) as session:
        team = make.team(session=session)
        approvers = [make.user(Role.manager, team, session=session) for _ in range(2)]
        quote = make.quote(QuoteStatus.submitted, owner=make.user(Role.coordinator, team, session=session),
                           session=session)
        session.commit()
        ids = {"team": team.id, "approvers": [a.id for a in approvers], "quote": quote.id,
               "account": quote.account_id, "owner": quote.owner_id,
               "products": [line.product_id for line in quote.lines]}
    yield ids
    with Session(engine) as session:
        session.execute(PURGE_AUDIT_EVENTS)
        session.execute(delete(AuditEvent).where(AuditEvent.entity == "quote",
                                                 AuditEvent.entity_id == str(ids["quote"])))
        session.execute(delete(QuoteLine).where(QuoteLine.quote_id == ids["quote"]))
        session.execute(delete(Quote).where(Quote.id == ids["quote"]))
        session.execute(delete(Product).where(Product.id.in_(ids["products"])))
        session.execute(delete(Account).where(Account.id == ids["account"]))
        session.execute(update(Team).where(Team.id == ids["team"]).values(supervisor_id=None))
        session.execute(delete(User).where(User.id.in_([*ids["approvers"], ids["owner"]])))
        session.execute(delete(Team).where(Team.id == ids["team"]))
        session.commit()


@pytest.mark.committing
def test_two_approvers_at_once_one_wins(engine, race_records):
    action = ACTIONS["approve_quote"]
    quote_id = race_records["quote"]
    for round_ in range(ROUNDS):
        with Session(engine) as session:  # back to submitted for the next round
            session.execute(update(Quote).where(Quote.id == quote_id).values(
                status=QuoteStatus.submitted, approved_by_id=None, approved_at=None))
            session.execute(PURGE_AUDIT_EVENTS)
            session.execute(delete(AuditEvent).where(AuditEvent.entity == "quote",
                                                     AuditEvent.entity_id == str(quote_id)))
            session.commit()
        barrier = threading.Barrier(2)
        results, errors = [], []

        def approve(approver_id):
            try:
                with Session(engine) as session:
                    approver = session.get(User, approver_id)
                    session.commit()  # start the race with a fresh transaction
                    barrier.wait(timeout=10)
                    results.append(run_action(session, action, approver, [str(quote_id)],
                                              {"reason": f"race {round_}"}))
            except Exception as error:  # reported below; a thread's exception is otherwise lost
                errors.append(error)

        threads = [threading.Thread(target=approve, args=(i,)) for i in race_records["approvers"]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert errors == [], f"round {round_}"
        assert sorted(len(r.done) for r in results) == [0, 1], f"round {round_}"
        [loser] = [r for r in results if not r.done]
        assert loser.skipped[quote_id] in {LOST_RACE, "already approved"}
        with Session(engine) as session:
            events = session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "approve_quote", AuditEvent.entity_id == str(quote_id)))
            winner = session.scalar(select(Quote.approved_by_id).where(Quote.id == quote_id))
        assert events == 1, f"round {round_}"
        [won] = [r for r in results if r.done]
        assert winner in race_records["approvers"]
