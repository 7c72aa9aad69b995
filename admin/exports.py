"""Exports of the list a user is looking at (scope, search, filters, sort) as CSV, XLSX or JSON.

Rows are streamed in chunks from a server-side cursor (`yield_per`), so memory stays flat whatever
the row count; XLSX goes through openpyxl's write-only workbook into a temporary file. In CSV and
XLSX, text that a spreadsheet would run as a formula is prefixed with `'`; numbers stay numbers.

Where it can, an export reads no ORM objects: it selects just the exported columns, a related
record as its label (its `__str__`, written in SQL, through a join), and formats each value as
Flask-Admin's export formatters would (`ExportPlan`). On PostgreSQL the CSV is then written by the
server itself (`COPY (SELECT ...) TO STDOUT`), formula escaping included, and only streamed through.
A column the plan cannot express in SQL sends the export down the general path, one ORM row at a time.
"""
from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Callable

from flask import Response, abort, request, stream_with_context
from flask_admin import expose
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import Numeric, String, Text, and_, case, cast, func, inspect, literal, not_
from sqlalchemy.orm import aliased

from models import db
from rules.core import plain, record_event, today

CHUNK_ROWS = 1000
FILE_CHUNK_BYTES = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
PLAIN_NUMBER_SQL = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def spreadsheet_safe(value):
    """The value, with text a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, CR) made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def cell_text(value) -> str:
    """A value as CSV text: dates in ISO form, empty for none."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def xlsx_cell(value):
    """A value openpyxl stores natively (numbers, dates, booleans), anything else as text."""
    if value is None or isinstance(value, (bool, int, float, Decimal, date, datetime)):
        return value
    return str(value)


# --- Export plans: the exported columns read (and on PostgreSQL written) by SQL --------------------

def sql_spreadsheet_safe(text):
    """`spreadsheet_safe` in SQL: `'` before text starting like a formula unless it is a plain number."""
    formula = and_(func.substr(text, 1, 1).in_(FORMULA_STARTS), not_(text.regexp_match(PLAIN_NUMBER_SQL)))
    return case((formula, literal("'") + text), else_=text)


def sql_cell_text(value, python_type):
    """`cell_text` in SQL for a column's own values (NULL for an empty cell); None for other types."""
    if python_type is str:
        return func.nullif(sql_spreadsheet_safe(value), "")
    if python_type is bool:
        return case((value.is_(True), "True"), (value.is_(False), "False"))
    if python_type in (int, Decimal):
        return cast(value, Text)
    if python_type is date:
        return func.to_char(value, "YYYY-MM-DD")
    if python_type is datetime:  # isoformat(): microseconds only when there are some
        fraction = case((func.to_char(value, "US") != "000000", func.to_char(value, ".US")), else_="")
        return func.to_char(value, 'YYYY-MM-DD"T"HH24:MI:SS') + fraction
    return None


class _LabelProbe:
    """Stands in for a record in its `__str__`: each NOT NULL text column reads as a marker of itself."""

    def __init__(self, model):
        self._texts = {attr.key for attr in inspect(model).column_attrs
                       if isinstance(attr.columns[0].type, String) and not attr.columns[0].nullable
                       and getattr(attr.columns[0].type, "enum_class", None) is None}

    def __getattr__(self, key):
        if key not in self._texts:
            raise AttributeError(key)
        return f"\x00{key}\x00"


def label_sql(model, alias):
    """A record's `__str__` as SQL over `alias`, when it only joins NOT NULL text columns; else None."""
    try:
        text = model.__str__(_LabelProbe(model))
    except Exception:  # it reads something else (a related record, a number, a method)
        return None
    parts = re.split("\x00(\\w+)\x00", text) if isinstance(text, str) else []
    if len(parts) < 3 or any("\x00" in literal_part for literal_part in parts[0::2]):
        return None
    pieces = [getattr(alias, part) if n % 2 else literal(part) for n, part in enumerate(parts) if part]
    expression = pieces[0]
    for piece in pieces[1:]:
        expression = expression + piece
    return expression


@dataclass
class PlannedColumn:
    """One exported column: the SQL reading its value, how the value is shown, the SQL writing its CSV cell."""

    value: Any
    shown: Callable[[Any], Any]
    text: Any | None  # None: only Python can write this column's cell


class ExportPlan:
    """The exported columns as SQL (no ORM objects), or None from `of` when a column needs the objects."""

    def __init__(self, columns: list[PlannedColumn], joins: list):
        self.columns, self.joins = columns, joins

    @property
    def server_writable(self) -> bool:
        return all(column.text is not None for column in self.columns)

    @classmethod
    def of(cls, view, names) -> "ExportPlan | None":
        mapper = inspect(view.model)
        columns, joins = [], []
        for name in names:
            if name in (view.column_formatters_export or {}) or name in view._column_choices_map:
                return None
            if name in mapper.column_attrs:
                planned = cls._own(view, name, getattr(view.model, name), mapper.column_attrs[name])
            elif name in mapper.relationships:
                planned = cls._related(view, name, mapper.relationships[name], joins)
            else:
                planned = None
            if planned is None:
                return None
            columns.append(planned)
        return cls(columns, joins)

    @staticmethod
    def _own(view, name, attribute, prop) -> PlannedColumn | None:
        column = prop.columns[0]
        if len(prop.columns) != 1 or getattr(column, "table", None) is not view.model.__table__:
            return None
        shown_none = export_formatted(view, None, name)
        enum_class = getattr(column.type, "enum_class", None)
        if enum_class is not None:
            shown = {member: export_formatted(view, member, name) for member in enum_class}
            text = None
            if shown_none == "" and all(isinstance(v, str) for v in shown.values()):
                text = case({m.name: spreadsheet_safe(v) for m, v in shown.items() if v != ""},
                            value=attribute, else_=None)
            return PlannedColumn(attribute, lambda v: shown_none if v is None else shown[v], text)
        try:
            python_type = column.type.python_type
        except NotImplementedError:
            return None
        if any(issubclass(python_type, kind) for kind in view.column_type_formatters_export if kind is not type(None)):
            return None
        if getattr(column.type, "timezone", False) or isinstance(column.type, Numeric) and not column.type.asdecimal:
            python_type = None  # readable, but only Python writes it the way it is shown
        text = sql_cell_text(attribute, python_type) if shown_none == "" else None
        return PlannedColumn(attribute, lambda v: shown_none if v is None else v, text)

    @staticmethod
    def _related(view, name, relationship, joins) -> PlannedColumn | None:
        if relationship.direction.name != "MANYTOONE" or len(relationship.local_remote_pairs) != 1:
            return None
        target = relationship.mapper.class_
        alias = aliased(target)
        label = label_sql(target, alias)
        if label is None:
            return None
        (local, remote), = relationship.local_remote_pairs
        joins.append((alias, getattr(alias, relationship.mapper.get_property_by_column(remote).key)
                      == getattr(view.model, inspect(view.model).get_property_by_column(local).key)))
        shown_none = export_formatted(view, None, name)
        text = func.nullif(sql_spreadsheet_safe(label), "") if shown_none == "" else None
        return PlannedColumn(label, lambda v: shown_none if v is None else v, text)


def export_formatted(view, value, name: str):
    """A value as Flask-Admin's export shows it (the view's export type formatters)."""
    for kind, formatter in view.column_type_formatters_export.items():
        if isinstance(value, kind):
            return formatter(view, value, name)
    return value


def shown_as_text(value):
    """A related record (or any object) shown by its `__str__`, so it is escaped like other text."""
    if value is None or isinstance(value, (str, bool, int, float, Decimal, date, datetime, Enum)):
        return value
    return str(value)


def driver_parameters(compiled) -> dict:
    """A compiled statement's parameters as the database driver takes them (enums by name, ...)."""
    dialect = compiled.dialect
    processors = {}
    for bind, name in compiled.bind_names.items():
        processors[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
    parameters = {}
    for name, value in compiled.params.items():
        base = name if name in processors else re.sub(r"_\d+$", "", name)
        processor = processors.get(base)
        parameters[name] = processor(value) if processor and value is not None else value
    return parameters


class StreamingExportMixin:
    """Replaces Flask-Admin's export (which loads every row first) with streamed, escaped files."""

    export_types = ["csv", "xlsx", "json"]

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        if export_type not in self.export_types:
            abort(404)
        self.refuse_bad_list_arguments()  # here, not in the stream: a 400 cannot follow the first byte
        columns = list(self._export_columns)
        rows = self._exported_rows(columns)
        filename = f"{self.endpoint}-{today():%Y-%m-%d}.{export_type}"
        writer = {"csv": self._csv_stream, "xlsx": self._xlsx_stream, "json": self._json_stream}[export_type]
        return Response(
            stream_with_context(writer(columns, rows, self._audit_export(export_type, columns))),
            mimetype=MIMETYPES[export_type],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def _exported_rows(self, columns):
        """Each matching row as a list of export values, read in chunks from a server-side cursor."""
        names = [name for name, _label in columns]
        plan = ExportPlan.of(self, names)
        if plan is None:
            for record in self.matching_query().yield_per(CHUNK_ROWS):
                yield [shown_as_text(self.get_export_value(record, name)) for name in names]
            return
        shows = [column.shown for column in plan.columns]
        for row in self._planned_query(plan, [column.value for column in plan.columns]).yield_per(CHUNK_ROWS):
            yield [show(value) for show, value in zip(shows, row)]

    def _planned_query(self, plan: ExportPlan, selected: list):
        """The list's query (scope, search, filters, sort) selecting just `selected`, related labels joined."""
        query = self.matching_query().enable_eagerloads(False).with_entities(*selected)
        for alias, on in plan.joins:
            query = query.outerjoin(alias, on)
        return query

    def _server_csv_rows(self, columns):
        """The CSV lines as PostgreSQL writes them (`COPY ... TO STDOUT`), or None where it cannot."""
        if db.session.get_bind().dialect.name != "postgresql":
            return None
        plan = ExportPlan.of(self, [name for name, _label in columns])
        if plan is None or not plan.server_writable:
            return None
        statement = self._planned_query(plan, [column.text for column in plan.columns]).statement
        compiled = statement.compile(dialect=db.session.get_bind().dialect,
                                     compile_kwargs={"render_postcompile": True})
        return f"COPY ({compiled.string}) TO STDOUT WITH (FORMAT csv)", driver_parameters(compiled)

    def _audit_export(self, export_type: str, columns):
        """A callback recording who exported what (format, filters, columns) and how many rows."""
        arguments = {key: value for key, value in request.args.items() if key != "url"}

        def record(count: int) -> None:
            record_event(db.session, user=current_user.id, action="export", entity=self.endpoint,
                         after={"format": export_type, "rows": count, "list": arguments,
                                "columns": [name for name, _label in columns]},
                         remote_addr=request.remote_addr)
            db.session.commit()

        return record

    def _csv_stream(self, columns, rows, audit):
        header = [spreadsheet_safe(str(label)) for _name, label in columns]
        server = self._server_csv_rows(columns)
        if server is not None:
            yield from self._server_csv_stream(header, *server, audit)
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        count = 0
        for count, row in enumerate(rows, start=1):
            writer.writerow([cell_text(spreadsheet_safe(value)) for value in row])
            if count % 100 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
        audit(count)

    @staticmethod
    def _server_csv_stream(header, sql, parameters, audit):
        """The header, then PostgreSQL's own CSV lines in 64 KB chunks (lines end in LF, as COPY writes them)."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(header)
        yield buffer.getvalue().encode()
        chunk = bytearray()
        with db.session.connection().connection.driver_connection.cursor() as cursor:
            with cursor.copy(sql, parameters) as copy:
                for line in copy:
                    chunk += line
                    if len(chunk) >= FILE_CHUNK_BYTES:
                        yield bytes(chunk)
                        chunk.clear()
            count = cursor.rowcount
        yield bytes(chunk)
        audit(count)

    @staticmethod
    def _json_stream(columns, rows, audit):
        names = [name for name, _label in columns]
        yield "["
        count = 0
        for count, row in enumerate(rows, start=1):
            yield ("," if count > 1 else "") + "\n" + json.dumps(dict(zip(names, plain(row))))
        yield "\n]\n"
        audit(count)

    @staticmethod
    def _xlsx_stream(columns, rows, audit):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([spreadsheet_safe(str(label)) for _name, label in columns])
        count = 0
        for count, row in enumerate(rows, start=1):
            sheet.append([xlsx_cell(spreadsheet_safe(value)) for value in row])
        with tempfile.TemporaryFile(suffix=".xlsx") as file:
            workbook.save(file)
            audit(count)
            file.seek(0)
            while chunk := file.read(FILE_CHUNK_BYTES):
                yield chunk
