"""Language selection: the user's own setting, else the browser's Accept-Language."""
from flask import current_app, request
from flask_login import current_user


def select_locale() -> str | None:
    """The locale for this request."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages)
