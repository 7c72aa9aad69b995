"""Bulk edit: change a few allowed fields on the selected rows, or on every row the list's filter matches.

A view declares `bulk_edit_fields = {Role.supervisor: ("owner", "next_follow_up"), ...}`. The user
picks fields and values, sees a preview (how many rows, a sample of before → after, the rows that
will be skipped and why), then applies it: one transaction, one audit event per row. Rows someone
else saved since the preview (their version moved) are reported and left alone.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from flask import abort, current_app, flash, redirect, request
from flask_babel import gettext
from flask_admin import expose
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import CheckConstraint, literal, not_, select, update
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.sql.util import ClauseAdapter
from wtforms.validators import ValidationError

from admin.access import BULK_EDIT, EDIT
from admin.i18n import translated
from admin.imports import BATCH_ROWS, ImportField, References, fields_named
from admin.listing import list_arguments
from models import db, is_form_field, utcnow
from models.values import value_problem
from rules.core import N_, Phrase, record_event
from rules.forms import as_phrase

SAMPLE_ROWS = 10
OUT_OF_SCOPE = N_("outside your scope, or deleted")
STALE = N_("changed by someone else since the preview")


@dataclass
class BulkPlan:
    """What a bulk edit will do: the rows it changes, with their versions, and the rows it skips."""

    changes: dict  # column key → new value
    labels: dict  # column key → label
    versions: dict = field(default_factory=dict)  # id → version seen
    before: dict = field(default_factory=dict)  # id → {column key: value}
    skipped: dict = field(default_factory=dict)  # id → reason
    unchanged: int = 0

    def sample(self):
        for row_id in list(self.versions)[:SAMPLE_ROWS]:
            yield row_id, [(self.labels[k], self.before[row_id][k], v) for k, v in self.changes.items()]


class BulkEditMixin:
    """`/bulk-edit/` on views that declare `bulk_edit_fields`, plus an "Edit selected" list action."""

    bulk_edit_fields: dict = {}

    def bulk_edit_allowed(self) -> bool:
        if not (self.allows(BULK_EDIT) and self.allows(EDIT)):
            return False
        # Whether any field is left for the role depends on the declarations alone: worked out once per role.
        has_fields = self.__dict__.setdefault("_bulk_edit_fields_left", {})
        if current_user.role not in has_fields:
            has_fields[current_user.role] = bool(self.bulk_edit_choices())
        return has_fields[current_user.role]

    def bulk_edit_choices(self) -> dict[str, ImportField]:
        """The fields this user may change in bulk: the view's list for the role, less hidden columns and
        less the fields only a business action sets (a lead's owner: Reassign lead, with its checks and audit)."""
        return {name: f for name, f in self._declared_bulk_fields().items() if is_form_field(f.column)}

    def bulk_edit_by_action(self) -> list[str]:
        """Labels of the declared fields that only a business action changes, to point the user to it."""
        return [f.label for f in self._declared_bulk_fields().values() if not is_form_field(f.column)]

    def _declared_bulk_fields(self) -> dict[str, ImportField]:
        return fields_named(self, self.bulk_edit_fields.get(current_user.role, ()), current_user.role)

    # The list action for checked rows.
    def init_actions(self) -> None:
        super().init_actions()
        if self.bulk_edit_fields:
            self._actions.append(("bulk_edit", "Edit selected…"))
            self._actions_data["bulk_edit"] = (self._bulk_edit_selected, "Edit selected…", None)

    def is_action_allowed(self, name: str) -> bool:
        if name == "bulk_edit":
            return self.bulk_edit_allowed()
        return super().is_action_allowed(name)

    def _bulk_edit_selected(self, ids):
        return redirect(self.get_url(".bulk_edit_view", ids=",".join(ids)))

    # The page.
    @expose("/bulk-edit/", methods=("GET", "POST"))
    def bulk_edit_view(self):
        if not self.bulk_edit_allowed():
            abort(403)
        choices = self.bulk_edit_choices()
        step = request.form.get("step") if request.method == "POST" else None
        context = {"choices": choices, "ids": request.values.get("ids", ""), "list_args": list_arguments(),
                   "values": request.form, "by_action": self.bulk_edit_by_action()}
        if step is None:
            return self.render("admin/bulk/bulk_edit.html", **context)
        changes, errors = self._submitted_changes(choices)
        if errors:
            for message in errors:
                flash(message, "error")
            return self.render("admin/bulk/bulk_edit.html", **context)
        if step == "preview":
            plan = self.plan_bulk_edit(changes, choices)
            token = self._signer().dumps({"u": current_user.id, "v": plan.versions})
            return self.render("admin/bulk/bulk_edit.html", plan=plan, token=token, **context)
        try:
            seen = self._signer().loads(request.form.get("token", ""))
        except BadSignature:
            abort(400)
        if seen.get("u") != current_user.id:
            abort(400)
        plan = self.apply_bulk_edit(changes, choices, {int(k): v for k, v in seen["v"].items()})
        message = gettext("%(num)d rows updated", num=len(plan.versions))
        if plan.skipped:
            message = gettext("%(done)s, %(num)d skipped: %(reasons)s", done=message, num=len(plan.skipped),
                              reasons=_reasons(plan.skipped))
        flash(message + ".", "warning" if plan.skipped else "success")
        return self.render("admin/bulk/bulk_edit.html", plan=plan, applied=True, **context)

    def _signer(self) -> URLSafeSerializer:
        return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"bulk-edit:{self.endpoint}")

    def _submitted_changes(self, choices) -> tuple[dict, list[str]]:
        """The chosen fields' new values, converted and checked like an import's cells."""
        chosen = [name for name in request.form.getlist("field") if name in choices]
        if not chosen:
            return {}, [gettext("Choose at least one field to change.")]
        changes, errors, references = {}, [], References()
        for name in chosen:
            f = choices[name]
            raw = request.form.get(f"value_{name}", "").strip()
            try:
                if f.target is not None:
                    value = None
                    if raw:
                        references.load(f.target, {raw})
                        value = references.resolve(f.target, raw)
                else:
                    value = f.read(raw)
                if value is None and not f.column.nullable:
                    raise ValueError(N_("cannot be empty."))
                if problem := value_problem(value, f.column):
                    raise ValueError(as_phrase(problem))
            except (ValueError, ValidationError) as error:
                errors.append(f"{f.label}: {translated(error.args[0] if error.args else str(error))}")
                continue
            changes[f.column.key] = value
        return changes, errors

    def _selection(self) -> tuple[object, dict]:
        """The rows chosen (checked ids, or every row the list's filter and search match) and the skipped ids."""
        ids = {int(i) for i in request.values.get("ids", "").split(",") if i.strip().isdigit()}
        if ids:
            visible = self.ids_in_scope(ids)
            query = self.get_query().filter(self.model.id.in_(visible))
            return query, {i: OUT_OF_SCOPE for i in ids - visible}
        return self.matching_query(), {}

    def _current(self, id_query, keys, *, lock=False) -> dict[int, tuple]:
        """id → (version, {key: value}) of the rows `id_query` selects."""
        table = self.model.__table__
        ids = id_query.enable_eagerloads(False).with_entities(self.model.id).order_by(None).subquery()
        query = select(table.c.id, table.c.version, *(table.c[k] for k in keys)).where(table.c.id.in_(select(ids)))
        if lock:
            query = query.with_for_update()
        return {row[0]: (row[1], dict(zip(keys, row[2:]))) for row in db.session.execute(query)}

    def plan_bulk_edit(self, changes: dict, choices, seen: dict | None = None, *, lock=False) -> BulkPlan:
        """Which rows the change applies to, and which it skips and why."""
        labels = {f.column.key: f.label for f in choices.values()}
        plan = BulkPlan(changes, labels)
        query, plan.skipped = self._selection()
        if seen is not None:
            query = self.get_query().filter(self.model.id.in_(list(seen)))
        current = self._current(query, list(changes), lock=lock)
        if seen is not None:
            plan.skipped = {i: OUT_OF_SCOPE for i in seen if i not in current}
        breaking = self._breaking_rows(list(current), changes)
        for row_id, (version, values) in current.items():
            if seen is not None and seen.get(row_id) != version:
                plan.skipped[row_id] = STALE
            elif row_id in breaking:
                plan.skipped[row_id] = Phrase(N_("would break the rule “%(rule)s”"), rule=breaking[row_id])
            elif all(values[k] == v for k, v in changes.items()):
                plan.unchanged += 1
            else:
                plan.versions[row_id], plan.before[row_id] = version, values
        return plan

    def _breaking_rows(self, ids: list[int], changes: dict) -> dict[int, str]:
        """Rows whose CHECK constraints the new values would break (checked by the database itself).

        Each row is read with the new values in place, as a subquery named like the table. A check declared
        as an expression (an enum's `IN (...)`) is adapted to that subquery, its parameters kept: rendered as
        text it lost them. A check declared as text reads the subquery's columns by name.
        """
        from admin.base import _humanize_check

        table = self.model.__table__
        checks = [c for c in table.constraints if isinstance(c, CheckConstraint)
                  and any(re.search(rf"\b{key}\b", str(c.sqltext)) for key in changes)]
        breaking = {}
        for check in checks:
            for start in range(0, len(ids), BATCH_ROWS):
                chunk = ids[start:start + BATCH_ROWS]
                row = select(*(literal(changes[c.key], type_=c.type).label(c.key) if c.key in changes
                               else c for c in table.columns)).where(table.c.id.in_(chunk))
                candidate = row.subquery(table.name)
                rule = Grouping(ClauseAdapter(candidate, adapt_on_names=True).traverse(check.sqltext))
                query = select(candidate.c.id).where(not_(rule))
                for (row_id,) in db.session.execute(query):
                    breaking.setdefault(row_id, _humanize_check(check.name))
        return breaking

    def apply_bulk_edit(self, changes: dict, choices, seen: dict[int, int]) -> BulkPlan:
        """Change the previewed rows that nobody changed since, one audit event each; all or nothing."""
        plan = self.plan_bulk_edit(changes, choices, seen, lock=True)
        table = self.model.__table__
        ids = list(plan.versions)
        now = utcnow()
        for start in range(0, len(ids), BATCH_ROWS):
            chunk = ids[start:start + BATCH_ROWS]
            db.session.execute(update(table).where(table.c.id.in_(chunk))
                               .values(**changes, version=table.c.version + 1, updated_at=now))
        for row_id in ids:
            record_event(db.session, user=current_user.id, action="bulk_edit", entity=self.endpoint,
                         entity_id=row_id, before=plan.before[row_id], after=changes,
                         remote_addr=request.remote_addr)
        db.session.commit()
        return plan


def _reasons(skipped: dict) -> str:
    """'3 changed by someone else since the preview, 1 …' in the user's language, most frequent first."""
    return "; ".join(f"{n} {translated(reason)}" for reason, n in Counter(skipped.values()).most_common())
