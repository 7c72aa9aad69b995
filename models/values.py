"""What a typed value may be, whichever way it arrives (form, inline edit, bulk edit, import, API).

Each check returns the reason a value is refused, in English (wrap it for translation where it is
shown), or None when the value is acceptable. The schema marks e-mail columns with `EMAIL`.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Callable

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT, EMAIL_MAX_LENGTH
from sqlalchemy import BigInteger, Float, Integer, Numeric, SmallInteger

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


def size_problem(value: Decimal | int, kind) -> str | None:
    """A finite number the column type `kind` holds: an integer within its range, a decimal within its
    digits before the point once rounded to its scale (as PostgreSQL rounds it)."""
    if isinstance(kind, Integer):
        bits = 16 if isinstance(kind, SmallInteger) else 64 if isinstance(kind, BigInteger) else 32
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            return "is too large for this field"
    elif isinstance(kind, Numeric) and not isinstance(kind, Float) and kind.precision is not None:
        scale = kind.scale or 0
        if Decimal(value).copy_abs() >= Decimal(10) ** (kind.precision - scale) - Decimal(5).scaleb(-scale - 1):
            return "is too large for this field"
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
