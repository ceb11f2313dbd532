"""Extension requests and waiting-queue places get a log row per change of status, like
bookings: extension_transition and waiting_transition.

Rows written before this revision have no log (their current status stays as it is).

Revision ID: c10c0000001
Revises: c0ffee000011
Create Date: 2026-12-01 23:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'c10c0000001'
down_revision = "c0ffee000011"
branch_labels = None
depends_on = None

EXTENSION_STATUSES = ('pending', 'approved', 'refused')
WAITING_STATUSES = ('waiting', 'offered', 'accepted', 'withdrawn', 'expired')


def upgrade():
    op.create_table('extension_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('extension_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.Enum(*EXTENSION_STATUSES, name='extension_from_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('to_status', sa.Enum(*EXTENSION_STATUSES, name='extension_to_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_extension_transition_actor_id_user_account')),
    sa.ForeignKeyConstraint(['extension_id'], ['booking_extension.id'], name=op.f('fk_extension_transition_extension_id_booking_extension')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_transition'))
    )
    with op.batch_alter_table('extension_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extension_transition_extension_id'), ['extension_id'], unique=False)

    op.create_table('waiting_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.Enum(*WAITING_STATUSES, name='waiting_from_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('to_status', sa.Enum(*WAITING_STATUSES, name='waiting_to_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_waiting_transition_actor_id_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['waiting_entry.id'], name=op.f('fk_waiting_transition_entry_id_waiting_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waiting_transition'))
    )
    with op.batch_alter_table('waiting_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waiting_transition_entry_id'), ['entry_id'], unique=False)


def downgrade():
    with op.batch_alter_table('waiting_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waiting_transition_entry_id'))
    op.drop_table('waiting_transition')
    with op.batch_alter_table('extension_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_transition_extension_id'))
    op.drop_table('extension_transition')
