"""Input forms shared by several actions. Field names are the keyword arguments of the action.

Every action form is an `InputForm`: each of its fields first checks that the value is one the database
can store (models/values.py), before the field's own validators compare it or look anything up.
"""
from __future__ import annotations

from decimal import Decimal
from enum import Enum

from sqlalchemy import Integer
from wtforms import DecimalField, Form, IntegerField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation

from models import Money
from models.values import value_problem
from rules.core import Number, Phrase

# The column type an action's number is stored as: amounts are money, counts are integers.
STORED_AS = {DecimalField: Money, IntegerField: Integer()}


def choices_of(states: type[Enum]) -> list[SelectChoice]:
    """A select box's options for an enum: its values, shown by their labels."""
    return [SelectChoice(member.value, member.label) for member in states]


def as_phrase(reason: str) -> str:
    """A reason from models/values.py as a Phrase, its numbers written as the reader's locale writes them."""
    parts = getattr(reason, "parts", None)
    if not parts:
        return reason
    return Phrase(reason.message, **{name: Number(value, "#,##0.##") if isinstance(value, (int, Decimal)) else value
                                     for name, value in parts.items()})


class Storable:
    """A field's value is one its column (or column type) stores; else the field's other checks do not run."""

    field_flags: dict = {}

    def __init__(self, column=None):
        self.column = column

    def __call__(self, form, field) -> None:
        problem = value_problem(field.data, self.column)
        if problem:
            raise StopValidation(self.shown(as_phrase(problem)))

    @staticmethod
    def shown(reason: str) -> str:
        """The message as the field shows it (the rules' forms are translated where they are shown)."""
        return reason


class InputForm(Form):
    """An action's input: every field checks first that its value can be stored."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            stored_as = next((kind for field, kind in STORED_AS.items()
                              if issubclass(unbound_field.field_class, field)), None)
            validators = [Storable(stored_as), *unbound_field.kwargs.get("validators", ())]
            return unbound_field.bind(form=form, validators=validators, **options)


class ReasonForm(InputForm):
    """A required reason: reject, cancel, mark lost, escalate."""

    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])
