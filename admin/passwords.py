"""The password policy: at least 12 characters, and not a common or easily guessed password (zxcvbn)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn's 0–4 scale; 3 = "safely unguessable" against an online attack


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why the password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > 200:
        return str(_l("Use at most 200 characters."))
    verdict = zxcvbn(password, user_inputs=[value for value in user_inputs if value])
    if verdict["score"] < MIN_SCORE:
        warning = verdict["feedback"].get("warning") or ""
        return " ".join(filter(None, [str(_l("This password is too common or too easy to guess.")), warning]))
    return None


class StrongPassword:
    """Form validator for the password policy; an empty field is left to Optional/DataRequired."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        inputs = tuple(str(form[name].data or "") for name in ("email", "name") if name in form)
        problem = password_problem(field.data, user_inputs=inputs)
        if problem:
            raise ValidationError(problem)
