"""Inline list editing (`column_editable_list`) under the same checks as the edit form.

Flask-Admin's own `ajax/update` checks only that the column is editable in the list. Here the role
must be allowed to edit (the EDIT verb, checked for every endpoint), the row must be in the user's
scope (`get_one`), the field must be in the role's form allowlist, and a posted `version` must still
be the row's; every saved change writes an audit event.
"""
from __future__ import annotations

from flask import abort, request
from flask_admin import expose
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from admin.imports import writable_fields
from models import db
from rules.core import record_event

STALE_MESSAGE = "Not saved: someone else changed this record since you loaded the list. Reload and try again."


class GuardedInlineEditMixin:
    """Replaces `POST <view>/ajax/update/` with a version of it that checks role, scope and allowlist."""

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        submitted = [name for name in request.form if name not in ("list_form_pk", "csrf_token", "version")]
        if len(submitted) != 1:
            abort(400)
        name = submitted[0]
        if name not in (self.column_editable_list or ()) or name not in writable_fields(self, current_user.role):
            abort(403)
        record = self.get_one(request.form.get("list_form_pk", ""))
        if request.form.get("version") not in (None, str(record.version)):
            return STALE_MESSAGE, 409
        form = self.list_form()
        for field in list(form):
            if field.name not in (name, "list_form_pk", "csrf_token"):
                del form[field.name]
        if not form.validate():
            return f"{form[name].label.text}: {'; '.join(str(e) for e in form[name].errors)}", 400
        before = getattr(record, name)
        form[name].populate_obj(record, name)
        after = getattr(record, name)
        record_event(db.session, user=current_user.id, action="inline_edit", entity=self.endpoint,
                     entity_id=record.id, before={name: before}, after={name: after},
                     remote_addr=request.remote_addr)
        try:
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            return STALE_MESSAGE, 409
        except IntegrityError as error:
            from admin.base import describe_integrity_error

            db.session.rollback()
            return f"Not saved: {describe_integrity_error(error)}", 400
        return "Record was successfully saved."
