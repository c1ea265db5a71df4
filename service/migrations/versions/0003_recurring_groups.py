"""recurring-problem groups and per-complaint recurrence rows

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('recurring_groups',
    sa.Column('id', BigId, nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kelurahan', sa.String(length=200), nullable=True),
    sa.Column('kecamatan', sa.String(length=200), nullable=True),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['complaints.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recurring_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurring_groups_last_at'), ['last_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_recurring_groups_kecamatan'), ['kecamatan'], unique=False)
    op.create_table('complaint_recurrence',
    sa.Column('complaint_id', BigId, nullable=False),
    sa.Column('group_id', BigId, nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['recurring_groups.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('complaint_id')
    )
    with op.batch_alter_table('complaint_recurrence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_recurrence_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_recurrence_at'), ['at'], unique=False)


def downgrade() -> None:
    op.drop_table('complaint_recurrence')
    op.drop_table('recurring_groups')
