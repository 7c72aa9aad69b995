"""The admin side of the business actions: each declared rule becomes a bulk action, a row button
and the standard `POST /admin/<table>/action/` endpoint. The rules core re-checks everything."""
from __future__ import annotations

from collections import Counter
from dataclasses import is_dataclass, replace

from flask import flash, request
from flask_babel import get_locale, gettext, lazy_gettext
from flask_admin.model.template import BaseListRowAction
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from admin.i18n import translated
from models import db
from rules.core import ActionInputError, actions_for, run_action, words


def translated_choices(form):
    """The form's select options in the user's language (the rules declare them in English)."""
    for field in form:
        if getattr(field, "choices", None):
            field.choices = [replace(choice, label=gettext(str(choice.label))) if is_dataclass(choice)
                             else (choice[0], gettext(str(choice[1])), *choice[2:]) for choice in field.choices]
    return form


def form_meta() -> dict:
    """WTForms' own messages ("This field is required.") in the user's language."""
    return {"locales": [str(get_locale() or "en")]}


def describe_result(result) -> str:
    """The run's summary in the user's language: '12 approved, 3 skipped: 2 …; 1 already approved'."""
    verb = words(result.action.target) if result.action.target is not None else "done"
    text = gettext("%(num)d %(verb)s", num=len(result.done), verb=gettext(verb))
    if not result.skipped:
        return text
    reasons = Counter(result.skipped.values()).most_common()
    listed = "; ".join(f"{n} {translated(why)}" for why, n in reasons)
    return gettext("%(done)s, %(num)d skipped: %(reasons)s", done=text, num=len(result.skipped), reasons=listed)


class RuleActionsMenu(BaseListRowAction):
    """One "Actions" menu per row listing the rule actions this user's role may run in the row's state."""

    def __init__(self, actions):
        super().__init__(title="Actions")
        self.actions = actions

    def render(self, context, row_id, row):
        return self.page_renderer(context)(row_id, row)

    def page_renderer(self, context):
        """Renders the menu of any row of this page: what is the same on every row is built once."""
        user = current_user._get_current_object()
        view = context.resolve("admin_view")
        token = escape(context.resolve("csrf_token")())
        form_open = (f'<form class="d-inline-block dropdown ml-1" method="post" '
                     f'action="{escape(view.get_url(".action_view"))}">'
                     f'<input type="hidden" name="csrf_token" value="{token}">')
        after_row_id = (
            f'<input type="hidden" name="url" value="{escape(context.resolve("return_url"))}">'
            f'<button type="button" class="btn btn-sm btn-outline-primary py-0 dropdown-toggle" '
            f'data-toggle="dropdown" aria-haspopup="true" aria-expanded="false">{escape(gettext("Actions"))}</button>'
            f'<div class="dropdown-menu">'
        )
        items = [(action, self._item(action)) for action in self.actions]

        def render_row(row_id, row):
            offered = "".join(item for action, item in items if action.offered(row, user))
            if not offered:
                return ""
            return Markup(f'{form_open}<input type="hidden" name="rowid" value="{escape(row_id)}">'
                          f'{after_row_id}{offered}</div></form>')

        return render_row

    @staticmethod
    def _item(action) -> str:
        confirm = gettext(action.confirm) if action.confirm and action.form is None else None
        onclick = f' data-confirm="{escape(confirm)}"' if confirm else ""
        return (f'<button type="submit" name="action" value="{escape(action.name)}" class="dropdown-item" '
                f'data-action="{escape(action.name)}"{onclick}>{escape(gettext(action.label))}</button>')


class RuleActionsMixin:
    """Adds the model's declared rule actions to a Flask-Admin model view."""

    def rule_actions(self) -> list:
        return actions_for(self.model)

    def init_actions(self) -> None:
        super().init_actions()
        for action in self.rule_actions():
            label = lazy_gettext(action.label)
            confirm = lazy_gettext(action.confirm) if action.confirm and action.form is None else None
            if action.bulk:  # single-row actions are row buttons only
                self._actions.append((action.name, label))
            self._actions_data[action.name] = (self._rule_handler(action), label, confirm)

    def is_action_allowed(self, name: str) -> bool:
        rule = next((a for a in self.rule_actions() if a.name == name), None)
        if rule is not None:
            return current_user.is_authenticated and current_user.role in rule.roles
        return super().is_action_allowed(name)

    def get_list_row_actions(self):
        mine = [action for action in self.rule_actions()
                if current_user.is_authenticated and current_user.role in action.roles]
        return super().get_list_row_actions() + ([RuleActionsMenu(mine)] if mine else [])

    def _rule_handler(self, action):
        def handle(ids):
            return self.run_rule_action(action, ids)

        return handle

    def run_rule_action(self, action, ids):
        """Run a rule on the posted rows; actions with input show their form until it is valid."""
        inputs = None
        if action.form is not None:
            submitted = "_inputs" in request.form
            form = action.form(MultiDict(request.form) if submitted else None, meta=form_meta())
            if not submitted or not form.validate():
                return self._render_action_form(action, form, ids)
            inputs = form.data
        try:
            result = run_action(db.session, action, current_user._get_current_object(), ids, inputs,
                                scope=self.rule_scope())
        except ActionInputError as error:
            form = action.form(MultiDict(request.form), meta=form_meta())
            for field, messages in error.errors.items():
                if field in form:
                    form[field].errors = list(messages)
            return self._render_action_form(action, form, ids)
        flash(describe_result(result), "success" if result.done and not result.skipped else "warning")
        return None

    def rule_scope(self):
        """The rows actions may touch (an SQL condition, or callable(user, row) -> bool); None: all."""
        return None

    def _render_action_form(self, action, form, ids):
        return self.render(
            "admin/rule_action_form.html", action=action, form=translated_choices(form), ids=ids,
            return_url=request.form.get("url") or self.get_url(".index_view"),
        )
