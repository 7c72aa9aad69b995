"""Two people edit the same order: the first save stands, the second is refused with who changed what,
and keeps its input. The same check guards inline (list) edits."""
import pytest
from sqlalchemy import func, select

from admin.audit import stale_edit_refusal
from models import AuditEvent, Entity, SalesOrder, User, db
from tests.clients import logged_in
from tests.forms import form_values


def north_order() -> SalesOrder:
    return db.session.scalar(select(SalesOrder).join(User, SalesOrder.owner_id == User.id)
                             .where(User.email == "coordinator@example.com").order_by(SalesOrder.id).limit(1))


def reloaded(order) -> SalesOrder:
    db.session.expire_all()
    return db.session.get(SalesOrder, order.id)


def test_the_second_save_is_refused_and_keeps_its_input(app):
    order = north_order()
    notes_before = order.notes  # None when empty: the form shows it as "" and saves "" back as None
    url = f"/admin/sales_order/edit/?id={order.id}"
    first, second = logged_in(app, "coordinator@example.com"), logged_in(app, "supervisor@example.com")
    first_form = form_values(first.get(url).get_data(as_text=True))
    second_form = form_values(second.get(url).get_data(as_text=True))
    assert first_form["version"] == second_form["version"] == str(order.version)

    assert first.post(url, data={**first_form, "customer_po": "PO-FIRST"}).status_code == 302
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = second.post(url, data={**second_form, "customer_po": "PO-SECOND", "notes": "Second's note"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Not saved: Anna Wiśniewska changed this record (customer_po) at " in page
    shown = form_values(page)
    assert shown["customer_po"] == "PO-SECOND" and shown["notes"] == "Second's note"
    saved = reloaded(order)
    assert saved.customer_po == "PO-FIRST" and saved.notes == notes_before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events

    # Having seen the message, saving the kept input again applies it.
    assert second.post(url, data=shown).status_code == 302
    assert reloaded(order).customer_po == "PO-SECOND"


def test_the_refusal_names_who_changed_what_and_when(app):
    order = north_order()
    url = f"/admin/sales_order/edit/?id={order.id}"
    first = logged_in(app, "manager@example.com")
    form = form_values(first.get(url).get_data(as_text=True))
    assert first.post(url, data={**form, "promised_ship_date": "2031-01-15"}).status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update")
                              .order_by(AuditEvent.id.desc()).limit(1))
    message = stale_edit_refusal(reloaded(order), form["version"])
    assert message.startswith("Not saved: Katarzyna Nowak changed this record (promised_ship_date) at "
                              f"{event.at:%Y-%m-%d %H:%M} UTC")
    assert stale_edit_refusal(reloaded(order), str(reloaded(order).version)) is None


@pytest.fixture
def editable_order_list(app, monkeypatch):
    """The orders list with its customer PO editable in place (x-editable, `ajax/update`)."""
    panel = app.extensions["admin"][0]
    view = next(v for v in panel._views if getattr(v, "model", None) is SalesOrder)
    monkeypatch.setattr(view, "column_editable_list", ["customer_po"])
    monkeypatch.setattr(view, "_list_form_class", view.get_list_form(), raising=False)
    return view


def test_an_inline_edit_with_an_outdated_version_is_refused(app, editable_order_list):
    order = north_order()
    opened_at = order.version
    first, second = logged_in(app, "coordinator@example.com"), logged_in(app, "supervisor@example.com")
    url = "/admin/sales_order/ajax/update/"
    saved = first.post(url, data={"list_form_pk": order.id, "customer_po": "PO-INLINE-1", "version": opened_at})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    refused = second.post(url, data={"list_form_pk": order.id, "customer_po": "PO-INLINE-2",
                                     "version": opened_at})
    assert refused.status_code == 409
    assert "changed this record (customer_po)" in refused.get_data(as_text=True)
    assert reloaded(order).customer_po == "PO-INLINE-1"


def test_every_edit_form_carries_the_version(app):
    from admin.audit import VersionField
    panel = app.extensions["admin"][0]
    versioned = [v for v in panel._views if hasattr(getattr(v, "model", None), "version")]
    entities = {m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, Entity)}
    assert {v.model for v in versioned} == entities and len(entities) >= 28
    for view in versioned:
        assert isinstance(view._edit_form_class().version, VersionField), view.endpoint
