"""Quotes and orders filtered by status, newest first: an index on (status, id)

Revision ID: 7c3e9a1f4b2d
Revises: a12dadde9eae
Create Date: 2026-11-22 13:20:00

It replaces the index on status alone: a status filter's page (`ORDER BY id DESC LIMIT 20`) and its
capped count both read one range of the new index.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c3e9a1f4b2d'
down_revision = "a12dadde9eae"
branch_labels = None
depends_on = None

TABLES = ("quote", "sales_order")


def upgrade():
    for table in TABLES:
        op.create_index(f"ix_{table}_status_id", table, ["status", "id"], unique=False)
        op.drop_index(f"ix_{table}_status", table_name=table)


def downgrade():
    for table in TABLES:
        op.create_index(f"ix_{table}_status", table, ["status"], unique=False)
        op.drop_index(f"ix_{table}_status_id", table_name=table)
