"""What a typed value may be, whichever way it arrives (form, inline edit, bulk edit, import, API).

Each check returns the reason a value is refused, in English (wrap it for translation where it is
shown), or None when the value is acceptable. The schema marks e-mail columns with `EMAIL`.
A reason with a number in it is a `Reason`: its `message` and `parts` let it be shown in another language.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Callable

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT, EMAIL_MAX_LENGTH
from sqlalchemy import BigInteger, Integer, Numeric, SmallInteger

# Column `info` marker: the column holds an e-mail address.
EMAIL = {"kind": "email"}

# The whole numbers each integer type holds (PostgreSQL's ranges; SQLite holds any of them).
INTEGER_BITS = ((BigInteger, 64), (SmallInteger, 16), (Integer, 32))


def N_(text: str) -> str:
    """Marks a reason for translation (`babel.cfg` extracts this module); shown translated where it is shown."""
    return text


class Reason(str):
    """A reason with parts (`%(limit)s`): reads as English; `message % parts` again in the reader's language."""

    def __new__(cls, message: str, **parts):
        reason = super().__new__(cls, message % {name: f"{value:,}" if isinstance(value, (int, Decimal)) else value
                                                 for name, value in parts.items()})
        reason.message, reason.parts = message, parts
        return reason


def is_email_column(column) -> bool:
    return column.info.get("kind") == "email"


def text_problem(value: str) -> str | None:
    """Text the database can store: no NUL character, no lone surrogate."""
    if "\x00" in value:
        return N_("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return N_("contains characters that are not valid text")
    return None


def number_problem(value) -> str | None:
    """A finite number: not NaN, not infinite."""
    try:
        number = value if isinstance(value, (int, Decimal)) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return N_("is not a number")
    if isinstance(number, Decimal) and not number.is_finite():
        return N_("is not a finite number")
    if isinstance(value, float) and not math.isfinite(value):
        return N_("is not a finite number")
    return None


def email_problem(value: str) -> str | None:
    """An e-mail address by its syntax (no DNS lookup: the panel runs on closed networks)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return N_("is not an e-mail address")
    return None


def number_range(column) -> tuple[Decimal, Decimal] | None:
    """The least and the largest number a column (or column type) holds; None: no limit."""
    kind = getattr(column, "type", column)
    for integer, bits in INTEGER_BITS:
        if isinstance(kind, integer):
            return Decimal(-2 ** (bits - 1)), Decimal(2 ** (bits - 1) - 1)
    if isinstance(kind, Numeric) and kind.precision is not None:
        scale = kind.scale or 0
        largest = Decimal(10) ** (kind.precision - scale) - Decimal(10) ** -scale
        return -largest, largest
    return None


def digits_problem(value, column) -> Reason | None:
    """A finite number within what the column holds: Numeric(12, 2) at most 9,999,999,999.99, Integer 32 bits."""
    bounds = number_range(column)
    if bounds is None:
        return None
    low, high = bounds
    if value > high:
        return Reason(N_("is larger than %(limit)s, the most this field holds"), limit=high)
    if value < low:
        return Reason(N_("is smaller than %(limit)s, the least this field holds"), limit=low)
    return None


def value_problem(value, column) -> str | None:
    """The first rule a value of `column` (or of a column type) breaks, by its type; None: it may be stored."""
    if isinstance(value, str):
        if problem := text_problem(value):
            return problem
        if value and hasattr(column, "info") and is_email_column(column):
            return email_problem(value)
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return number_problem(value) or digits_problem(value, column)
    return None


def email_checker() -> Callable[[str], str | None]:
    """`email_problem` for many addresses, each domain validated once (checking the domain is most of the work)."""
    domains: dict[str, str | None] = {}

    def problem(value: str) -> str | None:
        local, _at, domain = value.rpartition("@")
        # email_validator takes an ASCII dot-atom local part as it is; the rest depends on the domain alone
        if not (value.isascii() and len(value) <= EMAIL_MAX_LENGTH and DOT_ATOM_TEXT.match(local)):
            return email_problem(value)
        if domain not in domains:
            domains[domain] = email_problem(f"a@{domain}")
        return domains[domain]

    return problem
