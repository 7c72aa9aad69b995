"""A generated screen for every mapped model, reachable and working on seeded data."""
import pytest
from sqlalchemy import select

from admin.generate import MENU_ORDER
from admin.registry import mapped_models
from models import AuditEvent, Payment, Role, SavedView, db
from tests.conftest import DEMO_LOGINS
from tests.integration.access_support import may_change, user

MODELS = mapped_models()
# Written by the system, or (saved views) made on the lists themselves with "Save this view".
CREATABLE = [m for m in MODELS if m not in (AuditEvent, Payment, SavedView)]


def view_of(app, model):
    panel = app.extensions["admin"][0]
    return next(v for v in panel._views if getattr(v, "model", None) is model)


def test_every_mapped_model_has_a_view_at_its_table_name(app):
    assert len(MODELS) >= 29
    for model in MODELS:
        view = view_of(app, model)
        assert view.endpoint == model.__tablename__
        assert view.url == f"/admin/{model.__tablename__}"


def test_menu_is_grouped_by_area(app):
    panel = app.extensions["admin"][0]
    categories = [item.name for item in panel.menu() if item.is_category()]
    assert categories == MENU_ORDER
    labels = {view.endpoint: (view.category, view.name) for view in panel._views if hasattr(view, "model")}
    assert labels["quote"] == ("Orders", "Quotes")
    assert labels["sales_order"] == ("Orders", "Sales orders")
    assert labels["lead"] == ("Pipeline", "Leads")
    assert labels["activity"] == ("Pipeline", "Activities")
    assert labels["invoice"] == ("Finance", "Invoices")
    assert labels["customer_request"] == ("Service", "Customer requests")
    assert labels["overtime"] == ("Staff", "Overtime")
    assert labels["approval_policy"] == ("Admin", "Approval policies")
    assert labels["app_user"] == ("Admin", "Users")


def role_that_can(app, model, verb) -> Role:
    """The manager for sales data, the admin for administration: whoever the view allows `verb`."""
    access = view_of(app, model).access
    return next(role for role in (Role.manager, Role.admin) if verb in access[role])


def test_every_entity_is_edited_by_someone_except_the_written_by_the_system(app):
    for model in MODELS:
        access = view_of(app, model).access
        editable = any("edit" in verbs for verbs in access.values())
        assert editable == (model not in (AuditEvent, Payment)), model.__tablename__


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__tablename__)
def test_list_and_details_pages_answer_on_seeded_data(app, login_as, model):
    reader = role_that_can(app, model, "read")
    client = login_as(reader)
    table = model.__tablename__
    listing = client.get(f"/admin/{table}/", follow_redirects=True)  # to the role's default view, if any
    assert listing.status_code == 200, table
    ids = db.session.scalars(select(model.id).order_by(model.id)).all()
    assert ids, f"the demo data has no {table}"
    view, reader_user = view_of(client.application, model), user(DEMO_LOGINS[reader])
    record_id = next((i for i in ids if may_change(view, reader_user, i)), ids[0])  # one it may edit
    details = client.get(f"/admin/{table}/details/?id={record_id}")
    assert details.status_code == 200, table
    edit = client.get(f"/admin/{table}/edit/?id={record_id}")
    assert edit.status_code == (200 if "edit" in view_of(client.application, model).access[reader] else 403)


@pytest.mark.parametrize("model", CREATABLE, ids=lambda m: m.__tablename__)
def test_create_page_answers(app, login_as, model):
    client = login_as(role_that_can(app, model, "create"))
    assert client.get(f"/admin/{model.__tablename__}/new/").status_code == 200


def test_audit_trail_has_no_create_edit_or_delete(login_as):
    client = login_as(Role.admin)  # the login itself is an audit event
    assert client.get("/admin/audit_event/new/").status_code == 403
    event_id = db.session.scalar(select(AuditEvent.id).limit(1))
    assert client.get(f"/admin/audit_event/edit/?id={event_id}").status_code == 403
    assert client.post("/admin/audit_event/delete/", data={"id": event_id}).status_code == 403
    assert db.session.get(AuditEvent, event_id) is not None


def test_generated_defaults_follow_column_types(app):
    view = view_of(app, __import__("models").Lead)
    assert "status" in view.column_filters and "source" in view.column_filters
    assert "next_follow_up" in view.column_filters
    assert "company" in view.column_searchable_list
    assert "owner" in view.column_list and "owner_id" not in view.column_list
    assert "owner" in view.form_ajax_refs
    assert "version" not in view.form_columns and "created_at" not in view.form_columns


def test_related_records_are_picked_by_ajax_lookup(login_as):
    client = login_as(Role.manager)
    page = client.get("/admin/quote/new/").get_data(as_text=True)
    assert 'data-role="select2-ajax"' in page
    assert 'data-url="/admin/quote/ajax/lookup/?name=account"' in page
    result = client.get("/admin/quote/ajax/lookup/?name=account&query=&offset=0")
    assert result.status_code == 200
    rows = result.get_json()
    assert 0 < len(rows) <= 10
    assert all(isinstance(label, str) and label for _id, label in rows)


def test_enum_states_are_shown_with_labels(login_as):
    client = login_as(Role.manager)
    page = client.get("/admin/sales_order/").get_data(as_text=True)
    assert "Ready to ship" in page or "In production" in page
    assert "OrderStatus." not in page


def test_list_filter_on_an_enum_narrows_the_list(login_as):
    from models import SalesOrder, OrderStatus

    client = login_as(Role.manager)
    view_page = client.get("/admin/sales_order/").get_data(as_text=True)
    assert "Status" in view_page
    rush = db.session.scalars(select(SalesOrder).where(SalesOrder.status == OrderStatus.ready_to_ship)).all()
    assert rush
    arg = _filter_arg(client, "sales_order", "Status", "equals")
    assert arg == "status_equals"
    page = client.get(f"/admin/sales_order/?flt0_{arg}=ready_to_ship&page_size=100").get_data(as_text=True)
    for order in rush[:5]:
        assert order.number in page
    other = db.session.scalar(select(SalesOrder).where(SalesOrder.status == OrderStatus.pending))
    assert other.number not in page


def test_a_region_is_filtered_by_not_searched(login_as):
    from models import Lead

    view = view_of(login_as(Role.manager).application, Lead)
    assert "region" in view.column_filters and "region" not in view.column_searchable_list
    client = login_as(Role.manager)
    arg = _filter_arg(client, "lead", "Region", "equals")
    region = db.session.scalar(select(Lead.region).where(Lead.region.is_not(None)).limit(1))
    expected = db.session.scalar(select(db.func.count()).select_from(Lead).where(Lead.region == region))
    assert 0 < expected < db.session.scalar(select(db.func.count()).select_from(Lead))
    page = client.get("/admin/lead/", query_string={f"flt0_{arg}": region}).get_data(as_text=True)
    assert f"List ({expected:,})" in page


def _filter_arg(client, table, label, operation):
    """The URL name Flask-Admin gave a filter (the part after `flt0_`)."""
    import json
    import re

    page = client.get(f"/admin/{table}/").get_data(as_text=True)
    data = json.loads(re.search(r'id="filter-groups-data"[^>]*>(.*?)</div>', page, re.S).group(1))
    for option in data[label]:
        if option["operation"] == operation:
            return option["arg"]
    raise AssertionError(f"no {label} {operation} filter")
