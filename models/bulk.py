"""Statements over thousands of rows: membership tests and inserts that stay few and fast.

- `member_of`: `column IN values` as few criteria as the database allows: on PostgreSQL one, with all
  the values as a single array parameter (one statement, one index scan); elsewhere one per batch
  of `BATCH_ROWS`, under every database's limit on bound parameters.
- `update_rows`: each row its own new values, in one statement (on PostgreSQL the values as arrays).
- `insert_rows`: plain rows in bulk (audit events, say); on PostgreSQL streamed by `COPY ... FROM STDIN`,
  elsewhere by multi-row INSERTs.
"""
from __future__ import annotations

from itertools import chain
from typing import Iterable, Iterator

import psycopg
from psycopg import sql
from sqlalchemy import Integer, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError

BATCH_ROWS = 1000


def batches(items: list, size: int = BATCH_ROWS) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def on_postgresql(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def member_of(session, expression, values: list, item_type=None) -> Iterator:
    """Criteria that together say `expression IN values` (one per statement to run)."""
    if on_postgresql(session):
        if values:
            yield expression == any_(bindparam(None, list(values), type_=ARRAY(item_type or Integer())))
        return
    for batch in batches(values):
        yield expression.in_(batch)


def update_rows(session, table, rows: list[dict], also: dict | None = None) -> None:
    """Give each row of `table` its values (`rows`: dicts with the same keys, the row's id under `_id`),
    and every row `also` (values or SQL expressions), in one statement: on PostgreSQL the values go as
    one array per column, unnested into the table the UPDATE joins; elsewhere as an executemany."""
    keys, also = [key for key in rows[0] if key != "_id"], also or {}
    if on_postgresql(session):
        kinds = [("_id", Integer())] + [(key, table.c[key].type) for key in keys]
        changes = select(*(func.unnest(bindparam(f"new_{n}", [row[key] for row in rows], type_=ARRAY(kind))).label(key)
                           for n, (key, kind) in enumerate(kinds))).subquery("changes")
        session.execute(update(table).where(table.c.id == changes.c["_id"])
                        .values({**{key: changes.c[key] for key in keys}, **also}))
        return
    session.execute(update(table).where(table.c.id == bindparam("_id"))
                    .values({**{key: bindparam(key) for key in keys}, **also}), rows)


def insert_rows(session, table, rows: Iterable[dict], same: dict | None = None) -> None:
    """Insert `rows` (each with the same keys, and all with the values `same`) into `table`, without reading
    anything back."""
    if on_postgresql(session):
        copy_rows(session, table, rows, same)
        return
    same = same or {}
    for batch in batches(list(rows)):
        session.execute(insert(table), [{**row, **same} for row in batch])


def copy_rows(session, table, rows: Iterable[dict], same: dict | None = None) -> None:
    """PostgreSQL: stream `rows` into `table` with `COPY ... FROM STDIN`, on the session's connection."""
    for _written in copying(session, table, rows, same):
        pass


def copying(session, table, rows: Iterable[dict], same: dict | None = None, every: int = BATCH_ROWS) -> Iterator[int]:
    """`copy_rows` as one `COPY` that yields, after every `every` rows, how many rows it has just sent.

    The database takes in what is sent while the caller goes on, so rows given as a generator are made
    while the database writes the ones before. `same`: column values every row shares (converted once,
    not per row). Values go through the columns' own bind processing (JSON, enums), as an INSERT would
    send them; columns left out get their server-side defaults (a serial id). A constraint violation is
    raised as SQLAlchemy's IntegrityError, as for an INSERT, when the database reports it (at the
    latest when the `COPY` ends).
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    keys, same = list(first), same or {}
    dialect = session.get_bind().dialect

    def processor(key):
        return table.c[key].type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)

    processors = [(key, processor(key)) for key in keys]
    shared = [None if value is None else processor(key)(value) for key, value in same.items()]
    names = sql.SQL(", ").join(sql.Identifier(key) for key in [*keys, *same])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table.name), names)
    with session.connection().connection.driver_connection.cursor() as cursor:
        try:
            with cursor.copy(statement) as copy:
                sent = 0
                for row in chain([first], rows):
                    copy.write_row([None if (value := row[key]) is None else process(value)
                                    for key, process in processors] + shared)
                    sent += 1
                    if sent == every:
                        yield sent
                        sent = 0
                if sent:
                    yield sent
        except psycopg.IntegrityError as error:
            raise IntegrityError(statement.as_string(cursor), None, error) from error
