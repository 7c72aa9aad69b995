"""Deny by default: every model's screen has the access its view declares; a new model opens to no one."""
import pytest

import admin.access as profiles
from admin.access import READ, UNDECLARED, access
from admin.base import DeskModelView
from admin.registry import mapped_models, view_for
from models import Role

# Every mapped model and the access profile its screen declares. A model missing here fails the test:
# declare its access in admin/views.py, then list it.
DECLARED = {
    "Account": "SALES_DATA", "Contact": "SALES_DATA", "Lead": "SALES_DATA", "Activity": "SALES_DATA",
    "Quote": "SALES_DATA", "QuoteLine": "SALES_DATA", "SalesOrder": "SALES_DATA", "OrderLine": "SALES_DATA",
    "Shipment": "SALES_DATA", "ReworkRequest": "SALES_DATA", "Invoice": "SALES_DATA",
    "CustomerRequest": "SALES_DATA", "MarketNote": "SALES_DATA",
    "Payment": "SALES_RECORDS", "Product": "REFERENCE", "Campaign": "REFERENCE",
    "Target": "TEAM_PLANNING", "Shift": "TEAM_PLANNING", "TrainingRecord": "TEAM_PLANNING",
    "Appraisal": "TEAM_PLANNING", "Absence": "OWN_REQUESTS", "Overtime": "OWN_REQUESTS",
    "CommissionPlan": "MANAGEMENT", "CommissionStatement": "coordinator reads own, manager everything",
    "User": "ADMINISTRATION", "Team": "ADMINISTRATION", "ApprovalPolicy": "POLICIES",
    "SavedView": "PERSONAL_SETTINGS", "AuditEvent": "AUDIT_TRAIL",
}
NAMED = {name: table for name, table in vars(profiles).items() if name.isupper() and isinstance(table, dict)}
CUSTOM = {"coordinator reads own, manager everything": access(coordinator=profiles.READING,
                                                                manager=profiles.EVERYTHING)}


def declared_table(name: str) -> dict:
    return NAMED.get(name) or CUSTOM[name]


def test_every_mapped_model_is_listed_with_its_access(app):
    assert sorted(model.__name__ for model in mapped_models()) == sorted(DECLARED)


@pytest.mark.parametrize("model", mapped_models(), ids=lambda model: model.__name__)
def test_each_screen_has_the_access_declared_for_its_model(app, model):
    with app.app_context():
        assert view_for(model).access == declared_table(DECLARED[model.__name__])


def test_a_model_with_no_declaration_is_read_only_for_managers_and_admins():
    assert DeskModelView.access == UNDECLARED  # what view_for gives a model with no override
    assert {role for role, verbs in UNDECLARED.items() if verbs} == {Role.manager, Role.admin}
    assert all(verbs <= {READ, profiles.EXPORT} for verbs in UNDECLARED.values())
