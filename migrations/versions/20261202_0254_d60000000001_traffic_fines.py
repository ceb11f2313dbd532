"""Traffic fines: avis de contravention per vehicle, the driver identified from the handovers,
the designation and its deadline, and the log of every move (issue 15).

Revision ID: d60000000001
Revises: c0a100000001
Create Date: 2026-12-02 02:54:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd60000000001'
down_revision = 'c0a100000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('notice_number', sa.String(length=10), nullable=False),
    sa.Column('offence_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('speed', 'red_light', 'stop_sign', 'phone', 'seat_belt', 'bus_lane', 'safety_distance', 'overtaking', 'no_insurance', 'parking', 'other_designation', 'other_no_designation', name='offence_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('notice_sent_on', sa.Date(), nullable=False),
    sa.Column('designation_due_on', sa.Date(), nullable=False),
    sa.Column('finding', sa.Enum('driver', 'at_site', 'needs_review', name='fine_finding', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('received', 'driver_identified', 'designated', 'contested', 'paid_by_association', 'closed', name='fine_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('designation_reference', sa.String(length=60), nullable=True),
    sa.Column('designated_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'designated' OR (designation_reference IS NOT NULL AND designated_on IS NOT NULL)", name=op.f('ck_fine_designation_has_reference')),
    sa.CheckConstraint("status NOT IN ('driver_identified', 'designated') OR beneficiary_id IS NOT NULL", name=op.f('ck_fine_designation_names_person')),
    sa.CheckConstraint('amount_cents > 0 AND amount_cents < 100000000', name=op.f('ck_fine_amount_plausible')),
    sa.CheckConstraint('designation_due_on > notice_sent_on', name=op.f('ck_fine_due_after_sending')),
    sa.CheckConstraint('length(notice_number) = 10', name=op.f('ck_fine_notice_number_length')),
    sa.CheckConstraint('length(trim(place)) > 0', name=op.f('ck_fine_place_not_blank')),
    sa.ForeignKeyConstraint(['association_id'], ['organisation.id'], name=op.f('fk_fine_association_id_organisation')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_fine_beneficiary_id_beneficiary')),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_fine_booking_id_booking')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_fine_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicle.id'], name=op.f('fk_fine_vehicle_id_vehicle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fine')),
    sa.UniqueConstraint('notice_number', name=op.f('uq_fine_notice_number'))
    )
    with op.batch_alter_table('fine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fine_association_id'), ['association_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fine_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fine_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fine_designation_due_on'), ['designation_due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_fine_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_fine_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('fine_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fine_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('record', 'identify', 'designate', 'contest', 'pay', 'close', name='fine_action', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('from_status', sa.Enum('received', 'driver_identified', 'designated', 'contested', 'paid_by_association', 'closed', name='fine_from_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('to_status', sa.Enum('received', 'driver_identified', 'designated', 'contested', 'paid_by_association', 'closed', name='fine_to_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_fine_transition_actor_id_user_account')),
    sa.ForeignKeyConstraint(['fine_id'], ['fine.id'], name=op.f('fk_fine_transition_fine_id_fine')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fine_transition'))
    )
    with op.batch_alter_table('fine_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fine_transition_fine_id'), ['fine_id'], unique=False)



def downgrade():
    with op.batch_alter_table('fine_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fine_transition_fine_id'))

    op.drop_table('fine_transition')
    with op.batch_alter_table('fine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fine_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_fine_status'))
        batch_op.drop_index(batch_op.f('ix_fine_designation_due_on'))
        batch_op.drop_index(batch_op.f('ix_fine_booking_id'))
        batch_op.drop_index(batch_op.f('ix_fine_beneficiary_id'))
        batch_op.drop_index(batch_op.f('ix_fine_association_id'))

    op.drop_table('fine')
