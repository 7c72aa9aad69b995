"""Screen defaults read off a model's columns, so a new model gets a sensible view with no code.

- list: the short columns, with each foreign key shown as its related record (`__str__`);
- search: the short, indexed text columns (names, numbers, e-mails, SKUs);
- filters: enum and boolean columns, dates and times (by range), and text from a handful of values (regions);
- forms: an allowlist of the columns people type in, related records picked by ajax lookup.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, Enum, String, Text, inspect
from sqlalchemy.orm import RelationshipProperty
from wtforms.validators import ValidationError

from admin.i18n import translated
from models import CATEGORY, SYSTEM_COLUMNS, is_form_field
from rules.forms import Storable

# Columns only the system sets: never in a form, not in the list.
HIDDEN_COLUMNS = SYSTEM_COLUMNS | {"password_hash", "session_epoch"}
SHORT_TEXT = 254
AJAX_PAGE_SIZE = 10

AREA_MENUS = {
    "people": "Admin",
    "customers": "Pipeline",
    "pipeline": "Pipeline",
    "orders": "Orders",
    "finance": "Finance",
    "service": "Service",
    "targets": "Targets",
    "staff": "Staff",
    "marketing": "Marketing",
    "audit": "Admin",
}
MENU_ORDER = ["Pipeline", "Orders", "Finance", "Service", "Targets", "Staff", "Marketing", "Admin"]

_WORD_LABELS = {"pct": "%", "id": "ID", "sku": "SKU", "rfp": "RFP", "po": "PO", "vat": "VAT"}


def label_for(name: str) -> str:
    """`discount_pct` → 'Discount %', `is_rush` → 'Rush', `customer_po` → 'Customer PO'."""
    name = re.sub(r"^is_", "", name)
    words = [_WORD_LABELS.get(word, word) for word in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def plural_for(model: type) -> str:
    """The menu label: the model's `__plural__`, else its table name in plain English plural."""
    if getattr(model, "__plural__", None):
        return model.__plural__
    words = model.__tablename__.split("_")
    last = words[-1]
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    text = " ".join(words[:-1] + [last])
    return text[:1].upper() + text[1:]


def menu_for(model: type) -> str:
    """The menu group of a model: the area of the `models.<area>` module it is declared in."""
    area = model.__module__.rsplit(".", 1)[-1]
    return AREA_MENUS.get(area, "Admin")


@dataclass(frozen=True)
class ModelShape:
    """What the admin needs to know about a model's columns and relationships."""

    model: type

    @property
    def mapper(self):
        return inspect(self.model)

    def many_to_one(self) -> dict[str, RelationshipProperty]:
        """Relationships to one related record, keyed by their foreign key column's name."""
        relations = {}
        for rel in self.mapper.relationships:
            if rel.direction.name == "MANYTOONE" and not rel.viewonly:
                for column in rel.local_columns:
                    relations[column.key] = rel
        return relations

    def fields(self) -> list[tuple[str, Any]]:
        """(name, column or relationship) in table order, a foreign key replaced by its relationship."""
        relations = self.many_to_one()
        fields = []
        for column in self.mapper.columns:
            if column.key in HIDDEN_COLUMNS:
                continue
            if column.key in relations:
                fields.append((relations[column.key].key, relations[column.key]))
            elif not column.foreign_keys:
                fields.append((column.key, column))
        return fields

    def list_columns(self) -> list[str]:
        return [name for name, field in self.fields() if not _is_long_text(field)]

    def details_columns(self) -> list[str]:
        names = [name for name, _field in self.fields()]
        return names + ["created_at", "updated_at"]

    def form_columns(self) -> list[str]:
        """The allowlist of fields a form accepts: typed values, not ones the system or actions set."""
        return [name for name, field in self.fields() if all(is_form_field(c) for c in _columns_of(field))]

    def searchable_columns(self) -> list[str]:
        return [
            column.key for column in self.mapper.columns
            if _is_short_text(column) and (column.index or column.unique)
            and column.key not in HIDDEN_COLUMNS and column.info != CATEGORY
        ]

    def filter_columns(self) -> list[str]:
        return [
            column.key for column in self.mapper.columns
            if (isinstance(column.type, (Enum, Boolean, Date, DateTime)) or column.info == CATEGORY)
            and column.key not in HIDDEN_COLUMNS
        ]

    def ajax_refs(self) -> dict[str, dict]:
        """An ajax lookup for every related-record picker, searching the target's key text columns."""
        refs = {}
        for rel in self.many_to_one().values():
            fields = ModelShape(rel.mapper.class_).searchable_columns()
            if fields:
                refs[rel.key] = {
                    "fields": fields,
                    "page_size": AJAX_PAGE_SIZE,
                    "minimum_input_length": 0,
                    "placeholder": _l("Search…"),
                }
        return refs

    def form_args(self) -> dict[str, dict]:
        """Form validators read off the table's CHECK constraints, so bad input gets a message, not a 500."""
        bounds: dict[str, Bound] = {}
        for constraint in self.mapper.local_table.constraints:
            if isinstance(constraint, CheckConstraint):
                for column, op, number in _SIMPLE_BOUND.findall(str(constraint.sqltext)):
                    bounds.setdefault(column, Bound()).add(op, float(number))
        return {
            name: {"validators": [bound]}
            for name, bound in bounds.items() if name in self.form_columns()
        }

    def labels(self) -> dict[str, str]:
        names = [name for name, _field in self.fields()] + ["created_at", "updated_at"]
        return {name: label_for(name) for name in names}


def _columns_of(field) -> list:
    return list(field.local_columns) if isinstance(field, RelationshipProperty) else [field]


def _is_short_text(column) -> bool:
    return isinstance(column.type, String) and not isinstance(column.type, (Text, Enum)) and (
        column.type.length is not None and column.type.length <= SHORT_TEXT
    )


def _is_long_text(field) -> bool:
    return not isinstance(field, RelationshipProperty) and isinstance(field.type, Text)


# "quantity > 0", "discount_pct >= 0 AND discount_pct <= 100": one column compared with a number.
_SIMPLE_BOUND = re.compile(r"\b(\w+) (>=|>|<=|<) (-?\d+(?:\.\d+)?)\b")


class StorableValue(Storable):
    """`Storable` (rules/forms.py), its message in the user's language: Flask-Admin shows a field's errors as they are."""

    shown = staticmethod(translated)


class Bound:
    """A form validator for the numeric bounds a CHECK constraint puts on a column."""

    MESSAGES = {
        ">": _l("Must be greater than {n}."),
        ">=": _l("Must be at least {n}."),
        "<": _l("Must be less than {n}."),
        "<=": _l("Must be at most {n}."),
    }

    def __init__(self):
        self.limits: list[tuple[str, float]] = []

    def add(self, op: str, number: float) -> None:
        self.limits.append((op, number))

    COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None or value == "":
            return
        for op, number in self.limits:
            if not self.COMPARE[op](value, number):
                raise ValidationError(str(self.MESSAGES[op]).format(n=f"{number:g}"))
