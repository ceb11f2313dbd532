"""The scheduler: one process, Paris time, never during the clock change, each period's work once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mobility import create_app
from mobility.core.time import PARIS
from mobility.extensions import db
from mobility.scheduler import JOBS, JobRun, beat, build_scheduler, run_job
from tests.conftest import POSTGRES_URL, base_config

ROOT = Path(__file__).resolve().parents[2]
CLOCK_CHANGES = (date(2026, 3, 29), date(2026, 10, 25))


def test_creating_the_app_starts_no_scheduler(make_app):
    before = {t.name for t in threading.enumerate()}
    make_app()
    after = {t.name for t in threading.enumerate()}
    assert not any("APScheduler" in name or "scheduler" in name.lower() for name in after - before)


@pytest.mark.parametrize("day", CLOCK_CHANGES, ids=["spring", "autumn"])
def test_no_job_runs_between_two_and_three_on_the_days_the_clock_changes(day):
    start = datetime(day.year, day.month, day.day, 0, 0, tzinfo=PARIS) - timedelta(hours=1)
    end = start + timedelta(hours=28)
    for job in JOBS.values():
        fire, previous = job.trigger.get_next_fire_time(None, start), None
        while fire is not None and fire < end:
            local = fire.astimezone(PARIS)
            assert not (local.hour == 2), f"{job.name} fires at {local}"
            previous, fire = fire, job.trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        assert previous is not None or job.trigger.get_next_fire_time(None, start) is not None


def test_every_job_runs_once_at_a_time_with_its_own_grace(app):
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(JOBS) <= set(jobs)
    assert str(scheduler.timezone) == "Europe/Paris"
    for name, spec in JOBS.items():
        job = jobs[name]
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == spec.misfire_minutes * 60 >= 60


def test_a_job_run_twice_in_its_period_does_the_work_once(app):
    first = run_job("approvals-digest", trigger="manual")
    second = run_job("approvals-digest", trigger="manual")
    assert first.status == "ok" and second.status == "done"
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


def test_a_switched_off_job_does_nothing(app):
    app.config["JOBS_DISABLED"] = ["approvals-digest"]
    assert run_job("approvals-digest").status == "off"
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0


def test_jobs_list_shows_schedule_last_and_next_run(app, runner, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc), tick=False)
    runner.invoke(args=["jobs", "run", "approvals-digest"])
    output = runner.invoke(args=["jobs", "list"]).output
    for name in JOBS:
        assert name in output
    block = output.split("approvals-digest")[1].split("\n  next run")[0]
    assert "last run: 2026-12-01 10:00:00 CET" in block and ", ok, 0 row(s) changed, 0 message(s) queued" in block
    assert "next run: 2026-12-02 08:00 CET" in output.split("approvals-digest")[1]


def test_jobs_run_of_a_destructive_job_is_a_dry_run_unless_wet(app, runner):
    output = runner.invoke(args=["jobs", "run", "retention"]).output
    assert "result=dry-run" in output
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
    assert "result=ok" in runner.invoke(args=["jobs", "run", "retention", "--wet-run"]).output


def test_healthz_reports_the_heartbeat_and_fails_in_production_when_it_is_old(make_app, database_url, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc), tick=False)
    app = make_app(APP_ENV="production")
    with app.app_context():
        assert app.test_client().get("/healthz").status_code == 503
        beat()
        response = app.test_client().get("/healthz")
        assert response.status_code == 200
        assert response.get_json()["scheduler"] == {"last_heartbeat": "2026-12-01T09:00:00+00:00", "fresh": True}
        time_machine.move_to(datetime(2026, 12, 1, 9, 11, tzinfo=timezone.utc), tick=False)
        assert app.test_client().get("/healthz").status_code == 503
        db.session.remove()


def test_two_processes_running_the_same_job_do_its_work_once(app, database_url, tmp_path):
    """Two `flask jobs run` at the same moment (or a second scheduler): one works, one stops."""
    from tests.booking.factories import BookingFactory
    from mobility.booking.models import BookingStatus

    BookingFactory(status=BookingStatus.REQUESTED)
    db.session.commit()
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "SECRET_KEY": "test",
    }
    env.pop("TEST_DATABASE_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", "approvals-digest"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    outputs = [" ".join(p.communicate(timeout=120)) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    results = sorted(line.split("result=")[1].split()[0] for line in outputs)
    assert results[0] in ("busy", "done") and results[1] == "ok", outputs
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1
    from mobility.notify.models import OutboxMessage

    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "approvals_digest")) == 1


@pytest.mark.postgres_only
def test_postgres_runs_hold_an_advisory_lock(app):
    from mobility.scheduler import _job_lock

    with _job_lock("approvals-digest") as first:
        other = create_app(base_config(Path("/tmp"), POSTGRES_URL))
        with other.app_context():
            with _job_lock("approvals-digest") as second:
                assert first is True and second is False
            db.session.remove()
            db.engine.dispose()
