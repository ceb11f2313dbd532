"""Reporting: yearly objectives per prescriber organisation and indicator.

Revision ID: c0a100000001
Revises: c0550000001
Create Date: 2026-12-01 23:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0a100000001'
down_revision = "c0550000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reporting_objective',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.Enum('people_referred', 'people_with_rental', 'rentals', 'rental_days', 'positive_outcomes', name='objective_indicator', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('target > 0', name=op.f('ck_reporting_objective_target_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_reporting_objective_year_plausible')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_reporting_objective_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_reporting_objective_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_objective')),
    sa.UniqueConstraint('organisation_id', 'year', 'indicator', name='uq_reporting_objective_organisation_year_indicator')
    )
    with op.batch_alter_table('reporting_objective', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_objective_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reporting_objective', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reporting_objective_organisation_id'))
    op.drop_table('reporting_objective')
