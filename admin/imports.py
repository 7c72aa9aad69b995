"""Imports from CSV and XLSX: match columns by header, check every line, then load all of it or nothing.

An importable view declares `importing = Importing(keys=..., polish=...)` (admin/views.py). A line
updates the row its natural key finds, or creates one. Only the fields the role may type in a form
are written, only references the user may see are accepted, and every written row must stay in the
user's scope. The check ("dry run") is the import itself, rolled back; problems are listed by line,
column and message, and a file with any problem loads nothing.

Large files: each column's reader is chosen once; natural keys and scope are looked up in batches
(on PostgreSQL in one statement, the values as one array parameter). Lines that set the same columns
are written together in one savepoint: on PostgreSQL new rows are streamed by one `COPY` (their ids
drawn from the table's sequence first), which the database takes in while the next rows are made;
elsewhere a thousand rows per statement. When the database refuses a group, it is tried again a
thousand lines at a time, and a refused thousand line by line, to name the lines it refuses. Every
row created or updated gets its own audit event, written the same way (`models.bulk.insert_rows`).

Hostile files: a CSV's encoding is found (`decoded`), and a workbook is held to the import's limits
from its zip directory and a streamed count of rows before openpyxl parses it (`_xlsx_lines`); cells
pass the checks of `models.values`. Whatever happens, the streamed page ends with an outcome.
"""
from __future__ import annotations

import codecs
import csv
import gc
import io
import re
import zipfile
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from types import SimpleNamespace
from typing import Iterator

from flask import Response, abort, current_app, flash, get_template_attribute, request, stream_with_context
from flask_babel import force_locale, gettext
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup
from openpyxl import load_workbook
from sqlalchemy import Boolean, Date, DateTime, Enum, Integer, Numeric, String, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError
from wtforms.validators import ValidationError

from admin.exports import FORMULA_STARTS
from admin.generate import ModelShape, label_for
from admin.i18n import translated
from admin.audit import audited
from models import AuditEvent, db, utcnow
from models.bulk import BATCH_ROWS, batches, copying, insert_rows, member_of, on_postgresql, update_rows
from rules.forms import as_phrase
from models.values import digits_problem, email_checker, is_email_column, number_problem, text_problem
from rules.core import N_, Phrase, _event_row, record_event

IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_ROWS = 200_000
PROGRESS_EVERY = 5000
TRUE_WORDS = {"1", "true", "yes", "y", "tak", "t", "prawda"}
FALSE_WORDS = {"0", "false", "no", "n", "nie", "f", "fałsz", ""}


@dataclass(frozen=True)
class Importing:
    """How an entity's rows are read from a spreadsheet.

    `keys`: the natural keys tried in order to find the row a line updates (each a tuple of field
    names); without keys every line creates a row. `polish`: field name → its Polish column header.
    """

    keys: tuple[tuple[str, ...], ...] = ()
    polish: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str


class BadFile(ValueError):
    """The file cannot be read at all (wrong type, too big, no header)."""


@dataclass
class Outcome:
    """What an import did, or would do."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False
    encoding: str | None = None  # the text encoding a CSV file was read in

    def summary(self) -> str:
        """'Imported 12 rows: 3 created, 8 updated, 1 unchanged.' (a Phrase: shown in the user's language)."""
        message = (N_("Imported %(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                   if self.applied else
                   N_("Would import %(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."))
        return Phrase(message, rows=self.rows, created=self.created, updated=self.updated, unchanged=self.unchanged)


def reason_of(error: Exception) -> str:
    """The message an error was raised with, kept a `Phrase` when it is one (so it can be translated)."""
    return error.args[0] if error.args and isinstance(error.args[0], str) else str(error)


def normalized(header) -> str:
    """A header as compared: case, spaces and underscores do not matter."""
    return re.sub(r"[\s_]+", "", str(header or "")).lower()


def unescaped(text: str) -> str:
    """Text as typed, without the `'` an export puts before formula-like text."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


# --- Reading files ---------------------------------------------------------------------------------

@dataclass
class Table:
    """A file as read: its header, the (line number, cells) of each non-empty line after it, and for a CSV
    file the name of the text encoding it was read in."""

    header: list
    lines: Iterator[tuple[int, list]]
    encoding: str | None = None


def read_table(data: bytes, filename: str) -> Table:
    """The header and lines of a CSV or XLSX file; a file that cannot be read raises BadFile."""
    if len(data) > IMPORT_MAX_BYTES:
        raise BadFile(Phrase(N_("The file is larger than %(size)d MB."), size=IMPORT_MAX_BYTES // (1024 * 1024)))
    kind = filename.rsplit(".", 1)[-1].lower()
    encoding = None
    if kind == "xlsx":
        lines = _xlsx_lines(data)
    elif kind == "csv":
        text, encoding = decoded(data)
        lines = _csv_lines(text)
    else:
        raise BadFile(N_("Choose a .csv or .xlsx file."))
    numbered = ((number, cells) for number, cells in enumerate(lines, start=1)  # (cells: a list)
                if cells.count(None) + cells.count("") < len(cells))
    first = next(numbered, None)
    if first is None:
        raise BadFile(N_("The file is empty: the first line must name the columns."))
    return Table(list(first[1]), numbered, encoding)


# The encodings a CSV file is read in. UTF-8 first: it checks itself (other bytes are not UTF-8).
# Then Polish Excel's "CSV" (Windows-1250) and ISO-8859-2, which differ in ą, ś, ź and their capitals:
# both read almost any bytes, so the one that reads more Polish letters wins (Windows-1250 on a tie,
# the more common), and one that reads control characters is not text at all.
UTF8, UTF8_BOM = "UTF-8", N_("UTF-8 with BOM")
SINGLE_BYTE = {"Windows-1250": "cp1250", "ISO-8859-2": "iso-8859-2"}
POLISH_LETTERS = re.compile("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def decoded(data: bytes) -> tuple[str, str]:
    """A CSV file's text and the name of its encoding: UTF-8 (with or without BOM), Windows-1250 or ISO-8859-2."""
    has_bom = data.startswith(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8-sig"), UTF8_BOM if has_bom else UTF8
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
    if has_bom or mostly_utf8(data):
        raise BadFile(Phrase(N_("Line %(line)d is not UTF-8 text, though the rest of the file is: "
                                "save the whole file as UTF-8."), line=line))
    readings = {name: data.decode(codec) for name, codec in SINGLE_BYTE.items() if _decodes(data, codec)}
    texts = {name: text for name, text in readings.items() if not CONTROL.search(text)}
    if not texts:
        raise BadFile(Phrase(N_("The file is not UTF-8 text (line %(line)d), nor Windows-1250 or ISO-8859-2: "
                                "choose a CSV file saved as text."), line=line))
    name = max(texts, key=lambda name: len(POLISH_LETTERS.findall(texts[name])))  # the first on a tie
    return texts[name], name


def mostly_utf8(data: bytes) -> bool:
    """Whether more non-ASCII lines are UTF-8 than not (a UTF-8 file with a line pasted from elsewhere)."""
    utf8 = other = 0
    for line in data.splitlines():
        if not line.isascii():
            if _decodes(line, "utf-8"):
                utf8 += 1
            else:
                other += 1
    return utf8 > other


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:  # (Windows-1250 leaves five bytes undefined)
        return False
    return True


def _csv_lines(text: str):
    """The cells of each line of CSV text, comma- or semicolon-separated as its first line is."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        line = reader.line_num + 1
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # in the default dialect: a cell over the field size limit
            raise BadFile(Phrase(N_("Line %(line)d cannot be read as CSV: a cell is longer than %(limit)s "
                                    "characters, or a quote is left open."),
                                 line=line, limit=f"{csv.field_size_limit():,}")) from error


# A workbook is read only within what an import takes, checked before openpyxl parses it (opening a
# workbook, openpyxl reads through every sheet that does not declare its size): the zip's directory says
# how much it unpacks to (zipfile stops at the declared sizes), then each sheet's declared rows (its
# <dimension ref>) or, without one, its rows counted in a stream. Rows are read no wider than
# XLSX_MAX_COLUMNS.
XLSX_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
XLSX_MAX_COLUMNS = 256
XLSX_MAX_ROWS = IMPORT_MAX_ROWS + 1  # and the header
CHUNK = 2 ** 20
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="[A-Za-z]+(\d+)(?::[A-Za-z]+(\d+))?"')
SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
ROW_TAG = re.compile(rb'<(?:\w+:)?row\b(?:[^>]*?\br="(\d+)")?')  # and the row's number, if it says


def _xlsx_lines(data: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BadFile(N_("The file is not an .xlsx workbook: it is not a zip archive.")) from None
    unpacked = sum(item.file_size for item in archive.infolist())
    if unpacked > XLSX_MAX_UNPACKED_BYTES:
        raise BadFile(Phrase(N_("The workbook unpacks to %(size)s MB; an import reads at most %(limit)s MB."),
                             size=f"{round(unpacked / 2 ** 20):,}", limit=f"{XLSX_MAX_UNPACKED_BYTES // 2 ** 20:,}"))
    try:
        for item in archive.infolist():  # every part, whatever its name: the workbook's relations name the sheets
            refuse_too_many_rows(*sheet_size(archive, item))
        # openpyxl parses through defusedxml when it is installed (it is a pinned dependency).
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        rows = sheet.iter_rows(max_row=sheet.max_row or XLSX_MAX_ROWS + 1,  # (counted: a bound, never reached)
                               max_col=min(sheet.max_column or XLSX_MAX_COLUMNS, XLSX_MAX_COLUMNS), values_only=True)
        for cells in rows:
            yield list(cells)
    except BadFile:
        raise
    except Exception as error:  # openpyxl and zipfile raise many types for a damaged file
        raise BadFile(N_("The file is not a readable .xlsx workbook.")) from error


def refuse_too_many_rows(last: int, declared: bool) -> None:
    """Raise BadFile when a sheet's last row (declared or counted) is beyond what an import takes."""
    if last > XLSX_MAX_ROWS:
        message = (N_("The sheet declares %(found)s rows; an import takes at most %(rows)s below the header.")
                   if declared else
                   N_("The sheet has %(found)s rows; an import takes at most %(rows)s below the header."))
        raise BadFile(Phrase(message, found=f"{last:,}", rows=f"{IMPORT_MAX_ROWS:,}"))


def sheet_size(archive: zipfile.ZipFile, item: zipfile.ZipInfo) -> tuple[int, bool]:
    """(The last row's number, whether declared) of a workbook part: its <dimension ref>, or its rows counted."""
    last, tail = 0, b""
    with archive.open(item) as source:
        head = source.read(CHUNK)
        rows_start = SHEET_DATA.search(head)
        dimension = DIMENSION.search(head, 0, rows_start.start() if rows_start else len(head))
        if dimension:
            return int(dimension[2] or dimension[1]), True
        chunk = head
        while chunk and last <= XLSX_MAX_ROWS:  # no further once past what an import takes
            text = tail + chunk
            chunk = source.read(CHUNK)
            cut = max(text.rfind(b"<"), len(text) - 4096, 0) if chunk else len(text)  # a tag may go on
            text, tail = text[:cut], text[cut:]
            for number in ROW_TAG.findall(text):
                last = max(last, int(number)) if number else last + 1
    return last, False


# --- Fields ----------------------------------------------------------------------------------------

@dataclass
class ImportField:
    """One writable field: its column (the foreign key for a related record) and how values convert."""

    name: str
    label: str
    column: object
    target: type | None = None  # the related model, for a related record
    bound: object = None

    @cached_property
    def required(self) -> bool:
        column = self.column
        return not column.nullable and column.default is None and column.server_default is None

    @cached_property
    def read(self):
        """Reads a cell as the column's value, None when empty, within the column's CHECK bounds; raises
        ValueError or ValidationError with a message for the user. (Built once per field: it runs per cell.)"""
        parse, bound = parser_for(self.column), self.bound

        def read(raw):
            if isinstance(raw, str):
                raw = raw.strip()
                if raw.startswith("'"):
                    raw = unescaped(raw)
            if raw is None or raw == "":
                return None
            value = parse(raw)
            if bound is not None:
                bound(None, SimpleNamespace(data=value))
            return value

        if not isinstance(self.column.type, REPEATING_TYPES):
            return read
        known: dict = {}  # a column of a few values (states, flags, dates): each spelling read once

        def read_known(raw):
            try:
                return known[raw]
            except KeyError:
                value = known[raw] = read(raw)  # a cell that does not read raises, and is not kept
                return value
            except TypeError:  # a value that is not a dict key
                return read(raw)

        return read_known


# Column types whose cells repeat a few values, so each distinct cell is read once per import.
REPEATING_TYPES = (Enum, Boolean, Date)


def writable_fields(view, role) -> dict[str, ImportField]:
    """The fields a role may type in (import, inline edit): the view's form allowlist, less hidden columns."""
    return fields_named(view, [getattr(name, "key", name) for name in view.form_columns or ()], role)


def fields_named(view, names, role) -> dict[str, ImportField]:
    """The named fields of the view's model (a related record by its foreign key), less the role's hidden ones."""
    shape = ModelShape(view.model)
    relations = {rel.key: rel for rel in shape.many_to_one().values()}
    columns = inspect(view.model).columns
    hidden = view.hidden_columns.get(role, ())
    bounds = {name: args["validators"][0] for name, args in shape.form_args().items()}
    fields = {}
    for name in names:
        if name in hidden:
            continue
        label = str(field_label(view, name))
        if name in relations:
            rel = relations[name]
            fields[name] = ImportField(name, label, next(iter(rel.local_columns)), rel.mapper.class_)
        elif name in columns:
            fields[name] = ImportField(name, label, columns[name], bound=bounds.get(name))
    return fields


def field_label(view, name: str):
    """A field's label, in the reader's language."""
    return (view.column_labels or {}).get(name) or label_for(name)


def english_label(view, name: str) -> str:
    """A field's label in English, whatever the reader's language (a header a file may use)."""
    with force_locale("en"):
        return str(field_label(view, name))


def header_names(view, fields: dict[str, ImportField]) -> dict[str, str]:
    """Every accepted header (normalized) → field name: the name, the label in the reader's language,
    in English and in Polish."""
    polish = view.importing.polish
    names = {}
    for name, f in fields.items():
        for header in (name, f.label, english_label(view, name), label_for(name), f.column.key, polish.get(name)):
            if header:
                names[normalized(header)] = name
    return names


def parser_for(column):
    """The function reading a (non-empty) cell as a value of `column`, refusing what the column cannot hold."""
    kind = column.type
    if isinstance(kind, Enum):
        return lambda raw: _enum_member(kind.enum_class, raw)
    if isinstance(kind, Boolean):
        return _boolean
    if isinstance(kind, DateTime):
        return _datetime
    if isinstance(kind, Date):
        return _date
    if isinstance(kind, Integer):
        return lambda raw: _whole_number(_sized(_number(raw), kind))
    if isinstance(kind, Numeric):
        return lambda raw: _sized(_number(raw), kind)
    limit = kind.length if isinstance(kind, String) else None
    if is_email_column(column):
        problem = email_checker()
        return lambda raw: _email(_text(raw, limit), problem)
    return lambda raw: _text(raw, limit)


def refuse(reason: str | None) -> None:
    """Raise the reason a `models.values` check gives (shown in the user's language), if it gives one."""
    if reason:
        raise ValueError(reason)


def _enum_member(enum_class, raw):
    spellings = enum_spellings(enum_class)
    member = spellings.get(raw) or spellings.get(normalized(raw))
    if member is None:
        raise ValueError(Phrase(N_("“%(value)s” is not one of: %(choices)s."), value=raw,
                                choices=", ".join(m.value for m in enum_class)))
    return member


def _boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(Phrase(N_("“%(value)s” is not yes or no."), value=raw))


def _datetime(raw) -> datetime:
    if isinstance(raw, datetime):
        return raw
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(Phrase(N_("“%(value)s” is not a date and time (YYYY-MM-DD HH:MM)."), value=raw)) from None


POLISH_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")


def _date(raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw)
    try:
        if POLISH_DATE.fullmatch(text):
            return datetime.strptime(text, "%d.%m.%Y").date()
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(Phrase(N_("“%(value)s” is not a date (YYYY-MM-DD)."), value=raw)) from None


def _whole_number(raw) -> int:
    number = _number(raw)
    if number != number.to_integral_value():
        raise ValueError(Phrase(N_("“%(value)s” is not a whole number."), value=raw))
    return int(number)


def _text(raw, limit: int | None) -> str:
    text = str(raw)
    if limit and len(text) > limit:
        raise ValueError(Phrase(N_("is longer than %(limit)d characters."), limit=limit))
    refuse(text_problem(text))
    return text


def _email(text: str, problem) -> str:
    refuse(problem(text))
    return text


def _sized(number: Decimal, kind) -> Decimal:
    reason = digits_problem(number, kind)  # before int(): 1e999999999 would be a billion digits
    refuse(reason and as_phrase(reason))
    return number


@lru_cache(maxsize=None)
def enum_spellings(enum_class) -> dict:
    """Every accepted spelling of an enum's members (value or label, normalized) → the member."""
    spellings = {}
    for member in reversed(list(enum_class)):  # the first member wins a shared spelling, as before
        spellings[normalized(getattr(member, "label", member.value))] = member
        spellings[normalized(member.value)] = member
    return spellings


def _number(raw) -> Decimal:
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        number = Decimal(str(raw))
    else:
        text = str(raw).replace(" ", "").replace("\u00a0", "")
        if "," in text:
            text = text.replace(",", "") if "." in text else text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(Phrase(N_("“%(value)s” is not a number."), value=raw)) from None
    refuse(number_problem(number))
    return number


# --- References ------------------------------------------------------------------------------------

class References:
    """Related records named in the file, found in one query per related model, within the user's scope."""

    def __init__(self):
        self.found: dict[type, dict[str, set[int]]] = {}

    def load(self, model: type, texts: set[str]) -> None:
        from admin.base import row_scope

        columns = [getattr(model, name) for name in ModelShape(model).searchable_columns()]
        found: dict[str, set[int]] = defaultdict(set)
        wanted = sorted({t.lower() for t in texts})
        for start in range(0, len(wanted), BATCH_ROWS):
            chunk = wanted[start:start + BATCH_ROWS]
            query = select(model.id, *columns).where(
                row_scope(model), func.lower(columns[0]).in_(chunk) if len(columns) == 1 else
                _any_lower_in(columns, chunk))
            for row in db.session.execute(query):
                for value in row[1:]:
                    if value is not None:
                        found[str(value).lower()].add(row[0])
        self.found[model] = found

    def resolve(self, model: type, text: str) -> int:
        ids = self.found.get(model, {}).get(text.lower(), set())
        name = label_for(model.__tablename__).lower()
        if not ids:
            raise ValueError(Phrase(N_("no %(record)s “%(value)s” that you may use."), record=name, value=text))
        if len(ids) > 1:
            raise ValueError(Phrase(N_("several %(record)s records match “%(value)s”; use a unique value (e-mail, number)."),
                                    record=name, value=text))
        return next(iter(ids))


def _any_lower_in(columns, values):
    from sqlalchemy import or_

    return or_(*(func.lower(column).in_(values) for column in columns))


# --- The import ------------------------------------------------------------------------------------

@contextmanager
def cycle_collector_paused():
    """CPython's cycle collector off while an import holds a file's lines: they are many and acyclic, and
    every collection would walk all of them again (about half of the time to read a large file). Memory is
    still freed as usual, by reference counting; the collector is back on when the import ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class Tally:
    """Rows saved so far out of the rows to save, told as a progress message."""
    total: int
    done: int = 0

    def saved(self, rows: int) -> Phrase:
        self.done += rows
        return Phrase(N_("Saved %(done)s of %(total)s rows…"), done=f"{self.done:,}", total=f"{self.total:,}")


@dataclass
class Line:
    number: int
    values: dict
    invalid: set = field(default_factory=set)  # fields whose cell has a problem already reported
    key: tuple | None = None
    existing: dict | None = None


class Importer:
    """Checks and loads one file into one view's model for one user."""

    def __init__(self, view, user):
        self.view, self.model, self.user = view, view.model, user
        self.table = self.model.__table__
        self.fields = writable_fields(view, user.role)

    def run(self, data: bytes, filename: str, *, apply: bool) -> Outcome:
        """Check the file (and load it when `apply` and it has no problem); all or nothing."""
        steps = self.steps(data, filename, apply=apply)
        while True:
            try:
                next(steps)
            except StopIteration as finished:
                return finished.value

    def steps(self, data: bytes, filename: str, *, apply: bool):
        """`run`, yielding a progress message now and then; returns the Outcome."""
        outcome, changes = Outcome(), []
        try:
            with cycle_collector_paused():
                table = read_table(data, filename)
                outcome.encoding = table.encoding
                columns = self._columns(table.header, outcome)
                lines = yield from self._read(columns, table.lines, outcome)
                yield Phrase(N_("Checking %(rows)s rows against the database…"), rows=f"{len(lines):,}")
                self._match(lines, outcome, lock=apply)
                if not outcome.problems:
                    changes = yield from self._write(lines, outcome)
        except BadFile as error:
            outcome.problems.append(Problem(None, None, reason_of(error)))
        if outcome.problems or not apply:
            db.session.rollback()
            return outcome
        yield Phrase(N_("Recording %(rows)s changes in the audit trail…"), rows=f"{len(changes):,}")
        self._audit(changes, filename, outcome)
        db.session.commit()
        outcome.applied = True
        return outcome

    def _audit(self, changes: list[tuple[int, dict | None, dict]], filename: str, outcome) -> None:
        """An audit event for each row created or updated (its values, or what changed), as the panel's forms
        write them, so each record's History shows the import; then the import's own event."""
        remote_addr = request.remote_addr if request else None
        per_row = ("entity_id", "before", "after")
        shared = {key: value for key, value in _event_row(user=self.user.id, action="import", entity=self.table.name,
                                                          remote_addr=remote_addr).items() if key not in per_row}
        events = ({"entity_id": str(row_id), "before": audited(before), "after": audited(after)}
                  for row_id, before, after in changes)
        insert_rows(db.session, AuditEvent.__table__, events, same=shared)
        record_event(db.session, user=self.user.id, action="import", entity=self.view.endpoint,
                     after={"file": filename, "rows": outcome.rows, "created": outcome.created,
                            "updated": outcome.updated, "unchanged": outcome.unchanged},
                     remote_addr=remote_addr)

    def _columns(self, header, outcome) -> dict[int, ImportField]:
        names = header_names(self.view, self.fields)
        columns, seen = {}, {}
        for index, title in enumerate(header):
            name = names.get(normalized(title))
            if name is None:
                if normalized(title):
                    outcome.ignored_columns.append(str(title))
            elif name in seen:
                outcome.problems.append(Problem(1, str(title), Phrase(N_("repeats the column “%(column)s”."),
                                                                       column=seen[name])))
            else:
                columns[index], seen[name] = self.fields[name], str(title)
        if not columns:
            outcome.problems.append(Problem(1, None, Phrase(
                N_("no column matches a field you may import: %(fields)s."),
                fields=", ".join(str(f.label) for f in self.fields.values()))))
        return columns

    def _read(self, columns, cells, outcome) -> list[Line]:
        """Every line converted to column values; references resolved in bulk afterwards."""
        lines, texts = [], defaultdict(set)
        plan = [(index, f.name, f.read, f.target, f) for index, f in columns.items()]  # looked up once
        for number, row in cells:
            if len(lines) >= IMPORT_MAX_ROWS:
                outcome.problems.append(Problem(number, None, Phrase(N_("the file has more than %(rows)d rows."),
                                                                    rows=IMPORT_MAX_ROWS)))
                break
            values, invalid, width = {}, set(), len(row)
            for index, name, read, target, f in plan:
                raw = row[index] if index < width else None
                try:
                    if target is not None:
                        text = None if raw in (None, "") else unescaped(str(raw).strip())
                        refuse(text and text_problem(text))
                        values[name] = text
                        if text:
                            texts[target].add(text)
                        continue
                    values[name] = read(raw)
                except (ValueError, ValidationError) as error:
                    outcome.problems.append(Problem(number, f.label, reason_of(error)))
                    invalid.add(name)
            lines.append(Line(number, values, invalid))
            if len(lines) % PROGRESS_EVERY == 0:
                yield Phrase(N_("Read %(rows)s rows…"), rows=f"{len(lines):,}")
        outcome.rows = len(lines)
        references = References()
        for model, found in texts.items():
            references.load(model, found)
        for line in lines:
            for name, f in ((n, self.fields[n]) for n in line.values if self.fields[n].target):
                if line.values[name] is not None:
                    try:
                        line.values[name] = references.resolve(f.target, line.values[name])
                    except ValueError as error:
                        outcome.problems.append(Problem(line.number, f.label, reason_of(error)))
        return lines

    def _key_of(self, line: Line):
        for names in self.view.importing.keys:
            values = [line.values.get(name) for name in names]
            if all(value is not None for value in values):
                return names, tuple(v.lower() if isinstance(v, str) else v for v in values)
        return None

    def _match(self, lines: list[Line], outcome, *, lock: bool) -> None:
        """Find the row each line updates; report keys repeated in the file and rows out of scope."""
        first_line: dict = {}
        wanted: dict[tuple, list[Line]] = defaultdict(list)
        for line in lines:
            key = self._key_of(line)
            if key is None:
                continue
            if key in first_line:
                outcome.problems.append(Problem(line.number, self.fields[key[0][0]].label,
                                                Phrase(N_("the same %(key)s as row %(row)d."),
                                                       key=self._key_words(key[0]), row=first_line[key])))
                continue
            first_line[key] = line.number
            line.key = key
            wanted[key[0]].append(line)
        names = list(self.fields)
        columns = [self.table.c.id, self.table.c.version] + [self.fields[n].column for n in names]
        for key_names, keyed in wanted.items():
            by_key = {line.key[1]: line for line in keyed}
            lead = self.fields[key_names[0]].column
            firsts = sorted({line.key[1][0] for line in keyed}, key=str)
            probe = func.lower(lead) if isinstance(lead.type, String) and not isinstance(lead.type, Enum) else lead
            for criterion in member_of(db.session, probe, firsts, lead.type):
                query = select(*columns).where(criterion)
                if lock:
                    query = query.with_for_update()
                for row in db.session.execute(query):
                    existing = {"id": row[0], "version": row[1], **dict(zip(names, row[2:]))}
                    key = tuple(existing[n].lower() if isinstance(existing[n], str) else existing[n]
                                for n in key_names)
                    if key in by_key and by_key[key].existing is None:
                        by_key[key].existing = existing
        self._refuse_out_of_scope([line for line in lines if line.existing], outcome,
                                  N_("belongs to a record outside your scope; it cannot be updated."))
        for line in lines:
            if line.existing is None:
                self._check_required(line, outcome)

    def _refuse_out_of_scope(self, lines: list[Line], outcome, message: str, ids=None) -> None:
        from admin.base import sees_every_row

        if sees_every_row(self.model):  # a manager's import: no row can be out of scope
            return
        ids = ids or {line.existing["id"]: line for line in lines}
        visible = set()
        for criterion in member_of(db.session, self.model.id, list(ids)):
            visible |= {row_id for (row_id,) in self.view.get_query().with_entities(self.model.id)
                        .filter(criterion)}
        for row_id, line in ids.items():
            if row_id not in visible:
                outcome.problems.append(Problem(line.number, None, message))

    def _key_words(self, names) -> str:
        return " + ".join(self.fields[n].label.lower() for n in names)

    def _write(self, lines: list[Line], outcome):
        """Create and update each group of lines that set the same columns as one guarded write, then check
        every row is in scope; returns (id, values before or None, values after) of each row written."""
        creates, updates = defaultdict(list), defaultdict(list)
        column_of = {name: f.column.key for name, f in self.fields.items()}
        creators = [c for c in self.view.creator_fields if c in self.table.c]
        for line in lines:
            if line.existing is None:
                row = {column_of[n]: v for n, v in line.values.items() if v is not None}
                for creator in creators:
                    if row.get(creator) is None:
                        row[creator] = self.user.id
                creates[frozenset(row)].append((line, row))
            else:
                names = [n for n, v in line.values.items() if v != line.existing[n]]
                if not names:
                    outcome.unchanged += 1
                    continue
                for n, v in line.values.items():
                    if v is None and not self.fields[n].column.nullable:
                        outcome.problems.append(Problem(line.number, self.fields[n].label, N_("cannot be empty.")))
                changed = {column_of[n]: line.values[n] for n in names}
                was = {column_of[n]: line.existing[n] for n in names}
                updates[frozenset(changed)].append((line, {**changed, "_id": line.existing["id"]}, (was, changed)))
        if outcome.problems:
            return []
        written: dict[int, Line] = {}
        changes = []
        tally = Tally(len(lines) - outcome.unchanged)
        for group in creates.values():
            ids = yield from self._guarded(group, outcome, self._insert, tally)
            written.update(zip(ids, (line for line, _row in group)))
            changes += ((row_id, None, row) for row_id, (_line, row) in zip(ids, group))
            outcome.created += len(ids)
        for group in updates.values():
            yield from self._guarded([(line, row) for line, row, _change in group], outcome, self._update, tally)
            written.update((line.existing["id"], line) for line, _row, _change in group)
            changes += ((line.existing["id"], was, now) for line, _row, (was, now) in group)
            outcome.updated += len(group)
        if not outcome.problems:
            self._refuse_out_of_scope([], outcome, N_("would belong to a record outside your scope."), written)
        return changes

    def _check_required(self, line: Line, outcome) -> None:
        for f in self.fields.values():
            if (f.required and line.values.get(f.name) is None and f.name not in line.invalid
                    and f.column.key not in self.view.creator_fields):
                outcome.problems.append(Problem(line.number, f.label, N_("is required.")))

    # Writers: generators that write rows with the same columns, yield progress and return the new ids.

    def _insert(self, rows: list[dict], tally: Tally):
        now = utcnow()
        stamps = {"created_at": now, "updated_at": now, "version": 1}
        if on_postgresql(db.session):
            return (yield from self._insert_by_copy(rows, stamps, tally))
        ids = []
        for batch in batches(rows):
            ids += db.session.scalars(insert(self.table).returning(self.table.c.id, sort_by_parameter_order=True),
                                      [{**row, **stamps} for row in batch])
            yield tally.saved(len(batch))
        return ids

    def _insert_by_copy(self, rows: list[dict], stamps: dict, tally: Tally):
        """PostgreSQL: ids drawn from the table's sequence, then the rows streamed in by one `COPY ... FROM STDIN`
        (the columns' defaults filled in as INSERT would)."""
        table = self.table
        sequence = func.pg_get_serial_sequence(table.name, table.c.id.name)
        ids = list(db.session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))))
        defaulted = [column for column in table.c  # what INSERT would have filled in
                     if column.name not in rows[0] and column.name not in stamps and column is not table.c.id
                     and column.default is not None]
        same = {column.name: column.default.arg for column in defaulted if column.default.is_scalar}
        made = {column.name: column.default.arg for column in defaulted if column.default.is_callable}

        def numbered():  # made while the database takes in the rows before
            for row_id, row in zip(ids, rows):
                yield {table.c.id.name: row_id, **row, **{name: make(None) for name, make in made.items()}}

        for sent in copying(db.session, table, numbered(), same={**stamps, **same}):
            yield tally.saved(sent)
        return ids

    def _update(self, rows: list[dict], tally: Tally):
        stamps = {"version": self.table.c.version + 1, "updated_at": utcnow()}
        for batch in batches(rows):
            update_rows(db.session, self.table, batch, also=stamps)
            yield tally.saved(len(batch))
        return []

    def _guarded(self, group, outcome, write, tally: Tally):
        """Write a group of lines in one savepoint; when the database refuses it, find and name the lines it
        refuses (a thousand at a time, then one by one within a refused thousand)."""
        try:
            with db.session.begin_nested():
                return (yield from write([row for _line, row in group], tally))
        except IntegrityError as error:
            refusal = error
        from admin.base import describe_integrity_error

        named = len(outcome.problems)
        for batch in batches(group):
            if self._written(write, [row for _line, row in batch]) is None:
                continue
            for line, row in batch:
                if (error := self._written(write, [row])) is not None:
                    outcome.problems.append(Problem(line.number, None, describe_integrity_error(error)))
        if len(outcome.problems) == named:  # refused together, though each line alone is accepted
            outcome.problems.append(Problem(group[0][0].number, None, describe_integrity_error(refusal)))
        return []

    @staticmethod
    def _written(write, rows) -> IntegrityError | None:
        """Run a writer to its end in a savepoint; the database's refusal, if it refuses."""
        try:
            with db.session.begin_nested():
                for _progress in write(rows, Tally(len(rows))):
                    pass
        except IntegrityError as error:
            return error
        return None


# --- The import page -------------------------------------------------------------------------------

class ImportMixin:
    """`/import/`: a page to check and load a CSV or XLSX file, on views that declare `importing`."""

    importing: Importing | None = None

    @expose("/import/", methods=("GET", "POST"))
    def import_view(self):
        if self.importing is None:
            abort(404)
        if request.method == "GET":
            return self.render("admin/bulk/import.html", fields=self.import_headers())
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(gettext("Choose a CSV or XLSX file to import."), "error")
            return self.render("admin/bulk/import.html", fields=self.import_headers())
        data = upload.read(IMPORT_MAX_BYTES + 1)
        apply = request.form.get("apply") == "1"
        page = self.render("admin/bulk/import.html", fields=self.import_headers(), running=True,
                           filename=upload.filename, apply=apply)
        top, _marker, bottom = page.partition("<!--import-progress-->")
        return Response(stream_with_context(self._import_stream(data, upload.filename, apply, top, bottom)),
                        mimetype="text/html")

    def import_headers(self) -> list[tuple[str, str, str]]:
        """(field, English header, Polish header) of every column this user may import."""
        return [(f.name, english_label(self, f.name), self.importing.polish.get(f.name, ""))
                for f in writable_fields(self, current_user.role).values()]

    def _import_stream(self, data, filename, apply, top, bottom):
        yield top
        steps = Importer(self, current_user._get_current_object()).steps(data, filename, apply=apply)
        while True:
            try:
                message = next(steps)
            except StopIteration as finished:
                outcome = finished.value
                break
            except Exception:  # the page has begun: it ends with a message, never cut off
                db.session.rollback()
                current_app.logger.exception("import of %r into %s failed", filename, self.endpoint)
                outcome = Outcome(problems=[Problem(None, None, N_(
                    "The import stopped on an unexpected error; nothing was imported."))])
                break
            yield f'<li class="small text-muted" data-progress>{Markup.escape(translated(message))}</li>\n'
        render = get_template_attribute("admin/bulk/import_outcome.html", "outcome")
        yield str(render(outcome, self.get_url(".index_view")))
        yield bottom
