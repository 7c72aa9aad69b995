"""Saved views: names unique per owner and list, one default per role and list, defaults are shared

Revision ID: a12dadde9eae
Revises: d60e58b569b1
Create Date: 2026-11-22 13:10:32.350997

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a12dadde9eae'
down_revision = 'd60e58b569b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_saved_view_owner_endpoint_name', ['owner_id', 'endpoint', 'name'])
        batch_op.create_check_constraint(
            op.f('ck_saved_view_default_is_shared'), 'NOT is_default OR shared_with_role IS NOT NULL')
        batch_op.create_index('uq_saved_view_one_default_per_role', ['endpoint', 'shared_with_role'], unique=True,
                              sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))


def downgrade():
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.drop_index('uq_saved_view_one_default_per_role', sqlite_where=sa.text('is_default'),
                            postgresql_where=sa.text('is_default'))
        batch_op.drop_constraint(op.f('ck_saved_view_default_is_shared'), type_='check')
        batch_op.drop_constraint('uq_saved_view_owner_endpoint_name', type_='unique')
