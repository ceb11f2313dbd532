"""Incidents: incidents during rentals, their photos (and handover photos), insurance claims, each
association's claim rules, and the organisation's emergency number.

Revision ID: d70000000001
Revises: d60000000001
Create Date: 2026-12-02 02:57:15.661412

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd70000000001'
down_revision = "d60000000001"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('incident_policy',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('claim_working_days', sa.Integer(), server_default='5', nullable=False),
    sa.Column('deductible_borne_by', sa.Enum('association', 'beneficiary', 'other_party', name='policy_deductible_bearer', native_enum=False, create_constraint=True), server_default='association', nullable=False),
    sa.CheckConstraint('claim_working_days BETWEEN 5 AND 30', name=op.f('ck_incident_policy_claim_working_days_range')),
    sa.ForeignKeyConstraint(['association_id'], ['organisation.id'], name=op.f('fk_incident_policy_association_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('association_id', name=op.f('pk_incident_policy'))
    )
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('handover_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('accident', 'breakdown', 'theft', 'vandalism', 'other', name='incident_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('reported', 'off_road', 'repaired', 'closed', name='incident_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('other_party_involved', sa.Boolean(), nullable=False),
    sa.Column('police_report_reference', sa.String(length=60), nullable=True),
    sa.Column('stops_vehicle', sa.Boolean(), nullable=False),
    sa.Column('unavailability_id', sa.Integer(), nullable=True),
    sa.Column('repaired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(trim(description)) > 0', name=op.f('ck_incident_description_not_blank')),
    sa.CheckConstraint('length(trim(place)) > 0', name=op.f('ck_incident_place_not_blank')),
    sa.CheckConstraint('occurred_at <= reported_at', name=op.f('ck_incident_not_reported_before_it_happened')),
    sa.CheckConstraint('repaired_at IS NULL OR repaired_at >= occurred_at', name=op.f('ck_incident_repaired_after_it_happened')),
    sa.ForeignKeyConstraint(['association_id'], ['organisation.id'], name=op.f('fk_incident_association_id_organisation')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_incident_beneficiary_id_beneficiary')),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_incident_booking_id_booking')),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], name=op.f('fk_incident_handover_id_handover')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id'], name=op.f('fk_incident_reported_by_id_user_account')),
    sa.ForeignKeyConstraint(['unavailability_id'], ['unavailability.id'], name=op.f('fk_incident_unavailability_id_unavailability'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicle.id'], name=op.f('fk_incident_vehicle_id_vehicle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_association_id'), ['association_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_status'), ['status'], unique=False)
        batch_op.create_index('ix_incident_vehicle_id_occurred_at', ['vehicle_id', 'occurred_at'], unique=False)

    op.create_table('condition_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('handover_id', sa.Integer(), nullable=True),
    sa.Column('original_filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name=op.f('ck_condition_photo_content_type_accepted')),
    sa.CheckConstraint('incident_id IS NOT NULL OR handover_id IS NOT NULL', name=op.f('ck_condition_photo_photo_of_something')),
    sa.CheckConstraint('length(trim(original_filename)) > 0', name=op.f('ck_condition_photo_original_filename_not_blank')),
    sa.CheckConstraint('size_bytes > 0 AND size_bytes <= 5242880', name=op.f('ck_condition_photo_size_within_limit')),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], name=op.f('fk_condition_photo_handover_id_handover'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_condition_photo_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_condition_photo_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_condition_photo')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_condition_photo_stored_name'))
    )
    with op.batch_alter_table('condition_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_condition_photo_handover_id'), ['handover_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_condition_photo_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.Enum('reported', 'off_road', 'repaired', 'closed', name='incident_from_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('to_status', sa.Enum('reported', 'off_road', 'repaired', 'closed', name='incident_to_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_incident_transition_actor_id_user_account')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_transition_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_transition'))
    )
    with op.batch_alter_table('incident_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_transition_incident_id'), ['incident_id'], unique=False)

    op.create_table('insurance_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('insurer_reference', sa.String(length=60), nullable=True),
    sa.Column('declared_on', sa.Date(), nullable=True),
    sa.Column('deadline_on', sa.Date(), nullable=False),
    sa.Column('expert_visit_on', sa.Date(), nullable=True),
    sa.Column('repair_cost_cents', sa.Integer(), nullable=True),
    sa.Column('deductible_cents', sa.Integer(), nullable=True),
    sa.Column('deductible_borne_by', sa.Enum('association', 'beneficiary', 'other_party', name='deductible_bearer', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('declared_on IS NULL OR expert_visit_on IS NULL OR expert_visit_on >= declared_on', name=op.f('ck_insurance_claim_expert_after_declaration')),
    sa.CheckConstraint('deductible_cents IS NULL OR deductible_cents >= 0', name=op.f('ck_insurance_claim_deductible_not_negative')),
    sa.CheckConstraint('repair_cost_cents IS NULL OR repair_cost_cents >= 0', name=op.f('ck_insurance_claim_repair_cost_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_insurance_claim_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_insurance_claim_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_claim')),
    sa.UniqueConstraint('incident_id', name=op.f('uq_insurance_claim_incident_id'))
    )
    with op.batch_alter_table('insurance_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_claim_deadline_on'), ['deadline_on'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emergency_phone', sa.String(length=20), nullable=True))




def downgrade():

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('emergency_phone')

    with op.batch_alter_table('insurance_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_claim_deadline_on'))

    op.drop_table('insurance_claim')
    with op.batch_alter_table('incident_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_transition_incident_id'))

    op.drop_table('incident_transition')
    with op.batch_alter_table('condition_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_condition_photo_incident_id'))
        batch_op.drop_index(batch_op.f('ix_condition_photo_handover_id'))

    op.drop_table('condition_photo')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_vehicle_id_occurred_at')
        batch_op.drop_index(batch_op.f('ix_incident_status'))
        batch_op.drop_index(batch_op.f('ix_incident_booking_id'))
        batch_op.drop_index(batch_op.f('ix_incident_beneficiary_id'))
        batch_op.drop_index(batch_op.f('ix_incident_association_id'))

    op.drop_table('incident')
    op.drop_table('incident_policy')

