"""The audit trail through the admin: every create, edit and delete, every refused access, and the
History section of each record; edits over someone else's newer save are refused (stale edits)."""
from __future__ import annotations

from flask import Flask, flash, g, request
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound
from wtforms import HiddenField

from models import AuditEvent, db
from rules.core import plain, record_event, snapshot

# Written to the trail as "changed", never as their value.
SECRET_COLUMNS = frozenset({"password_hash"})
HIDDEN = "(hidden)"
# Events that describe a change to the record (a refused look at it does not).
NOT_CHANGES = ("access_refused",)


def audited(values: dict | None) -> dict | None:
    """Values as the trail stores them: plain data, secrets masked."""
    if values is None:
        return None
    return {key: HIDDEN if key in SECRET_COLUMNS else plain(value) for key, value in values.items()}


def changes_between(before: dict, after: dict) -> tuple[dict, dict]:
    """(before, after) of only the columns whose values differ."""
    changed = [key for key in after if plain(after[key]) != plain(before.get(key))]
    return ({key: before.get(key) for key in changed}, {key: after[key] for key in changed})


def history_of(entity: str, entity_id) -> list[AuditEvent]:
    """Every event of one record, newest first."""
    query = (select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    return list(db.session.scalars(query))


def last_change_of(entity: str, entity_id) -> AuditEvent | None:
    """The newest event that changed the record."""
    query = (select(AuditEvent)
             .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id),
                    AuditEvent.action.not_in(NOT_CHANGES))
             .order_by(AuditEvent.id.desc()).limit(1))
    return db.session.scalar(query)


def stale_edit_refusal(record, seen_version) -> str | None:
    """Why saving over `record` is refused when the editor opened it at `seen_version`, or None.

    The one place stale edits are detected: the edit form, inline edits and bulk edits call it.
    `seen_version` may be None or "" (the request did not say which version it edits): not refused.
    """
    if seen_version in (None, ""):
        return None
    if str(seen_version).strip() == str(record.version):
        return None
    event = last_change_of(type(record).__tablename__, record.id)
    if event is None:
        return gettext("Not saved: someone else changed this record after you opened it. "
                       "Your input is kept below; check the record, then save again.")
    fields = ", ".join(sorted((event.after or {}).keys())) or event.action
    return gettext(
        "Not saved: %(who)s changed this record (%(fields)s) at %(when)s UTC, after you opened it. "
        "Your input is kept below; check their change, then save again to apply yours.",
        who=event.user.name if event.user else gettext("the system"),
        fields=fields, when=event.at.strftime("%Y-%m-%d %H:%M"),
    )


class VersionField(HiddenField):
    """The version the editor opened, sent back with the form; never written to the record."""

    def populate_obj(self, obj, name) -> None:
        pass

    def submitted(self):
        """The version the request carried, or None when it carried none."""
        return self.raw_data[0] if self.raw_data else None


class AuditMixin:
    """Audits the admin's creates, edits and deletes, refuses stale edits, and shows a record's History."""

    details_template = "admin/model/details_with_history.html"
    edit_template = "admin/model/edit_with_history.html"

    def history(self, record) -> list[AuditEvent]:
        """The record's events, newest first (for the History section)."""
        return history_of(self.model.__tablename__, record.id)

    # Stale edits: the version travels in the edit form, and in inline edits when the request sends it.
    def get_edit_form(self):
        form_class = super().get_edit_form()
        if "version" not in inspect(self.model).columns:
            return form_class
        return type(form_class.__name__, (form_class,), {"version": VersionField()})

    def update_model(self, form, model) -> bool:
        version_field = getattr(form, "version", None)
        seen = version_field.submitted() if isinstance(version_field, VersionField) else request.form.get("version")
        refusal = stale_edit_refusal(model, seen)
        if refusal:
            flash(refusal, "error")
            if isinstance(version_field, VersionField):
                version_field.data = model.version  # saving again, knowingly, applies this input
            return False
        inspect(model).info["audit_before"] = snapshot(model)
        return super().update_model(form, model)

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        """Inline edits: a request carrying an outdated `version` is refused with 409 and writes nothing."""
        if "version" in request.form and str(request.form.get("list_form_pk", "")).isdigit():
            refusal = stale_edit_refusal(self.get_one(request.form["list_form_pk"]), request.form["version"])
            if refusal:
                return refusal, 409
        return super().ajax_update()

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, StaleDataError):  # someone saved between our read and our write
            db.session.rollback()
            flash(gettext("Not saved: someone else changed this record at the same moment. "
                          "Your input is kept below; check the record, then save again."), "error")
            return True
        return super().handle_view_exception(exc)

    # The audit events, written in the same transaction as the change they describe.
    def on_model_change(self, form, model, is_created: bool) -> None:
        super().on_model_change(form, model, is_created)
        session = db.session
        session.flush()
        if is_created:
            record_event(session, user=current_user, action="create", entity=model.__tablename__,
                         entity_id=model.id, after=audited(snapshot(model)),
                         remote_addr=request.remote_addr)
            return
        before, after = changes_between(inspect(model).info.pop("audit_before", {}), snapshot(model))
        if after:
            record_event(session, user=current_user, action="update", entity=model.__tablename__,
                         entity_id=model.id, before=audited(before), after=audited(after),
                         remote_addr=request.remote_addr)

    def on_model_delete(self, model) -> None:
        super().on_model_delete(model)
        record_event(db.session, user=current_user, action="delete", entity=model.__tablename__,
                     entity_id=model.id, before=audited(snapshot(model)), remote_addr=request.remote_addr)

    # Refused access: a 404 for a record outside the user's scope is recorded (see record_refusals).
    def get_one(self, id):
        try:
            return super().get_one(id)
        except NotFound:
            g.refused_record = (self.model.__tablename__, str(id)[:40])
            raise


def record_refusals(app: Flask) -> None:
    """Audit every 403, and every 404 that hid a record outside the user's scope."""

    @app.after_request
    def audit_refusal(response):
        refused_record = g.pop("refused_record", None)
        if response.status_code != 403 and not (response.status_code == 404 and refused_record):
            return response
        entity, entity_id = refused_record or (None, None)
        try:
            db.session.rollback()  # nothing of the refused request is written, only the refusal
            record_event(db.session, user=current_user if current_user.is_authenticated else None,
                         action="access_refused", entity=entity, entity_id=entity_id,
                         after={"method": request.method, "path": request.path[:200],
                                "status": response.status_code},
                         remote_addr=request.remote_addr)
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            app.logger.exception("could not audit a refused request")
        return response
