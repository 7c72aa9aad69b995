"""Trigram indexes for searching text on PostgreSQL

Revision ID: 5b1e0c7d2a9f
Revises: 374564201502
Create Date: 2026-11-23 09:00:00

"""
from alembic import op

revision = "5b1e0c7d2a9f"
down_revision = "374564201502"
branch_labels = None
depends_on = None

# (table, column): the text people search in the tables that grow large (models/search.py).
SEARCHED_TEXT = [
    ("account", "name"),
    ("account", "email"),
    ("account", "vat_number"),
    ("account", "region"),
    ("contact", "name"),
    ("contact", "email"),
    ("lead", "company"),
    ("lead", "contact_email"),
    ("lead", "region"),
    ("quote", "number"),
    ("sales_order", "number"),
    ("sales_order", "customer_po"),
    ("shipment", "carrier"),
    ("shipment", "booking_ref"),
    ("shipment", "tracking_number"),
    ("shipment", "destination_country"),
    ("invoice", "number"),
    ("payment", "reference"),
    ("customer_request", "subject"),
]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite searches by prefix over the existing indexes
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in SEARCHED_TEXT:
        op.create_index(f"ix_{table}_{column}_trgm", table, [column], postgresql_using="gin",
                        postgresql_ops={column: "gin_trgm_ops"})


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in SEARCHED_TEXT:
        op.drop_index(f"ix_{table}_{column}_trgm", table_name=table)
