"""The nightly purge of idempotency keys: rows past their 24 hours go, the others stay."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from mobility.api.models import IdempotencyKey
from mobility.extensions import db
from mobility.scheduler import JOBS, JobRun, run_job
from tests.factories import UserFactory

NOW = datetime(2026, 12, 2, 3, 30, tzinfo=timezone.utc)


def _key(user, name, age):
    db.session.add(IdempotencyKey(
        user_id=user.id, key=name, fingerprint="0" * 64, status_code=201, body="{}", created_at=NOW - age,
    ))
    db.session.commit()


def test_the_purge_job_deletes_the_keys_past_their_24_hours_and_keeps_the_others(app, time_machine):
    time_machine.move_to(NOW, tick=False)
    user = UserFactory()
    _key(user, "old", timedelta(hours=30))
    _key(user, "just-past", timedelta(hours=24))
    _key(user, "fresh", timedelta(hours=23, minutes=59))
    outcome = run_job("idempotency-key-purge", trigger="manual")
    assert outcome.status == "ok"
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["fresh"]
    run = db.session.scalar(select(JobRun).where(JobRun.job == "idempotency-key-purge"))
    assert run.rows_changed == 2
    # Run again in the same night: its work is done, nothing more goes.
    assert run_job("idempotency-key-purge", trigger="manual").status == "done"
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["fresh"]


def test_the_purge_is_in_the_scheduler_job_table_outside_the_clock_change_hour():
    job = JOBS["idempotency-key-purge"]
    assert job.period_minutes == 1440 and not job.destructive
    assert "hour='4'" in str(job.trigger)
