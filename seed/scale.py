"""`flask seed --scale N`: bulk data for benchmarks — N sales orders and proportional related rows.

Per 1,000 orders: 50 accounts with a contact each, 500 leads, 1,000 activities, 500 quotes with
2 lines each, 2 lines per order, 800 shipments and 800 invoices. Deterministic (one seeded
generator; ids follow the highest existing id), dated 2016–2025 so it never mixes with the demo's
recent months, and written in one transaction: PostgreSQL COPY, multi-row inserts on SQLite.
Users, teams and products come from the demo data (seeded first when it is missing).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Callable, Iterator

from sqlalchemy import func, select, text

from models import (
    Account, Activity, Contact, Invoice, Lead, OrderLine, Product, Quote, QuoteLine, Role, SalesOrder,
    Shipment, User,
)

SEED = 8_000_000
FIRST_DAY = date(2016, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days
BATCH = 5_000

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


@dataclass
class Table:
    """One table's bulk rows: its name, the columns written, and the row generator."""

    name: str
    columns: tuple[str, ...]
    rows: Callable[[], Iterator[tuple]]
    count: int


class ScaleData:
    """The rows for `orders` sales orders, generated on demand from one seeded generator."""

    def __init__(self, session, orders: int):
        self.random = random.Random(SEED + orders)
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
        self.account_owner = [self.random.choice(self.coordinators) for _ in range(self.accounts)]

    def day(self) -> date:
        return FIRST_DAY + timedelta(days=self.random.randrange(DAYS))

    def account_of(self) -> int:
        return self.random.randrange(self.accounts)

    def company(self, i: int) -> str:
        r = self.random
        return f"{r.choice(WORDS)} {r.choice(WORDS)} {i}{r.choice(FORMS)}"

    def tables(self) -> list[Table]:
        s = self.start
        return [
            Table("account", ("id", "name", "kind", "region", "status", "email", "payment_method", "owner_id"),
                  self.account_rows, self.accounts),
            Table("contact", ("id", "account_id", "name", "email", "is_primary"), self.contact_rows, self.accounts),
            Table("lead", ("id", "company", "contact_name", "contact_email", "source", "status", "region",
                           "owner_id", "next_follow_up"), self.lead_rows, self.leads),
            Table("activity", ("id", "kind", "subject", "owner_id", "account_id", "scheduled_at", "done_at"),
                  self.activity_rows, self.activities),
            Table("quote", ("id", "number", "account_id", "owner_id", "status", "total", "valid_until",
                            "approved_by_id"), self.quote_rows, self.quotes),
            Table("quote_line", ("id", "quote_id", "product_id", "quantity", "unit_price"),
                  lambda: self.line_rows(s[Quote], self.quotes, seed=1), self.quotes * 2),
            Table("sales_order", ("id", "number", "account_id", "owner_id", "status", "is_rush", "ordered_on",
                                  "requested_ship_date", "drawing_status", "total"), self.order_rows, self.orders),
            Table("order_line", ("id", "order_id", "product_id", "quantity", "unit_price"),
                  lambda: self.line_rows(s[SalesOrder], self.orders, seed=2), self.orders * 2),
            Table("shipment", ("id", "order_id", "status", "is_export", "carrier", "destination",
                               "destination_country", "planned_on"), self.shipment_rows, self.shipped),
            Table("invoice", ("id", "number", "account_id", "order_id", "status", "issued_on", "due_on",
                              "amount", "paid_amount"), self.invoice_rows, self.shipped),
        ]

    def account_rows(self):
        base = self.start[Account]
        for i in range(self.accounts):
            r = self.random
            yield (base + i, self.company(base + i), r.choice(("customer", "dealer")), r.choice(REGIONS),
                   r.choice(("prospect", "active", "active", "on_hold", "inactive")),
                   f"office{base + i}@scale.example", "bank_transfer", self.account_owner[i])

    def contact_rows(self):
        base, accounts = self.start[Contact], self.start[Account]
        for i in range(self.accounts):
            yield (base + i, accounts + i, f"Contact {base + i}", f"contact{base + i}@scale.example", True)

    def lead_rows(self):
        base = self.start[Lead]
        for i in range(self.leads):
            r = self.random
            status = r.choice(LEAD_STATES)
            owner = None if status == "new" else r.choice(self.coordinators)
            yield (base + i, self.company(base + i), f"Person {base + i}", f"lead{base + i}@scale.example",
                   r.choice(("web", "referral", "trade_show", "cold_call", "dealer")), status,
                   r.choice(REGIONS), owner, self.day())

    def activity_rows(self):
        base, accounts = self.start[Activity], self.start[Account]
        for i in range(self.activities):
            r = self.random
            account = self.account_of()
            when = datetime.combine(self.day(), datetime.min.time()) + timedelta(hours=r.randrange(8, 17))
            yield (base + i, r.choice(("call", "email", "meeting", "site_visit")), f"Follow-up {base + i}",
                   self.account_owner[account], accounts + account, when, when if r.random() < 0.8 else None)

    def _prices(self, count: int, seed: int) -> list[tuple[int, Decimal, int]]:
        """(product, unit price, quantity) of `count` lines, from a generator of its own (lines and totals agree)."""
        r = random.Random(SEED * 10 + seed)
        return [(*r.choice(self.products), r.randrange(1, 12)) for _ in range(count)]

    def line_rows(self, first_document: int, documents: int, seed: int):
        base = self.start[QuoteLine if seed == 1 else OrderLine]
        prices = self._prices(documents * 2, seed)
        for i, (product, price, quantity) in enumerate(prices):
            yield (base + i, first_document + i // 2, product, quantity, price)

    def totals(self, documents: int, seed: int) -> list[Decimal]:
        prices = self._prices(documents * 2, seed)
        return [prices[2 * i][1] * prices[2 * i][2] + prices[2 * i + 1][1] * prices[2 * i + 1][2]
                for i in range(documents)]

    def quote_rows(self):
        base, accounts = self.start[Quote], self.start[Account]
        totals = self.totals(self.quotes, 1)
        for i in range(self.quotes):
            r = self.random
            account = self.account_of()
            day = self.day()
            status = r.choice(QUOTE_STATES)
            approver = r.choice(self.supervisors) if status in ("approved", "sent", "accepted") else None
            yield (base + i, f"Q-{day.year}-{base + i:07d}", accounts + account, self.account_owner[account],
                   status, totals[i], day + timedelta(days=30), approver)

    def order_rows(self):
        base, accounts = self.start[SalesOrder], self.start[Account]
        totals = self.totals(self.orders, 2)
        for i in range(self.orders):
            r = self.random
            account = self.account_of()
            day = self.day()
            yield (base + i, f"SO-{day.year}-{base + i:07d}", accounts + account, self.account_owner[account],
                   r.choice(ORDER_STATES), r.random() < 0.05, day, day + timedelta(days=r.randrange(7, 60)),
                   "not_required", totals[i])

    def shipment_rows(self):
        base, orders = self.start[Shipment], self.start[SalesOrder]
        for i in range(self.shipped):
            r = self.random
            country = r.choice(COUNTRIES)
            yield (base + i, orders + i, r.choice(("planned", "booked", "dispatched", "delivered")),
                   country != "PL", r.choice(CARRIERS), f"Warehouse {i % 500}, {country}", country, self.day())

    def invoice_rows(self):
        base, orders, accounts = self.start[Invoice], self.start[SalesOrder], self.start[Account]
        for i in range(self.shipped):
            r = self.random
            issued = self.day()
            amount = Decimal(r.randrange(500, 50_000))
            status = r.choice(("issued", "paid", "paid", "overdue"))
            yield (base + i, f"INV-{issued.year}-{base + i:07d}", accounts + self.account_of(), orders + i,
                   status, issued, issued + timedelta(days=30), amount, amount if status == "paid" else 0)


def write_postgresql(raw, table: Table, tick) -> None:
    """COPY the rows in; the table's plain indexes are dropped first and rebuilt after (far faster in bulk)."""
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint)", (table.name,))
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        with cursor.copy(f'COPY "{table.name}" ({", ".join(table.columns)}) FROM STDIN') as copy:
            for n, row in enumerate(table.rows(), 1):
                copy.write_row(row)
                if n % BATCH == 0:
                    tick(BATCH)
            tick(n % BATCH if table.count else 0)
        for _name, definition in indexes:
            cursor.execute(definition)


def write_sqlite(raw, table: Table, tick) -> None:
    statement = (f'INSERT INTO "{table.name}" ({", ".join(table.columns)}) '
                 f'VALUES ({", ".join("?" * len(table.columns))})')
    cursor = raw.cursor()
    batch = []
    for row in table.rows():
        batch.append(tuple(str(v) if isinstance(v, Decimal) else v for v in row))
        if len(batch) == BATCH:
            cursor.executemany(statement, batch)
            tick(len(batch))
            batch = []
    if batch:
        cursor.executemany(statement, batch)
        tick(len(batch))


def seed_scale(session, orders: int, progress=None) -> dict[str, int]:
    """Add `orders` sales orders with their related rows in one transaction; returns rows per table."""
    data = ScaleData(session, orders)
    if not data.coordinators or not data.supervisors or not data.products:
        raise ValueError("seed the demo data first: bulk rows need its users and products")
    tables = data.tables()
    tick = progress or (lambda n: None)
    engine = session.get_bind()
    session.commit()
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            for table in tables:
                write_postgresql(raw, table, tick)
            with raw.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                   f"(SELECT max(id) FROM \"{table.name}\"))")
                    cursor.execute(f'ANALYZE "{table.name}"')
        else:
            raw.execute("BEGIN")
            for table in tables:
                write_sqlite(raw, table, tick)
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
    return {table.name: table.count for table in tables}


def total_rows(orders: int) -> int:
    """How many rows `seed_scale(orders)` writes (for the progress bar)."""
    accounts = max(1, orders // 20)
    return 2 * accounts + orders // 2 * 4 + orders + orders * 3 + orders * 4 // 5 * 2
