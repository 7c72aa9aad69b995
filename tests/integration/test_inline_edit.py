"""Inline list editing: same role, scope and allowlist checks as the edit form, version-guarded, audited."""
import re
from datetime import date

from sqlalchemy import select

from models import AuditEvent, Lead, Role, db
from tests import factories


def inline(client, table, row_id, **values):
    return client.post(f"/admin/{table}/ajax/update/", data={"list_form_pk": str(row_id), **values})


def test_a_coordinator_edits_a_follow_up_inline_and_it_is_audited(login_as, user_of):
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    response = inline(login_as(Role.coordinator), "lead", lead.id, next_follow_up="2030-05-06")
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).next_follow_up == date(2030, 5, 6)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "inline_edit",
                                                        AuditEvent.entity_id == str(lead.id))).one()
    assert event.after == {"next_follow_up": "2030-05-06"} and event.before == {"next_follow_up": None}


def test_another_teams_row_is_not_found(login_as, user_of):
    lead = factories.lead(owner=user_of("coordinator2@example.com"))
    assert inline(login_as(Role.coordinator), "lead", lead.id, next_follow_up="2030-05-06").status_code == 404
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).next_follow_up is None


def test_a_column_not_editable_in_the_list_is_refused(login_as, user_of):
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    assert inline(login_as(Role.coordinator), "lead", lead.id, company="Renamed").status_code == 403


def test_a_stale_version_is_refused(login_as, user_of):
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    response = inline(login_as(Role.coordinator), "lead", lead.id, next_follow_up="2030-05-06",
                      version=str(lead.version - 1 if lead.version > 1 else lead.version + 1))
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).next_follow_up is None


def test_roles_that_may_not_edit_are_refused(login_as, user_of):
    lead = factories.lead(owner=user_of("coordinator@example.com"))
    assert inline(login_as(Role.admin), "lead", lead.id, next_follow_up="2030-05-06").status_code == 403


def test_a_coordinator_sets_a_request_priority_inline(login_as, user_of):
    request = factories.customer_request(owner=user_of("coordinator@example.com"))
    response = inline(login_as(Role.coordinator), "customer_request", request.id, priority="urgent")
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(request), request.id).priority.value == "urgent"


def test_the_lists_editors_are_flask_admins_own_widgets_for_each_row(app, login_as, user_of):
    """The list renders each editable cell from one stamped widget: the HTML Flask-Admin's form per row gives."""
    from flask_login import login_user

    coordinator = user_of("coordinator@example.com")
    leads = [factories.lead(owner=coordinator, next_follow_up=date(2030, 5, 6)),
             factories.lead(owner=coordinator, next_follow_up=None)]
    page = login_as(Role.coordinator).get("/admin/lead/?view=all").get_data(as_text=True)
    view = next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", None) == "lead")
    without_token = lambda html: re.sub(r'data-csrf="[^"]*"', "", str(html))  # noqa: E731
    with app.test_request_context("/admin/lead/details/"):
        login_user(coordinator)
        for lead in leads:
            shown = view._get_list_value(None, lead, "next_follow_up", view.column_formatters,
                                         view.column_type_formatters)
            widget = view.list_form(obj=lead)["next_follow_up"](pk=lead.id, display_value=shown, csrf="")
            assert f'data-pk="{lead.id}"' in str(widget)
            assert without_token(widget) in without_token(page)
