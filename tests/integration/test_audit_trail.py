"""The audit trail through the admin: exact before/after of edits, creates, deletes, refusals, the
History section, and an append-only table that no endpoint (and on the database, no statement) changes."""
import csv
import io
import json
import re

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from admin.audit import audited, changes_between
from rules.core import record_event
from models import AuditEvent, Product, Role, SalesOrder, db
from tests.forms import form_values


def events_of(entity: str, entity_id) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id)).order_by(AuditEvent.id)))


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def north_order() -> SalesOrder:
    from models import User
    return db.session.scalar(select(SalesOrder).join(User, SalesOrder.owner_id == User.id)
                             .where(User.email == "coordinator@example.com").order_by(SalesOrder.id).limit(1))


def test_an_edit_records_exactly_the_changed_fields_before_and_after(login_as):
    client = login_as(Role.manager)
    order = north_order()
    old_po, old_notes = order.customer_po, order.notes
    form = form_values(client.get(f"/admin/sales_order/edit/?id={order.id}").get_data(as_text=True))
    response = client.post(f"/admin/sales_order/edit/?id={order.id}",
                           data={**form, "customer_po": "PO-AUDIT-1", "notes": "Call before delivery"})
    assert response.status_code == 302
    [event] = [e for e in events_of("sales_order", order.id) if e.action == "update"]
    assert event.before == {"customer_po": old_po, "notes": old_notes}
    assert event.after == {"customer_po": "PO-AUDIT-1", "notes": "Call before delivery"}
    assert event.user.email == "manager@example.com"


def test_saving_an_unchanged_form_records_nothing(login_as):
    client = login_as(Role.manager)
    order = north_order()
    form = form_values(client.get(f"/admin/sales_order/edit/?id={order.id}").get_data(as_text=True))
    before = audit_count()
    assert client.post(f"/admin/sales_order/edit/?id={order.id}", data=form).status_code == 302
    assert audit_count() == before, [(e.action, e.before, e.after) for e in events_of("sales_order", order.id)]


def test_create_and_delete_record_the_row_values(login_as):
    client = login_as(Role.manager)
    form = {"sku": "AUD-001", "name": "Audited panel", "division": "doors", "list_price": "10.00",
            "unit": "pcs", "active": "y"}
    assert client.post("/admin/product/new/", data=form).status_code == 302
    product = db.session.scalar(select(Product).where(Product.sku == "AUD-001"))
    [created] = events_of("product", product.id)
    assert created.action == "create" and created.before is None
    assert created.after["sku"] == "AUD-001" and created.after["list_price"] == "10.00"

    assert client.post("/admin/product/delete/", data={"id": product.id}).status_code == 302
    deleted = events_of("product", product.id)[-1]
    assert deleted.action == "delete" and deleted.after is None
    assert deleted.before["name"] == "Audited panel" and deleted.before["division"] == "doors"


def test_a_refused_screen_is_recorded(login_as):
    client = login_as(Role.coordinator)
    before = audit_count()
    assert client.get("/admin/approval_policy/").status_code == 403
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert audit_count() == before + 1
    assert event.action == "access_refused" and event.user.email == "coordinator@example.com"
    assert event.after == {"method": "GET", "path": "/admin/approval_policy/", "status": 403}


def test_a_record_outside_the_scope_is_a_recorded_404(login_as):
    order = north_order()
    client = login_as("coordinator2@example.com")
    assert client.get(f"/admin/sales_order/details/?id={order.id}").status_code == 404
    [event] = [e for e in events_of("sales_order", order.id) if e.action == "access_refused"]
    assert event.after["status"] == 404 and event.user.email == "coordinator2@example.com"


def test_a_missing_page_is_not_a_refusal(login_as):
    client = login_as(Role.manager)
    before = audit_count()
    assert client.get("/admin/no-such-screen/").status_code == 404
    assert audit_count() == before


def test_history_lists_the_records_events_newest_first(login_as):
    client = login_as(Role.manager)
    order = north_order()
    url = f"/admin/sales_order/edit/?id={order.id}"
    for po in ("PO-H-1", "PO-H-2"):
        form = form_values(client.get(url).get_data(as_text=True))
        assert client.post(url, data={**form, "customer_po": po}).status_code == 302
    page = client.get(f"/admin/sales_order/details/?id={order.id}").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    rows = [int(i) for i in re.findall(r'data-event="(\d+)"', history)]
    assert rows == sorted(rows, reverse=True) and len(rows) >= 2
    newest = history[history.index(f'data-event="{rows[0]}"'):history.index(f'data-event="{rows[1]}"')]
    assert re.search(r"customer_po</b>:\s*<span[^>]*>PO-H-1</span> →\s*PO-H-2", newest)
    assert "Katarzyna Nowak" in newest  # the manager who saved it
    assert 'href="#history"' in page
    edit = client.get(url).get_data(as_text=True)
    assert f"/admin/sales_order/details/?id={order.id}" in edit and "#history" in edit


def test_an_export_is_recorded(login_as):
    client = login_as(Role.manager)
    response = client.get("/admin/sales_order/export/csv/?flt0_status_equals=pending")
    rows = len(list(csv.reader(io.StringIO(response.get_data(as_text=True))))) - 1
    response.close()
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert (event.action, event.entity, event.user.email) == ("export", "sales_order", "manager@example.com")
    assert (event.after["format"], event.after["rows"]) == ("csv", rows)
    assert event.after["list"] == {"flt0_status_equals": "pending"}


def test_secrets_are_never_written_to_the_trail():
    before, after = changes_between({"password_hash": "old", "name": "A"}, {"password_hash": "new", "name": "A"})
    assert audited(after) == {"password_hash": "(hidden)"} and audited(before) == {"password_hash": "(hidden)"}


# --- Append-only ------------------------------------------------------------------------------------

def audit_event_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit_event.")]


@pytest.mark.parametrize("role", [Role.admin, Role.manager])
def test_no_endpoint_changes_or_deletes_an_audit_event(app, login_as, role):
    client = login_as(role)
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id).limit(1))
    kept = (event.id, event.action, json.dumps(event.after, sort_keys=True), event.at)
    before = audit_count()
    tried = 0
    for rule in audit_event_rules(app):
        if rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"id": event.id, "rowid": event.id, "list_form_pk": event.id, "action": "delete",
                    "action_name": "delete", "reason": "tampered", "entity": "x"}
            response = client.open(f"{rule.rule}?id={event.id}", method=method, data=data)
            tried += 1
            if method == "POST" and rule.endpoint != "audit_event.save_view":  # that one saves a list view
                assert response.status_code in {400, 403, 404, 405}, (rule.rule, response.status_code)
    assert tried >= 8  # list, details, new, edit, delete, action, ajax lookup/update, export
    db.session.expire_all()
    event = db.session.get(AuditEvent, kept[0])
    assert (event.id, event.action, json.dumps(event.after, sort_keys=True), event.at) == kept
    # only the refusals themselves were added
    added = db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > 0).order_by(
        AuditEvent.id.desc()).limit(audit_count() - before)).all()
    assert set(added) <= {"access_refused", "export"}


def test_the_database_refuses_to_update_or_delete_audit_events():
    event = record_event(db.session, user=None, action="login_failed", entity="app_user")
    db.session.flush()
    event_id = event.id
    for statement in (update(AuditEvent).where(AuditEvent.id == event_id).values(action="forged"),
                      text("DELETE FROM audit_event WHERE id = :id").bindparams(id=event_id)):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.session.begin_nested():
                db.session.execute(statement)
    assert db.session.get(AuditEvent, event_id).action != "forged"
