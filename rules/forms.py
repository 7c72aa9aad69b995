"""Input forms shared by several actions. Field names are the keyword arguments of the action."""
from __future__ import annotations

from enum import Enum

from wtforms import Form, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length


def choices_of(states: type[Enum]) -> list[SelectChoice]:
    """A select box's options for an enum: its values, shown by their labels."""
    return [SelectChoice(member.value, member.label) for member in states]


class ReasonForm(Form):
    """A required reason: reject, cancel, mark lost, escalate."""

    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])
