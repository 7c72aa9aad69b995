"""Regions are filtered by, not searched: no trigram index on account.region or lead.region

Revision ID: e2b7d4c1a9f3
Revises: 7c3e9a1f4b2d
Create Date: 2026-11-22 18:40:00

A region is one of a handful of values, so a trigram index on it matches a third of the table for any
term, while every insert and every change of an indexed lead column pays for it (on 100,000 imported
leads, about a quarter of the time PostgreSQL spends). Regions get a filter instead (models.CATEGORY).
"""
from alembic import op

revision = "e2b7d4c1a9f3"
down_revision = "7c3e9a1f4b2d"
branch_labels = None
depends_on = None

TABLES = ("account", "lead")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # the trigram indexes exist on PostgreSQL only
    for table in TABLES:
        op.drop_index(f"ix_{table}_region_trgm", table_name=table)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.create_index(f"ix_{table}_region_trgm", table, ["region"], postgresql_using="gin",
                        postgresql_ops={"region": "gin_trgm_ops"})
