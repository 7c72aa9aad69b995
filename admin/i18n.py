"""Language selection, the "My language" setting, and dates and numbers formatted for the locale.

The language is the user's own setting, else the browser's Accept-Language. Strings declared where
Flask is not imported (the rules' labels, the schema's names) are translated here, where they are shown.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from flask import Blueprint, Flask, abort, current_app, redirect, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext
from flask_login import current_user, login_required

from models import db
from rules.core import in_language

language = Blueprint("language", __name__)
LANGUAGE_NAMES = {"en": "English", "pl": "Polski"}


def select_locale() -> str | None:
    """The locale for this request."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages)


def translated(text) -> str:
    """A string declared without Flask (marked with `rules.core.N_`, or a `Phrase`), in the user's language."""
    return in_language(text, gettext, str(get_locale() or "en")) if text else text


def format_number(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value, format="#,##0")
    return format_decimal(value, format="#,##0.##")


class remembered_per_locale:
    """A list/details cell formatter that formats each value once per locale.

    A page shows the same states, dates and amounts many times, and the catalogues and the locale data
    do not change while the app runs, so the text is kept (for a few thousand recent values).
    `for_locale` gives the formatter with the locale already read, for a page that formats many cells.
    """

    def __init__(self, format_value):
        self.in_locale = lru_cache(maxsize=4096)(lambda locale, value: format_value(value))

    def __call__(self, view, value, name):
        return self.in_locale(str(get_locale()), value)

    def for_locale(self, locale: str):
        in_locale = self.in_locale
        return lambda view, value, name: in_locale(locale, value)


# List and details cells: dates, times and amounts as the locale writes them (times in the user's zone).
LOCALE_FORMATTERS = {
    datetime: lambda view, value, name: format_datetime(value, "short"),
    date: remembered_per_locale(lambda value: format_date(value, "medium")),
    Decimal: remembered_per_locale(lambda value: format_decimal(value, format="#,##0.00")),
}


@language.post("/language")
@login_required
def set_language():
    """Save the user's language (or clear it, to follow the browser again)."""
    chosen = request.form.get("locale", "")
    if chosen and chosen not in current_app.config["LANGUAGES"]:
        abort(400)
    current_user.locale = chosen or None
    db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("admin.index"))


def init_i18n(app: Flask) -> None:
    """Template filters and globals for locale-aware output, and the language setting."""
    from admin.queues import sla_badge

    app.register_blueprint(language)
    app.jinja_env.filters.update(
        number=lambda v: format_number(v) if v is not None else "",
        date=lambda v: format_date(v, "medium") if v else "",
        datetime=lambda v: format_datetime(v, "short") if v else "",
        translated=translated,
    )
    app.jinja_env.globals.update(sla_badge=sla_badge, language_names=LANGUAGE_NAMES,
                                 current_locale=lambda: str(get_locale() or "en"))
