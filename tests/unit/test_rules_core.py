"""The rules machinery: registry, refusals, inputs, loading, conditional updates, audit, summaries."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import update

import rules
from models import AuditEvent, OrderStatus, Quote, QuoteStatus, Role, db
from rules.core import ACTIONS, LOST_RACE, ActionInputError, ActionResult, actions_for, run_action
from tests import factories as make
from tests.unit.support import audit_count, audit_events


def test_importing_rules_registers_every_area():
    areas = {action.func.__module__ for action in ACTIONS.values()}
    assert areas == {"rules.quotes", "rules.leads", "rules.orders", "rules.shipments", "rules.service",
                     "rules.finance", "rules.staff", "rules.targets"}
    assert rules.ACTIONS is ACTIONS


def test_actions_for_keeps_declaration_order():
    names = [action.name for action in actions_for(Quote)]
    assert names == ["submit_quote", "approve_quote", "reject_quote", "mark_quote_sent",
                     "mark_quote_accepted", "convert_quote_to_order"]


def test_every_action_is_named_after_its_function_and_documented():
    for name, action in ACTIONS.items():
        assert action.func.__name__ == name
        assert action.func.__doc__ and "\n" not in action.func.__doc__.strip(), name
        assert action.label and action.roles


def test_core_never_imports_flask():
    tree = ast.parse(Path(rules.core.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [name for name in imported if name and name.split(".")[0].startswith("flask")]


def test_admin_may_run_no_action():
    assert [name for name, action in ACTIONS.items() if Role.admin in action.roles] == []


def test_coordinators_decide_nothing():
    decisions = [name for name in ACTIONS if name.startswith(("approve_", "reject_"))]
    decisions += ["reassign_lead", "roll_up_target"]
    assert len(decisions) >= 8
    assert [name for name in decisions if Role.coordinator in ACTIONS[name].roles] == []


def test_only_managers_roll_up_targets_and_approve_commission():
    for name in ("roll_up_target", "approve_commission_statement"):
        assert ACTIONS[name].roles == {Role.manager}


@pytest.mark.parametrize("role, status, reason", [
    (Role.coordinator, QuoteStatus.submitted, "needs a supervisor or manager"),
    (Role.admin, QuoteStatus.submitted, "needs a supervisor or manager"),
    (Role.supervisor, QuoteStatus.approved, "already approved"),
    (Role.supervisor, QuoteStatus.draft, "is draft, not submitted"),
    (Role.supervisor, QuoteStatus.submitted, None),
])
def test_refusal_says_why_in_plain_words(crew, role, status, reason):
    quote = make.quote(status, owner=crew.member)
    assert ACTIONS["approve_quote"].refusal(quote, crew.actor(role)) == reason


def test_refusal_lists_every_allowed_state(crew):
    order = make.order(OrderStatus.shipped, owner=crew.member)
    assert ACTIONS["cancel_order"].refusal(order, crew.member) == \
        "is shipped, not pending, confirmed or in production"


def test_refusal_checks_scope_before_guard(crew):
    quote = make.quote(QuoteStatus.submitted, owner=crew.member, discount_pct=90)
    action = ACTIONS["approve_quote"]
    assert action.refusal(quote, crew.supervisor, scope=lambda user, row: False) == "not found"
    assert action.refusal(quote, crew.supervisor).startswith("above your approval limit")


def test_string_ids_duplicates_and_unknown_ids(crew):
    quote = make.quote(QuoteStatus.submitted, owner=crew.member)
    result = run_action(db.session, ACTIONS["approve_quote"], crew.supervisor,
                        [str(quote.id), str(quote.id), "999999999", "abc"])
    assert result.done == [quote.id]
    assert result.skipped == {999999999: "not found", "abc": "not found"}


def test_rows_out_of_scope_are_not_found(crew):
    mine = make.quote(QuoteStatus.submitted, owner=crew.member)
    theirs = make.quote(QuoteStatus.submitted)
    result = run_action(db.session, ACTIONS["approve_quote"], crew.supervisor, [mine.id, theirs.id],
                        scope=lambda user, row: row.owner_id == crew.member.id)
    assert result.done == [mine.id]
    assert result.skipped == {theirs.id: "not found"}
    db.session.refresh(theirs)
    assert theirs.status is QuoteStatus.submitted


def test_rows_load_in_one_query(crew):
    from sqlalchemy import event

    quotes = [make.quote(QuoteStatus.submitted, owner=crew.member) for _ in range(4)]
    statements = []
    engine_conn = db.session.connection()

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine_conn, "before_cursor_execute", count)
    try:
        run_action(db.session, ACTIONS["approve_quote"], crew.supervisor, [q.id for q in quotes])
    finally:
        event.remove(engine_conn, "before_cursor_execute", count)
    loads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM quote " in s
             and (" IN (" in s.upper() or "= ANY (" in s.upper())]  # the ids as a list, or one array on PostgreSQL
    assert len(loads) == 1


def test_missing_required_input_changes_nothing(crew):
    quote = make.quote(QuoteStatus.submitted, owner=crew.member)
    db.session.commit()
    before = audit_count()
    with pytest.raises(ActionInputError) as raised:
        run_action(db.session, ACTIONS["reject_quote"], crew.supervisor, [quote.id], {"reason": "  "})
    assert set(raised.value.errors) == {"reason"}
    db.session.refresh(quote)
    assert quote.status is QuoteStatus.submitted
    assert audit_count() == before


def test_invalid_input_is_reported_per_field(crew):
    invoice = make.invoice()
    with pytest.raises(ActionInputError) as raised:
        run_action(db.session, ACTIONS["record_payment"], crew.member, [invoice.id],
                   {"amount": "-5", "method": "cash"})
    assert set(raised.value.errors) == {"amount", "method"}


def test_a_state_change_is_audited_with_before_and_after(crew, clock):
    quote = make.quote(QuoteStatus.submitted, owner=crew.member)
    run_action(db.session, ACTIONS["approve_quote"], crew.supervisor, [quote.id], {"reason": "good customer"})
    [event] = audit_events("approve_quote", "quote", quote.id)
    assert event.user_id == crew.supervisor.id
    assert event.at == clock
    assert event.before == {"status": "submitted", "approved_by_id": None, "approved_at": None,
                            "approval_reason": None}
    assert event.after == {"status": "approved", "approved_by_id": crew.supervisor.id,
                           "approved_at": clock.isoformat(), "approval_reason": "good customer"}
    assert event.reason == "good customer"


def test_the_orm_row_is_fresh_after_the_conditional_update(crew):
    quote = make.quote(QuoteStatus.submitted, owner=crew.member)
    db.session.commit()
    version = quote.version
    run_action(db.session, ACTIONS["approve_quote"], crew.supervisor, [quote.id])
    assert quote.version == version + 2  # the conditional UPDATE, then the ORM flush of approved_by
    quote.notes = "edited after approval"
    db.session.commit()  # would raise StaleDataError if the ORM still held the old version
    db.session.refresh(quote)
    assert quote.notes == "edited after approval" and quote.status is QuoteStatus.approved


def test_someone_else_changing_the_row_first_is_a_lost_race(crew, monkeypatch):
    quote = make.quote(QuoteStatus.submitted, owner=crew.member)
    action = ACTIONS["approve_quote"]

    def someone_else_rejects_it_meanwhile(row, user):
        db.session.execute(update(Quote).where(Quote.id == row.id).values(status=QuoteStatus.rejected),
                           execution_options={"synchronize_session": False})

    monkeypatch.setattr(action, "guard", someone_else_rejects_it_meanwhile)
    result = run_action(db.session, action, crew.supervisor, [quote.id])
    assert result.done == []
    assert result.skipped == {quote.id: LOST_RACE}
    assert audit_events("approve_quote", "quote", quote.id) == []
    db.session.refresh(quote)
    assert quote.status is QuoteStatus.rejected


def test_summary_groups_skip_reasons_with_counts():
    result = ActionResult(ACTIONS["approve_quote"], done=list(range(12)),
                          skipped={1: "above your approval limit", 2: "already approved",
                                   3: "above your approval limit"})
    assert result.summary() == "12 approved, 3 skipped: 2 above your approval limit, 1 already approved"
    assert ActionResult(ACTIONS["flag_rush"], done=[1]).summary() == "1 done"
    assert ActionResult(ACTIONS["start_production"], done=[1, 2]).summary() == "2 in production"


def test_audit_events_are_data_not_objects(crew):
    quote = make.quote(QuoteStatus.submitted, owner=crew.member)
    run_action(db.session, ACTIONS["approve_quote"], crew.supervisor, [quote.id])
    db.session.expire_all()
    [event] = audit_events("approve_quote", "quote", quote.id)
    assert isinstance(event, AuditEvent)
    assert event.after["status"] == "approved" and type(event.after["status"]) is str


def test_the_guard_is_checked_again_on_the_locked_row(crew, monkeypatch):
    quote = make.quote(QuoteStatus.submitted, owner=crew.member)
    action = ACTIONS["approve_quote"]
    real_guard, seen = action.guard, []

    def someone_raises_the_discount_after_the_first_check(row, user):
        seen.append(row.discount_pct)
        if len(seen) == 1:
            db.session.execute(update(Quote).where(Quote.id == row.id).values(discount_pct=90),
                               execution_options={"synchronize_session": False})
        return real_guard(row, user)

    monkeypatch.setattr(action, "guard", someone_raises_the_discount_after_the_first_check)
    result = run_action(db.session, action, crew.supervisor, [quote.id])
    assert seen == [0, 90]
    assert result.skipped == {quote.id: "above your approval limit (15% / 50,000.00)"}
    db.session.refresh(quote)
    assert (quote.status, quote.discount_pct) == (QuoteStatus.submitted, 90)
    assert audit_events("approve_quote", "quote", quote.id) == []
