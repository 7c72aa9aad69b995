"""Sales orders carry a document discount like quotes

Revision ID: 374564201502
Revises: a4584c4198cf
Create Date: 2026-11-22 10:58:42.178586

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '374564201502'
down_revision = 'a4584c4198cf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_pct', sa.Numeric(precision=5, scale=2), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_sales_order_discount_pct_range'), 'discount_pct >= 0 AND discount_pct <= 100')


def downgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sales_order_discount_pct_range'), type_='check')
        batch_op.drop_column('discount_pct')
