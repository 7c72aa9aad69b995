"""`flask seed --scale N`: bulk data for benchmarks — N sales orders and proportional related rows.

Per 1,000 orders: 50 accounts with a contact each, 500 leads, 1,000 activities, 500 quotes with
2 lines each, 2 lines per order, 800 shipments and 800 invoices. Deterministic (each chunk of a
table from a generator seeded by its position; ids follow the highest existing id), dated 2016–2025
so it never mixes with the demo's recent months. On PostgreSQL each table is written by COPY in a
transaction of its own, with its indexes and foreign keys built again after the load (on a second
connection, while the next table loads) and a VACUUM ANALYZE at the end (the visibility map lets later
pages scan ids from the index alone); on SQLite by multi-row inserts in one transaction.
Users, teams and products come from the demo data (seeded first when it is missing).
"""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from queue import Queue
from threading import Thread
from typing import Callable, Iterator

from sqlalchemy import func, select, text

from models import (
    Account, Activity, Contact, Invoice, Lead, OrderLine, Product, Quote, QuoteLine, Role, SalesOrder,
    Shipment, User,
)

SEED = 8_000_000
FIRST_DAY = date(2016, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days

ORDER_STATES = ["pending", "confirmed", "in_production", "ready_to_ship", "shipped", "delivered",
                "delivered", "delivered", "cancelled", "archived"]
QUOTE_STATES = ["draft", "submitted", "approved", "rejected", "sent", "accepted", "expired"]
LEAD_STATES = ["new", "assigned", "contacted", "qualified", "converted", "lost"]
REGIONS = ["Poland North", "Poland South", "Western Europe"]
COUNTRIES = ["PL", "PL", "DE", "FR", "GB", "NL", "CZ"]
CARRIERS = ["DB Schenker", "DHL Freight", "Raben Logistics", "DPD Polska", "Own fleet"]
WORDS = ["Meble", "Kuchnie", "Studio", "Nord", "Baltic", "Vistula", "Oak", "Atelier", "Forma",
         "Linea", "Casa", "Hansa", "Tatra", "Amber", "Polar", "Granit", "Sosna", "Dąb", "Wenge", "Lumen"]
FORMS = [" Sp. z o.o.", " S.A.", " GmbH", " Ltd", " s.c.", ""]


CHUNK = 50_000  # rows generated, written and ticked on the progress bar at a time


@dataclass
class Table:
    """One table's bulk rows: its name, the columns written, and the column generator.

    `chunks()` yields the rows `CHUNK` at a time as columns (a list of values per column), which is
    far cheaper to generate than row by row: each column is drawn with one `choices()` call.
    """

    name: str
    columns: tuple[str, ...]
    chunk: Callable[[int, int], list[list]]
    count: int

    @property
    def chunk_count(self) -> int:
        return -(-self.count // CHUNK)

    def chunks(self) -> Iterator[list[list]]:
        for first in range(0, self.count, CHUNK):
            columns = self.chunk(first, min(first + CHUNK, self.count))
            assert len(columns) == len(self.columns), self.name
            yield columns


class ScaleData:
    """The rows for `orders` sales orders; each table chunk drawn from a generator seeded by its position.

    Values are Python ints, bools and None, and text (dates, times and amounts already as ISO text), so
    both writers take them as they are.
    """

    def __init__(self, session, orders: int):
        self.seed = SEED + orders
        self.orders = orders
        self.accounts = max(1, orders // 20)
        self.leads = orders // 2
        self.quotes = orders // 2
        self.shipped = orders * 4 // 5
        self.activities = orders
        owners = session.execute(select(User.id, User.role).where(User.role.in_([Role.coordinator, Role.supervisor]))).all()
        self.coordinators = [uid for uid, role in owners if role is Role.coordinator]
        self.supervisors = [uid for uid, role in owners if role is Role.supervisor]
        self.products = [(pid, price) for pid, price in session.execute(select(Product.id, Product.list_price))]
        self.start = {model: (session.scalar(select(func.max(model.id))) or 0) + 1 for model in (
            Account, Contact, Lead, Activity, Quote, QuoteLine, SalesOrder, OrderLine, Shipment, Invoice)}
        self.account_owner = random.Random(self.seed).choices(self.coordinators, k=self.accounts)
        self.days = [FIRST_DAY + timedelta(days=n) for n in range(DAYS)]
        self.day_text = [day.isoformat() for day in self.days]
        self.year_text = [str(day.year) for day in self.days]
        self._drawn_lines: dict = {}

    def random(self, table: str, first: int) -> random.Random:
        """The generator of one chunk of one table: the same rows whatever was generated before."""
        return random.Random(f"{self.seed}/{table}/{first}")

    def tables(self) -> list[Table]:
        return [
            Table("account", ("id", "name", "kind", "region", "status", "email", "payment_method", "owner_id"),
                  self.account_chunk, self.accounts),
            Table("contact", ("id", "account_id", "name", "email", "is_primary"), self.contact_chunk, self.accounts),
            Table("lead", ("id", "company", "contact_name", "contact_email", "source", "status", "region",
                           "owner_id", "next_follow_up"), self.lead_chunk, self.leads),
            Table("activity", ("id", "kind", "subject", "owner_id", "account_id", "scheduled_at", "done_at"),
                  self.activity_chunk, self.activities),
            Table("quote", ("id", "number", "account_id", "owner_id", "status", "total", "valid_until",
                            "approved_by_id"), self.quote_chunk, self.quotes),
            Table("quote_line", ("id", "quote_id", "product_id", "quantity", "unit_price"),
                  lambda a, b: self.line_chunk(Quote, QuoteLine, a, b), self.quotes * 2),
            Table("sales_order", ("id", "number", "account_id", "owner_id", "status", "is_rush", "ordered_on",
                                  "requested_ship_date", "drawing_status", "total"), self.order_chunk, self.orders),
            Table("order_line", ("id", "order_id", "product_id", "quantity", "unit_price"),
                  lambda a, b: self.line_chunk(SalesOrder, OrderLine, a, b), self.orders * 2),
            Table("shipment", ("id", "order_id", "status", "is_export", "carrier", "destination",
                               "destination_country", "planned_on"), self.shipment_chunk, self.shipped),
            Table("invoice", ("id", "number", "account_id", "order_id", "status", "issued_on", "due_on",
                              "amount", "paid_amount"), self.invoice_chunk, self.shipped),
        ]

    # Helpers drawing a whole column at once.
    def _ids(self, model, first: int, stop: int) -> list[int]:
        return list(range(self.start[model] + first, self.start[model] + stop))

    def _companies(self, r: random.Random, ids: list[int]) -> list[str]:
        n = len(ids)
        return [f"{a} {b} {i}{form}" for a, b, i, form in
                zip(r.choices(WORDS, k=n), r.choices(WORDS, k=n), ids, r.choices(FORMS, k=n))]

    def _accounts(self, r: random.Random, n: int) -> list[int]:
        """Account positions (0-based) of `n` rows."""
        return r.choices(range(self.accounts), k=n)

    def _days(self, r: random.Random, n: int) -> list[int]:
        """Day positions since FIRST_DAY of `n` rows."""
        return r.choices(range(DAYS), k=n)

    def _document_lines(self, document, first: int, stop: int) -> tuple[list, list]:
        """(product, unit price) and quantity of the two lines of documents first..stop.

        Drawn per chunk of documents, so the document's total and its lines (written later, in
        chunks of their own) always agree.
        """
        products, quantities = [], []
        for chunk in range(first - first % CHUNK, stop, CHUNK):
            drawn = self._drawn_lines.get((document, chunk))
            if drawn is None:
                documents = min(chunk + CHUNK, self.quotes if document is Quote else self.orders) - chunk
                r = self.random(f"{document.__tablename__}_lines", chunk)
                drawn = r.choices(self.products, k=2 * documents), r.choices(range(1, 12), k=2 * documents)
                self._drawn_lines = {(document, chunk): drawn}
            low, high = 2 * (max(first, chunk) - chunk), 2 * (min(stop, chunk + CHUNK) - chunk)
            products += drawn[0][low:high]
            quantities += drawn[1][low:high]
        return products, quantities

    def _totals(self, document, first: int, stop: int) -> list[str]:
        products, quantities = self._document_lines(document, first, stop)
        nets = [price * quantity for (_pid, price), quantity in zip(products, quantities)]
        return [str(a + b) for a, b in zip(nets[0::2], nets[1::2])]

    def _numbers(self, prefix: str, days: list[int], ids: list[int]) -> list[str]:
        year = self.year_text
        return [f"{prefix}-{year[d]}-{i:07d}" for d, i in zip(days, ids)]

    # One chunk of each table, as columns.
    def account_chunk(self, first: int, stop: int) -> list[list]:
        r, n = self.random("account", first), stop - first
        ids = self._ids(Account, first, stop)
        return [ids, self._companies(r, ids), r.choices(("customer", "dealer"), k=n), r.choices(REGIONS, k=n),
                r.choices(("prospect", "active", "active", "on_hold", "inactive"), k=n),
                [f"office{i}@scale.example" for i in ids], ["bank_transfer"] * n, self.account_owner[first:stop]]

    def contact_chunk(self, first: int, stop: int) -> list[list]:
        ids, accounts = self._ids(Contact, first, stop), self._ids(Account, first, stop)
        return [ids, accounts, [f"Contact {i}" for i in ids], [f"contact{i}@scale.example" for i in ids],
                [True] * (stop - first)]

    def lead_chunk(self, first: int, stop: int) -> list[list]:
        r, n = self.random("lead", first), stop - first
        ids = self._ids(Lead, first, stop)
        statuses = r.choices(LEAD_STATES, k=n)
        owners = [None if status == "new" else owner
                  for status, owner in zip(statuses, r.choices(self.coordinators, k=n))]
        return [ids, self._companies(r, ids), [f"Person {i}" for i in ids], [f"lead{i}@scale.example" for i in ids],
                r.choices(("web", "referral", "trade_show", "cold_call", "dealer"), k=n), statuses,
                r.choices(REGIONS, k=n), owners, [self.day_text[d] for d in self._days(r, n)]]

    def activity_chunk(self, first: int, stop: int) -> list[list]:
        r, n = self.random("activity", first), stop - first
        ids, base = self._ids(Activity, first, stop), self.start[Account]
        accounts = self._accounts(r, n)
        when = [f"{self.day_text[d]} {hour:02d}:00:00" for d, hour in zip(self._days(r, n), r.choices(range(8, 17), k=n))]
        done = [w if x < 0.8 else None for w, x in zip(when, (r.random() for _ in range(n)))]
        return [ids, r.choices(("call", "email", "meeting", "site_visit"), k=n), [f"Follow-up {i}" for i in ids],
                [self.account_owner[a] for a in accounts], [base + a for a in accounts], when, done]

    def quote_chunk(self, first: int, stop: int) -> list[list]:
        r, n = self.random("quote", first), stop - first
        ids, base = self._ids(Quote, first, stop), self.start[Account]
        accounts, days = self._accounts(r, n), self._days(r, n)
        statuses = r.choices(QUOTE_STATES, k=n)
        approvers = [approver if status in ("approved", "sent", "accepted") else None
                     for status, approver in zip(statuses, r.choices(self.supervisors, k=n))]
        return [ids, self._numbers("Q", days, ids), [base + a for a in accounts],
                [self.account_owner[a] for a in accounts], statuses, self._totals(Quote, first, stop),
                [(self.days[d] + timedelta(days=30)).isoformat() for d in days], approvers]

    def line_chunk(self, document, line, first: int, stop: int) -> list[list]:
        """Lines first..stop: two per document, so whole documents when chunks are even."""
        documents = range(first // 2, (stop + 1) // 2)
        products, quantities = self._document_lines(document, documents.start, documents.stop)
        offset = first - 2 * documents.start
        products, quantities = products[offset:offset + stop - first], quantities[offset:offset + stop - first]
        base = self.start[document]
        return [self._ids(line, first, stop), [base + i // 2 for i in range(first, stop)],
                [pid for pid, _price in products], quantities, [str(price) for _pid, price in products]]

    def order_chunk(self, first: int, stop: int) -> list[list]:
        r, n = self.random("sales_order", first), stop - first
        ids, base = self._ids(SalesOrder, first, stop), self.start[Account]
        accounts, days = self._accounts(r, n), self._days(r, n)
        return [ids, self._numbers("SO", days, ids), [base + a for a in accounts],
                [self.account_owner[a] for a in accounts], r.choices(ORDER_STATES, k=n),
                [x < 0.05 for x in (r.random() for _ in range(n))], [self.day_text[d] for d in days],
                [(self.days[d] + timedelta(days=lead)).isoformat() for d, lead in zip(days, r.choices(range(7, 60), k=n))],
                ["not_required"] * n, self._totals(SalesOrder, first, stop)]

    def shipment_chunk(self, first: int, stop: int) -> list[list]:
        r, n = self.random("shipment", first), stop - first
        countries = r.choices(COUNTRIES, k=n)
        return [self._ids(Shipment, first, stop), self._ids(SalesOrder, first, stop),
                r.choices(("planned", "booked", "dispatched", "delivered"), k=n), [c != "PL" for c in countries],
                r.choices(CARRIERS, k=n), [f"Warehouse {i % 500}, {c}" for i, c in zip(range(first, stop), countries)],
                countries, [self.day_text[d] for d in self._days(r, n)]]

    def invoice_chunk(self, first: int, stop: int) -> list[list]:
        r, n = self.random("invoice", first), stop - first
        ids, base = self._ids(Invoice, first, stop), self.start[Account]
        days = self._days(r, n)
        amounts = r.choices(range(500, 50_000), k=n)
        statuses = r.choices(("issued", "paid", "paid", "overdue"), k=n)
        return [ids, self._numbers("INV", days, ids), [base + a for a in self._accounts(r, n)],
                self._ids(SalesOrder, first, stop), statuses, [self.day_text[d] for d in days],
                [(self.days[d] + timedelta(days=30)).isoformat() for d in days], amounts,
                [a if s == "paid" else 0 for a, s in zip(amounts, statuses)]]


COPY_TEXT = {True: "t", False: "f", None: "\\N"}


def copy_text(values: list) -> list[str]:
    """One column in COPY's text format (the generated text holds no tabs, newlines or backslashes)."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return values
    if bool in kinds:
        return [COPY_TEXT[v] for v in values]
    if type(None) in kinds:
        return ["\\N" if v is None else str(v) for v in values]
    return list(map(str, values))


def copy_block(columns: list[list]) -> str:
    """Rows given as columns, as a block of COPY text."""
    return "".join(line + "\n" for line in map("\t".join, zip(*map(copy_text, columns))))


def prefetched(items: Iterator, ahead: int) -> Iterator:
    """`items` as produced by a thread of its own, up to `ahead` in advance.

    The rows of the next table are generated while the database builds the indexes of the last one.
    """
    queue: Queue = Queue(maxsize=ahead)
    end = object()

    def produce():
        try:
            for item in items:
                queue.put(item)
            queue.put(end)
        except BaseException as error:  # handed over, raised where the items are read
            queue.put(error)

    Thread(target=produce, daemon=True, name="seed rows").start()
    while (item := queue.get()) is not end:
        if isinstance(item, BaseException):
            raise item
        yield item


@dataclass
class Keys:
    """A table's plain indexes and foreign keys, as taken down for a bulk load (to be built again)."""

    table: str
    indexes: list[tuple[str, str]]
    foreign_keys: list[tuple[str, str]]

    @classmethod
    def take_down(cls, cursor, table: str) -> "Keys":
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint)", (table,))
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'f'", (f'"{table}"',))
        foreign_keys = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for name, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        return cls(table, indexes, foreign_keys)

    def build(self, connection) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '1GB'")
                for _name, definition in self.indexes:
                    cursor.execute(definition)
                for name, definition in self.foreign_keys:
                    cursor.execute(f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{name}" {definition}')
            connection.commit()
        except BaseException:
            connection.rollback()  # the next table's keys are built all the same
            raise


def write_postgresql(engine, tables: list[Table], tick) -> None:
    """COPY each table in with its plain indexes and foreign keys taken down, and build them again after.

    Building an index once over every row, and checking a foreign key with one join, is far faster
    than maintaining both row by row. The keys of all tables are taken down first (one transaction),
    then each table is loaded and committed while a second connection builds the keys of the tables
    already loaded, so the database builds indexes while the rows of the next table arrive. Whatever
    fails, every key taken down is built again before this returns.
    """
    blocks = prefetched(((copy_block(columns), len(columns[0])) for table in tables for columns in table.chunks()),
                        ahead=8)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            keys = [Keys.take_down(cursor, table.name) for table in tables]
        raw.commit()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed keys") as builder:
            builds, builder_connection = [], engine.raw_connection()
            try:
                for table, table_keys in zip(tables, keys):
                    with raw.cursor() as cursor:
                        with cursor.copy(f'COPY "{table.name}" ({", ".join(table.columns)}) FROM STDIN') as copy:
                            for block, rows in islice(blocks, table.chunk_count):
                                copy.write(block)
                                tick(rows)
                        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                       f"(SELECT max(id) FROM \"{table.name}\"))")
                    raw.commit()
                    builds.append(builder.submit(table_keys.build, builder_connection))
            except BaseException:
                raw.rollback()
                raise
            finally:
                for table_keys in keys[len(builds):]:  # a table not loaded gets its keys back all the same
                    builds.append(builder.submit(table_keys.build, builder_connection))
                try:
                    for build in builds:
                        build.result()
                finally:
                    builder_connection.close()
    finally:
        raw.close()


def vacuum_postgresql(engine, tables: list[Table]) -> None:
    """VACUUM ANALYZE the loaded tables, two at a time (each on a connection of its own)."""
    def vacuum(table: Table) -> None:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'VACUUM (ANALYZE) "{table.name}"'))

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(vacuum, sorted(tables, key=lambda table: -table.count)))


def write_sqlite(engine, tables: list[Table], tick) -> None:
    """Multi-row inserts in one transaction, then ANALYZE."""
    raw = engine.raw_connection()
    try:
        raw.execute("BEGIN")
        cursor = raw.cursor()
        for table in tables:
            statement = (f'INSERT INTO "{table.name}" ({", ".join(table.columns)}) '
                         f'VALUES ({", ".join("?" * len(table.columns))})')
            for columns in table.chunks():
                cursor.executemany(statement, zip(*columns))
                tick(len(columns[0]))
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def seed_scale(session, orders: int, progress=None) -> dict[str, int]:
    """Add `orders` sales orders with their related rows; returns rows per table."""
    data = ScaleData(session, orders)
    if not data.coordinators or not data.supervisors or not data.products:
        raise ValueError("seed the demo data first: bulk rows need its users and products")
    tables = data.tables()
    tick = progress or (lambda n: None)
    engine = session.get_bind()
    session.commit()
    if engine.dialect.name == "postgresql":
        write_postgresql(engine, tables, tick)
        vacuum_postgresql(engine, tables)
    else:
        write_sqlite(engine, tables, tick)
    return {table.name: table.count for table in tables}


def total_rows(orders: int) -> int:
    """How many rows `seed_scale(orders)` writes (for the progress bar)."""
    accounts = max(1, orders // 20)
    return 2 * accounts + orders // 2 * 4 + orders + orders * 3 + orders * 4 // 5 * 2
