"""Set-based runs (actions that declare `assigns`) give exactly what the row-by-row path gives.

Each comparison builds the same leads twice, runs one copy set-based and the other row by row, and
compares what was done and skipped (with the reasons), the rows afterwards and the audit events.
"""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from models import AuditEvent, Lead, LeadStatus, Role, db
from rules import core
from rules.core import ACTIONS, LOST_RACE, Assignments, SYSTEM_COLUMNS, run_action, transition
from tests import factories as make
from tests.unit.support import audit_events

REASON = "Workload balancing"
# (status, owner) of each lead in a batch; "colleague" already has the lead it is reassigned to.
BATCH = [(LeadStatus.new, "member"), (LeadStatus.assigned, "member"), (LeadStatus.contacted, "member"),
         (LeadStatus.qualified, None), (LeadStatus.assigned, "colleague"), (LeadStatus.converted, "member"),
         (LeadStatus.lost, "member"), (LeadStatus.new, "outsider"), (LeadStatus.new, None)]
OUT_OF_SCOPE = 7  # the outsider's lead: the scope given to run_action leaves it out


def make_batch(crew, outsider) -> list[Lead]:
    owners = {"member": crew.member, "colleague": crew.colleague, "outsider": outsider, None: None}
    return [make.lead(status, owner=owners[owner], company=f"Same Co {n}", region="North")
            for n, (status, owner) in enumerate(BATCH)]


def run(crew, outsider, action, actor, inputs, *, row_by_row):
    leads = make_batch(crew, outsider)
    db.session.commit()
    versions = {lead.id: lead.version for lead in leads}
    hidden = leads[OUT_OF_SCOPE].id
    ids = [str(lead.id) for lead in leads] + [str(leads[0].id), "999999999", "abc"]
    result = run_action(db.session, ACTIONS[action], actor, ids, inputs,
                        scope=lambda user, row: row.id != hidden, row_by_row=row_by_row)
    position = {lead.id: n for n, lead in enumerate(leads)}
    db.session.expire_all()
    rows = []
    for lead in leads:
        fresh = db.session.get(Lead, lead.id)
        values = {c.key: getattr(fresh, c.key) for c in Lead.__mapper__.column_attrs
                  if c.key not in SYSTEM_COLUMNS | {"company"}}
        rows.append((values, fresh.version > versions[lead.id]))
    events = {position[int(e.entity_id)]: (e.user_id, e.at, e.before, e.after, e.reason, e.remote_addr)
              for lead in leads for e in audit_events(action, "lead", lead.id)}
    return {
        "done": [position[i] for i in result.done],
        "skipped": {position.get(key, key): why for key, why in result.skipped.items()},
        "rows": rows,
        "events": events,
        "summary": result.summary(),
    }


SCENARIOS = {
    "supervisor reassigns in the team": ("reassign_lead", "supervisor", "colleague"),
    "manager reassigns across teams": ("reassign_lead", "manager", "outsider"),
    "supervisor reassigns outside the team": ("reassign_lead", "supervisor", "outsider"),
    "reassign to an inactive user": ("reassign_lead", "supervisor", "inactive"),
    "reassign to nobody": ("reassign_lead", "supervisor", "nobody"),
    "coordinator may not reassign": ("reassign_lead", "member", "colleague"),
    "mark lost": ("mark_lead_lost", "member", None),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_set_based_and_row_by_row_runs_agree(crew, clock, scenario):
    action, actor_name, assignee_name = SCENARIOS[scenario]
    outsider = make.user(Role.coordinator, make.team())
    people = {"supervisor": crew.supervisor, "manager": crew.manager, "member": crew.member,
              "colleague": crew.colleague, "outsider": outsider,
              "inactive": make.user(Role.coordinator, crew.team, active=False)}
    if action == "reassign_lead":
        to_user = people[assignee_name].id if assignee_name != "nobody" else 999999999
        inputs = {"to_user_id": to_user, "reason": REASON}
    else:
        inputs = {"reason": "Went with a competitor"}
    actor = people[actor_name]

    set_based = run(crew, outsider, action, actor, inputs, row_by_row=False)
    row_by_row = run(crew, outsider, action, actor, inputs, row_by_row=True)

    assert set_based == row_by_row
    assert set_based["skipped"][OUT_OF_SCOPE] == "not found"
    assert set_based["skipped"]["abc"] == set_based["skipped"][999999999] == "not found"
    for n in set_based["done"]:
        assert set_based["rows"][n][1], "the version moved"


def test_the_comparison_can_fail(crew, clock, monkeypatch):
    """A set-based declaration that differs from the function is caught by the comparison above."""
    outsider = make.user(Role.coordinator, make.team())
    action = ACTIONS["mark_lead_lost"]
    monkeypatch.setattr(action, "assigns", lambda session, user, reason: Assignments({"lost_reason": "other"}))
    inputs = {"reason": "Went with a competitor"}
    set_based = run(crew, outsider, "mark_lead_lost", crew.member, inputs, row_by_row=False)
    row_by_row = run(crew, outsider, "mark_lead_lost", crew.member, inputs, row_by_row=True)
    assert set_based["rows"] != row_by_row["rows"] and set_based["events"] != row_by_row["events"]


def test_a_reassigned_batch_is_audited_row_by_row_with_before_and_after(crew, clock):
    new, contacted = make.lead(owner=crew.member), make.lead(LeadStatus.contacted, owner=None)
    result = run_action(db.session, ACTIONS["reassign_lead"], crew.supervisor, [new.id, contacted.id],
                        {"to_user_id": crew.colleague.id, "reason": REASON})
    assert result.done == [new.id, contacted.id]
    [first] = audit_events("reassign_lead", "lead", new.id)
    assert first.before == {"owner_id": crew.member.id, "assigned_at": None, "status": "new"}
    assert first.after == {"owner_id": crew.colleague.id, "assigned_at": clock.isoformat(),
                           "status": "assigned"}
    assert (first.user_id, first.at, first.reason) == (crew.supervisor.id, clock, REASON)
    [second] = audit_events("reassign_lead", "lead", contacted.id)
    assert second.before == {"owner_id": None, "assigned_at": None}


def test_a_batch_is_a_few_statements_whatever_its_size(crew, monkeypatch):
    ids = [make.lead(owner=crew.member).id for _ in range(60)]
    db.session.commit()
    statements, audit_writes = [], []
    connection = db.session.connection()
    event.listen(connection, "before_cursor_execute", lambda *args: statements.append(args[2]))
    write_rows = core.insert_rows  # one COPY on PostgreSQL (not seen as a statement), one INSERT elsewhere

    def counted(session, table, rows):
        audit_writes.append((table.name, len(rows)))
        write_rows(session, table, rows)

    monkeypatch.setattr(core, "insert_rows", counted)
    result = run_action(db.session, ACTIONS["reassign_lead"], crew.supervisor, ids,
                        {"to_user_id": crew.colleague.id, "reason": REASON})
    assert len(result.done) == 60
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE LEAD")]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM lead" in s]
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT")]
    assert (len(updates), len(selects)) == (1, 1), statements
    assert audit_writes == [("audit_event", 60)] and len(inserts) <= 1, statements


def test_a_row_whose_state_moves_before_the_update_is_a_lost_race(crew, monkeypatch):
    leads = [make.lead(owner=crew.member) for _ in range(3)]
    db.session.commit()
    locked_rows = core._locked_rows

    def someone_converts_the_second_lead_meanwhile(*args, **kwargs):
        found = locked_rows(*args, **kwargs)
        db.session.execute(update(Lead).where(Lead.id == leads[1].id).values(status=LeadStatus.converted),
                           execution_options={"synchronize_session": False})
        return found

    monkeypatch.setattr(core, "_locked_rows", someone_converts_the_second_lead_meanwhile)
    result = run_action(db.session, ACTIONS["reassign_lead"], crew.supervisor, [lead.id for lead in leads],
                        {"to_user_id": crew.colleague.id, "reason": REASON})
    assert result.done == [leads[0].id, leads[2].id]
    assert result.skipped == {leads[1].id: LOST_RACE}
    assert audit_events("reassign_lead", "lead", leads[1].id) == []
    db.session.expire_all()
    assert db.session.get(Lead, leads[1].id).owner_id == crew.member.id


def test_a_fault_in_the_audit_insert_leaves_every_row_as_it_was(crew, monkeypatch):
    leads = [make.lead(owner=crew.member) for _ in range(3)]
    db.session.commit()

    def broken_insert(*args, **kwargs):
        raise RuntimeError("the audit insert failed")

    monkeypatch.setattr(core, "insert_rows", broken_insert)
    with pytest.raises(RuntimeError):
        run_action(db.session, ACTIONS["reassign_lead"], crew.supervisor, [lead.id for lead in leads],
                   {"to_user_id": crew.colleague.id, "reason": REASON})
    db.session.expire_all()
    assert {db.session.get(Lead, lead.id).owner_id for lead in leads} == {crew.member.id}
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reassign_lead",
                                                       AuditEvent.entity_id.in_([str(l.id) for l in leads]))).all() == []


def test_a_set_based_action_cannot_also_have_a_guard():
    with pytest.raises(ValueError, match="cannot have a guard"):
        transition(Lead, roles={Role.manager}, guard=lambda row, user: None,
                   assigns=lambda session, user: Assignments({}))(lambda lead, user: None)
