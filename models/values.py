"""What a typed value may be, whichever way it arrives (form, inline edit, bulk edit, import, API).

Each check returns the reason a value is refused, in English (wrap it for translation where it is
shown), or None when the value is acceptable. The schema marks e-mail columns with `EMAIL`.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from email_validator import EmailNotValidError, validate_email

# Column `info` marker: the column holds an e-mail address.
EMAIL = {"kind": "email"}


def is_email_column(column) -> bool:
    return column.info.get("kind") == "email"


def text_problem(value: str) -> str | None:
    """Text the database can store: no NUL character, no lone surrogate."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains characters that are not valid text"
    return None


def number_problem(value) -> str | None:
    """A finite number: not NaN, not infinite."""
    try:
        number = value if isinstance(value, (int, Decimal)) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return "is not a number"
    if isinstance(number, Decimal) and not number.is_finite():
        return "is not a finite number"
    if isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number"
    return None


def email_problem(value: str) -> str | None:
    """An e-mail address by its syntax (no DNS lookup: the panel runs on closed networks)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return "is not an e-mail address"
    return None
