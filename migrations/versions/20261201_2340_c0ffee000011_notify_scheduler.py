"""Outbox channels and retries, scheduler job runs and heartbeat, retention fields, audit purge.

- outbox_message: HTML part, context, language, next attempt (backoff), provider id and
  delivery status; the channel is e-mail or SMS (CHECK).
- job_run: one row per job and scheduled period (UNIQUE), so the work happens once.
- beneficiary: contact channel choice; anonymisation keeps age band and basin, so birth date
  and commune become nullable for anonymised files only (CHECK).
- audit_purge: the access-log purges. audit_event stays append-only: its triggers now let a
  DELETE through only for rows older than the latest cutoff recorded in audit_purge, which the
  purge writes in the same transaction; UPDATE is still refused, and audit_purge itself
  refuses UPDATE and DELETE.

Revision ID: c0ffee000011
Revises: a91000000002
Create Date: 2026-12-01 23:40:35.113072

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c0ffee000011'
down_revision = "a91000000002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_purge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cutoff', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rows_purged', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_purge'))
    )
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=60), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('trigger', sa.String(length=12), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=12), nullable=False),
    sa.Column('rows_changed', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('messages_queued', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('dropped', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    sa.UniqueConstraint('job', 'period', name='uq_job_run_job_period')
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_run_started_at'), ['started_at'], unique=False)

    op.create_table('scheduler_heartbeat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('host', sa.String(length=120), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_heartbeat'))
    )
    with _sqlite_foreign_keys_off():
        _beneficiary_retention_columns()

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=2), server_default='fr', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False))
        batch_op.add_column(sa.Column('provider_message_id', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('delivery_status', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_outbox_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_check_constraint('channel_known', "channel IN ('email', 'sms')")
        batch_op.create_check_constraint('sent_has_time', "status <> 'sent' OR sent_at IS NOT NULL")

    _audit_purge_allowed()


def _beneficiary_retention_columns():
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_channel', sa.Enum('email', 'sms', 'both', name='contact_choice', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('retention_notice_for', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('anonymised_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('age_band', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('anonymised_basin_id', sa.Integer(), nullable=True))
        batch_op.alter_column('birth_date',
               existing_type=sa.DATE(),
               nullable=True)
        batch_op.alter_column('commune_insee',
               existing_type=sa.VARCHAR(length=5),
               nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_beneficiary_anonymised_basin_id_employment_basin'), 'employment_basin', ['anonymised_basin_id'], ['id'])
        batch_op.create_check_constraint(
            'identity_until_anonymised',
            'anonymised_on IS NOT NULL OR (birth_date IS NOT NULL AND commune_insee IS NOT NULL)',
        )


@contextmanager
def _sqlite_foreign_keys_off():
    """SQLite copies a table to change a column's nullability; dropping the old copy with
    foreign keys on would delete-check every row that references it. SQLite's own procedure
    for this: foreign keys off (only outside a transaction), copy, check, foreign keys on.
    """
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys = OFF")
    op.execute("BEGIN")
    try:
        yield
        problems = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign keys broken by the table copy: {problems[:5]}")
    finally:
        op.execute("COMMIT")
        op.execute("PRAGMA foreign_keys = ON")
        op.execute("BEGIN")


def _audit_purge_allowed():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND OLD.occurred_at < (SELECT max(cutoff) FROM audit_purge) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit_event is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            """
            CREATE FUNCTION audit_purge_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_purge is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_purge_append_only BEFORE UPDATE OR DELETE ON audit_purge "
            "FOR EACH ROW EXECUTE FUNCTION audit_purge_refuse_change()"
        )
        return
    op.execute("DROP TRIGGER audit_event_no_delete")
    op.execute(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "WHEN (SELECT max(cutoff) FROM audit_purge) IS NULL "
        "OR OLD.occurred_at >= (SELECT max(cutoff) FROM audit_purge) "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    )
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_purge_no_{event.lower()} BEFORE {event} ON audit_purge "
            "BEGIN SELECT RAISE(ABORT, 'audit_purge is append-only'); END"
        )


def _audit_append_only_again():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_purge_append_only ON audit_purge")
        op.execute("DROP FUNCTION audit_purge_refuse_change()")
        op.execute(
            """
            CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_event is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        return
    op.execute("DROP TRIGGER audit_purge_no_update")
    op.execute("DROP TRIGGER audit_purge_no_delete")
    op.execute("DROP TRIGGER audit_event_no_delete")
    op.execute(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
    )


def downgrade():
    _audit_append_only_again()
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_message_sent_has_time'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_message_channel_known'), type_='check')
        batch_op.drop_index('ix_outbox_message_due')
        batch_op.drop_column('delivery_status')
        batch_op.drop_column('provider_message_id')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('language')
        batch_op.drop_column('context')
        batch_op.drop_column('body_html')

    with _sqlite_foreign_keys_off(), op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_beneficiary_identity_until_anonymised'), type_='check')
        batch_op.drop_constraint(op.f('ck_beneficiary_contact_choice'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_beneficiary_anonymised_basin_id_employment_basin'), type_='foreignkey')
        batch_op.alter_column('commune_insee',
               existing_type=sa.VARCHAR(length=5),
               nullable=False)
        batch_op.alter_column('birth_date',
               existing_type=sa.DATE(),
               nullable=False)
        batch_op.drop_column('anonymised_basin_id')
        batch_op.drop_column('age_band')
        batch_op.drop_column('anonymised_on')
        batch_op.drop_column('retention_notice_for')
        batch_op.drop_column('contact_channel')

    op.drop_table('scheduler_heartbeat')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_started_at'))

    op.drop_table('job_run')
    op.drop_table('audit_purge')
