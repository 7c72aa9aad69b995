"""Bulk edit: the rows chosen (or every row the filter matches), a preview, then all or nothing with audit."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update

from models import AuditEvent, Lead, Role, Target, db
from tests import factories

NEW_DATE = "2031-03-04"


def bulk_edit(client, table, query="", **form):
    return client.post(f"/admin/{table}/bulk-edit/{query}", data=form)


def test_every_row_matching_the_filter_and_no_row_outside_scope(login_as, user_of):
    def bulk_lead(owner, source):
        return factories.lead(owner=user_of(owner), source=source, company=factories.unique("Bulkmatch"))

    north = [bulk_lead("coordinator@example.com", "trade_show") for _ in range(25)]  # more than a page
    other_source = bulk_lead("coordinator@example.com", "web")
    south = bulk_lead("coordinator2@example.com", "trade_show")
    client = login_as(Role.supervisor)
    query = "?search=Bulkmatch&flt0_source_equals=trade_show"

    preview = bulk_edit(client, "lead", query, step="preview", field="next_follow_up",
                        value_next_follow_up=NEW_DATE)
    html = preview.get_data(as_text=True)
    assert "25 rows will change" in html
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    applied = bulk_edit(client, "lead", query, step="apply", field="next_follow_up",
                        value_next_follow_up=NEW_DATE, token=token)
    assert applied.status_code == 200

    db.session.expire_all()
    changed = set(db.session.scalars(select(Lead.id).where(Lead.next_follow_up == date(2031, 3, 4))))
    assert changed == {lead.id for lead in north}
    assert other_source.id not in changed and south.id not in changed
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bulk_edit",
                                                         AuditEvent.entity == "lead")).all()
    assert {int(e.entity_id) for e in events} == changed
    assert all(e.after == {"next_follow_up": NEW_DATE} for e in events)


def test_rows_saved_by_someone_else_after_the_preview_are_reported_not_overwritten(login_as, user_of):
    leads = [factories.lead(owner=user_of("coordinator@example.com"), region="Staleland",
                            company=factories.unique("Staleco")) for _ in range(3)]
    client = login_as(Role.coordinator)
    query = "?search=Staleco"
    html = bulk_edit(client, "lead", query, step="preview", field="region", value_region="Freshland").get_data(as_text=True)
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    db.session.execute(update(Lead).where(Lead.id == leads[0].id)
                       .values(notes="someone else", version=Lead.version + 1))

    html = bulk_edit(client, "lead", query, step="apply", field="region", value_region="Freshland",
                     token=token).get_data(as_text=True)

    assert "2 rows updated, 1 skipped: 1 changed by someone else since the preview" in html
    db.session.expire_all()
    assert [db.session.get(Lead, lead.id).region for lead in leads] == ["Staleland", "Freshland", "Freshland"]


def test_selected_rows_of_another_team_are_skipped(login_as, user_of):
    mine = factories.lead(owner=user_of("coordinator@example.com"))
    theirs = factories.lead(owner=user_of("coordinator2@example.com"))
    client = login_as(Role.coordinator)
    html = bulk_edit(client, "lead", step="preview", ids=f"{mine.id},{theirs.id}", field="region",
                     value_region="Picked").get_data(as_text=True)
    assert "1 rows will change" in html and "1 will be skipped" in html
    assert f"<tr><td>{theirs.id}</td><td>outside your scope, or deleted</td></tr>" in html


def test_rows_the_new_value_would_break_a_constraint_for_are_skipped(login_as, user_of):
    coordinator = user_of("coordinator@example.com")
    early = factories.target(user_id=coordinator.id, period=(date(2030, 1, 1), date(2030, 1, 31)),
                             target_value=Decimal("123.45"))
    late = factories.target(user_id=coordinator.id, period=(date(2030, 3, 1), date(2030, 3, 31)),
                            target_value=Decimal("123.45"))
    client = login_as(Role.supervisor)
    html = bulk_edit(client, "target", step="preview", ids=f"{early.id},{late.id}", field="period_end",
                     value_period_end="2030-02-15").get_data(as_text=True)
    assert "1 rows will change" in html
    assert f"<tr><td>{late.id}</td><td>would break the rule “period order”</td></tr>" in html


def test_a_bad_value_is_a_message_and_changes_nothing(login_as, user_of):
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    html = bulk_edit(login_as(Role.coordinator), "lead", step="preview", ids=str(lead.id),
                     field="next_follow_up", value_next_follow_up="someday").get_data(as_text=True)
    assert "“someday” is not a date" in html and "rows will change" not in html


def test_fields_outside_the_role_allowlist_are_not_offered_or_accepted(login_as, user_of):
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    client = login_as(Role.coordinator)
    assert 'value="owner"' not in client.get(f"/admin/lead/bulk-edit/?ids={lead.id}").get_data(as_text=True)
    html = bulk_edit(client, "lead", step="preview", ids=str(lead.id), field="owner",
                     value_owner="coordinator@example.com").get_data(as_text=True)
    assert "Choose at least one field to change." in html


def test_supervisors_reassign_owners_in_bulk_within_their_team(login_as, user_of):
    account = factories.account(owner=user_of("coordinator@example.com"))
    client = login_as(Role.supervisor)
    html = bulk_edit(client, "account", step="preview", ids=str(account.id), field="owner",
                     value_owner="coordinator2@example.com").get_data(as_text=True)
    assert "no app user “coordinator2@example.com” that you may use." in html


def test_a_lead_owner_changes_only_through_the_reassign_action(login_as, user_of):
    """Reassigning also records when and moves new leads to assigned: bulk edit points to the action."""
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    client = login_as(Role.supervisor)
    page = client.get(f"/admin/lead/bulk-edit/?ids={lead.id}").get_data(as_text=True)
    assert 'value="owner"' not in page
    assert "Owner: changed only through the list’s actions (With selected)" in page
    html = bulk_edit(client, "lead", step="preview", ids=str(lead.id), field="owner",
                     value_owner="coordinator@example.com").get_data(as_text=True)
    assert "Choose at least one field to change." in html
    db.session.refresh(lead)
    assert lead.owner_id == user_of("coordinator@example.com").id and lead.version == 1


def test_roles_without_bulk_edit_are_refused(login_as):
    assert login_as(Role.admin).get("/admin/lead/bulk-edit/").status_code == 403


def test_coordinators_cannot_bulk_edit_targets(login_as):
    assert login_as(Role.coordinator).get("/admin/target/bulk-edit/").status_code == 403


def test_an_unknown_filter_is_refused_rather_than_widening_to_every_row(login_as):
    response = bulk_edit(login_as(Role.supervisor), "lead", "?flt0_company_equals=North", step="preview",
                         field="region", value_region="Anywhere")
    assert response.status_code == 400
