"""Two people closing the same leads set-based at the same moment: each lead is closed once, audited once.

Commits for real (each thread has its own session), so it makes its own records and deletes them
afterwards. Only PostgreSQL proves anything: SQLite runs one writer at a time.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from models import AuditEvent, Lead, LeadStatus, Role, Team, User, db
from rules.core import ACTIONS, LOST_RACE, run_action
from tests import factories as make

ROUNDS = 20
LEADS = 30
PURGE_AUDIT_EVENTS = text("SET LOCAL desk.audit_purge = 'on'")


@pytest.fixture
def engine():
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises all writers, so a race cannot happen there; run with a "
                    "PostgreSQL DATABASE_URL to prove the conditional update")
    return db.engine


@pytest.fixture
def race_records(engine):
    """Two coordinators of one team and their leads, committed; deleted again afterwards."""
    with Session(engine) as session:
        team = make.team(session=session)
        people = [make.user(Role.coordinator, team, session=session) for _ in range(2)]
        leads = [make.lead(owner=people[0], session=session) for _ in range(LEADS)]
        session.commit()
        ids = {"team": team.id, "people": [p.id for p in people], "leads": [lead.id for lead in leads]}
    yield ids
    with Session(engine) as session:
        session.execute(PURGE_AUDIT_EVENTS)
        session.execute(delete(AuditEvent).where(AuditEvent.entity == "lead",
                                                 AuditEvent.entity_id.in_([str(i) for i in ids["leads"]])))
        session.execute(delete(Lead).where(Lead.id.in_(ids["leads"])))
        session.execute(delete(User).where(User.id.in_(ids["people"])))
        session.execute(delete(Team).where(Team.id == ids["team"]))
        session.commit()


@pytest.mark.committing
def test_two_people_marking_the_same_leads_lost_close_each_once(engine, race_records):
    action = ACTIONS["mark_lead_lost"]
    lead_ids = race_records["leads"]
    for round_ in range(ROUNDS):
        with Session(engine) as session:
            session.execute(update(Lead).where(Lead.id.in_(lead_ids)).values(status=LeadStatus.new,
                                                                             lost_reason=None))
            session.execute(PURGE_AUDIT_EVENTS)
            session.execute(delete(AuditEvent).where(AuditEvent.entity == "lead",
                                                     AuditEvent.entity_id.in_([str(i) for i in lead_ids])))
            session.commit()
        barrier = threading.Barrier(2)
        results, errors = [], []

        def mark_lost(person_id):
            try:
                with Session(engine) as session:
                    person = session.get(User, person_id)
                    session.commit()
                    barrier.wait(timeout=10)
                    results.append((person_id, run_action(session, action, person, lead_ids,
                                                          {"reason": f"race {round_} {person_id}"})))
            except Exception as error:  # reported below; a thread's exception is otherwise lost
                errors.append(error)

        threads = [threading.Thread(target=mark_lost, args=(i,)) for i in race_records["people"]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert errors == [], f"round {round_}"
        done = [lead for _person, result in results for lead in result.done]
        assert sorted(done) == sorted(lead_ids), f"round {round_}: each lead closed exactly once"
        for _person, result in results:
            assert set(result.skipped.values()) <= {LOST_RACE, "already lost"}
        with Session(engine) as session:
            events = dict(session.execute(
                select(AuditEvent.entity_id, func.count()).where(
                    AuditEvent.action == "mark_lead_lost",
                    AuditEvent.entity_id.in_([str(i) for i in lead_ids])).group_by(AuditEvent.entity_id)).all())
            reasons = dict(session.execute(select(Lead.id, Lead.lost_reason).where(Lead.id.in_(lead_ids))).all())
        assert events == {str(i): 1 for i in lead_ids}, f"round {round_}"
        winners = {lead: f"race {round_} {person}" for person, result in results for lead in result.done}
        assert reasons == winners, f"round {round_}: the reason stored is the winner's"
