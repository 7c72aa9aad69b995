"""Error pages: a refused or missing page says so plainly; a failure is logged, never shown as a trace.

Each page first rolls the request's session back: the error may have left it failed, and the page reads
the user (their language) through it. A refusal raised with its own message (`abort(400, message)`)
shows that message.
"""
from flask import Flask, render_template
from flask_babel import lazy_gettext as _l

from models import db

PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood (an expired form? reload the page and try again).")),
    403: (_l("No access"), _l("Your role does not give access to this page or action.")),
    404: (_l("Not found"), _l("There is no such page or record, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("The upload is larger than the panel accepts.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a few minutes, then try again.")),
    500: (_l("Something went wrong"), _l("The error was logged. Nothing was saved; please try again.")),
}


def register_error_pages(app: Flask) -> None:
    """Render every status in PAGES with the shared error template."""
    for status, (title, message) in PAGES.items():
        app.register_error_handler(status, _handler(status, title, message))


def _handler(status, title, message):
    def handle(error):
        db.session.rollback()
        said = getattr(error, "description", None)
        told = said if said and said != getattr(type(error), "description", None) else message
        return render_template("error.html", title=title, message=told), status

    return handle
