"""One admin screen for every mapped model: the model's override if it has one, else the generic view."""
from __future__ import annotations

from flask import Blueprint, Flask, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from admin.base import DeskModelView
from admin.headers import csp_nonce
from admin.generate import MENU_ORDER, menu_for, plural_for
from models import db

OVERRIDES: dict[type, type[DeskModelView]] = {}


def register(model: type):
    """Class decorator: use this view class for `model` instead of the generic one."""

    def decorate(view_class: type[DeskModelView]) -> type[DeskModelView]:
        OVERRIDES[model] = view_class
        return view_class

    return decorate


def mapped_models() -> list[type]:
    """Every mapped model, in menu order, then by label."""
    models = [mapper.class_ for mapper in db.Model.registry.mappers]
    return sorted(models, key=lambda m: (MENU_ORDER.index(menu_for(m)), plural_for(m)))


def view_for(model: type) -> DeskModelView:
    view_class = OVERRIDES.get(model, DeskModelView)
    table = model.__tablename__
    return view_class(model, db, name=lazy_gettext(plural_for(model)), category=menu_for(model), endpoint=table)


def build_admin(app: Flask) -> Admin:
    """Create the Admin with the dashboard as its index and a view per model."""
    import admin.views  # noqa: F401  (registers the per-entity overrides)
    import rules  # noqa: F401  (declares the business actions the views offer)
    from admin.dashboard import DashboardView

    app.register_blueprint(Blueprint("desk", __name__, static_folder="static",
                                     static_url_path="/static/desk", template_folder="templates"))
    panel = Admin(
        app,
        name="Sales Support Desk",
        index_view=DashboardView(url="/admin", endpoint="admin"),
        theme=Bootstrap4Theme(base_template="admin/desk_base.html", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    for model in mapped_models():
        panel.add_view(view_for(model))
    for item in panel.menu():  # categories are keyed by their English name, shown translated
        if item.is_category():
            item.name = lazy_gettext(item.name)
    app.jinja_env.globals["menu_html"] = menu_html
    return panel


@pass_context
def menu_html(context, render_menu) -> Markup:
    """The navigation menu, rendered once per role, language and current screen.

    Which entries a user sees depends on their role alone (`RoleAccessMixin`), their names on the
    language, and the highlighted entry on the screen; so the HTML is kept per Admin for each of those.
    """
    view = context.resolve("admin_view")
    role = current_user.role if current_user.is_authenticated else None
    key = (role, str(get_locale()), view.endpoint, request.script_root)
    rendered = view.admin.__dict__.setdefault("rendered_menus", {})
    if key not in rendered:
        rendered[key] = Markup(render_menu())
    return rendered[key]
