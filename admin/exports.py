"""Exports of the list a user is looking at (scope, search, filters, sort) as CSV, XLSX or JSON.

Rows are streamed in chunks from a server-side cursor (`yield_per`), so memory stays flat whatever
the row count; XLSX goes through openpyxl's write-only workbook into a temporary file. In CSV and
XLSX, text that a spreadsheet would run as a formula is prefixed with `'`; numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from datetime import date, datetime
from decimal import Decimal

from flask import Response, abort, request, stream_with_context
from flask_admin import expose
from flask_login import current_user
from openpyxl import Workbook

from models import db
from rules.core import plain, record_event, today

CHUNK_ROWS = 1000
FILE_CHUNK_BYTES = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
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


class StreamingExportMixin:
    """Replaces Flask-Admin's export (which loads every row first) with streamed, escaped files."""

    export_types = ["csv", "xlsx", "json"]

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        if export_type not in self.export_types:
            abort(404)
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
        for record in self.matching_query().yield_per(CHUNK_ROWS):
            yield [self.get_export_value(record, name) for name in names]

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

    @staticmethod
    def _csv_stream(columns, rows, audit):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([spreadsheet_safe(str(label)) for _name, label in columns])
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
