"""The list's bulk delete: every selected row is deleted, or — when any of them is refused — none."""
from sqlalchemy import select

from models import AuditEvent, Quote, QuoteStatus, Role, db
from tests import factories


def delete_selected(client, table, *ids):
    return client.post(f"/admin/{table}/action/", data={"action": "delete", "rowid": [str(i) for i in ids]},
                       follow_redirects=True)


def remaining(*quotes) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(Quote.id).where(Quote.id.in_([q.id for q in quotes]))))


def test_one_refused_row_keeps_every_selected_row(login_as, user_of):
    owner = user_of("coordinator@example.com")
    drafts = [factories.quote(owner=owner, lines=0) for _ in range(2)]
    submitted = factories.quote(QuoteStatus.submitted, owner=owner, lines=0)
    client = login_as(Role.supervisor)

    html = delete_selected(client, "quote", drafts[0].id, submitted.id, drafts[1].id).get_data(as_text=True)

    assert "Nothing was deleted." in html
    assert remaining(*drafts, submitted) == {drafts[0].id, drafts[1].id, submitted.id}
    assert not db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "delete", AuditEvent.entity == "quote",
        AuditEvent.entity_id.in_([str(q.id) for q in (*drafts, submitted)]))).all()


def test_every_selected_row_goes_with_an_audit_event_each(login_as, user_of):
    owner = user_of("coordinator@example.com")
    drafts = [factories.quote(owner=owner, lines=0) for _ in range(3)]
    client = login_as(Role.supervisor)

    html = delete_selected(client, "quote", *(q.id for q in drafts)).get_data(as_text=True)

    assert "3 records deleted." in html
    assert remaining(*drafts) == set()
    events = db.session.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.action == "delete", AuditEvent.entity == "quote",
        AuditEvent.entity_id.in_([str(q.id) for q in drafts]))).all()
    assert sorted(events) == sorted(str(q.id) for q in drafts)


def test_rows_outside_scope_are_not_deleted(login_as, user_of):
    south = factories.quote(owner=user_of("coordinator2@example.com"), lines=0)
    north = factories.quote(owner=user_of("coordinator@example.com"), lines=0)
    client = login_as(Role.supervisor)

    delete_selected(client, "quote", south.id, north.id)

    assert remaining(south, north) == {south.id}
