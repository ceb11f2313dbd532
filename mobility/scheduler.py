"""The one scheduler process and its job table: `flask --app wsgi scheduler run`.

create_app never starts it: N web workers would otherwise run every job N times. The jobs
are plain functions in each domain's jobs.py; this module says when they run and makes each
scheduled period's work happen once, whoever runs it:

- a job-run row, unique per job and period, is claimed before the work (a second scheduler
  started by mistake, or an operator's `jobs run` at the same time, finds it and stops);
- on PostgreSQL an advisory lock per job (pg_try_advisory_lock) is held during the work, so a
  claim left "running" by a process that died can be taken over safely; on SQLite the claim
  is written under the database's write lock (BEGIN IMMEDIATE).

All cron times are Paris time and avoid 02:00-03:00, the hour that the clock changes skip or
repeat; the heartbeat runs on an interval (elapsed time), which a clock change does not touch.
"""

from __future__ import annotations

import logging
import os
import socket
import time as clock
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Integer, String, UniqueConstraint, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from mobility.api import jobs as api_jobs
from mobility.audit import jobs as audit_jobs
from mobility.booking import jobs as booking_jobs
from mobility.core.time import PARIS, local, utcnow
from mobility.core.types import UTCDateTime
from mobility.extensions import db
from mobility.cession import jobs as cession_jobs
from mobility.fines import jobs as fines_jobs
from mobility.incidents import jobs as incident_jobs
from mobility.notify import jobs as notify_jobs
from mobility.notify.services import OUTBOX_ADDED
from mobility.reporting import jobs as reporting_jobs

log = logging.getLogger("mobility.scheduler")

# A SQLite claim still "running" after this long belongs to a process that died.
STALE_CLAIM = timedelta(hours=1)


class JobRun(db.Model):
    """One run of one job for one scheduled period (the key that makes the work happen once)."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_run_job_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    # running, ok, error, off (the feature is switched off)
    result: Mapped[str] = mapped_column(String(12))
    rows_changed: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    messages_queued: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    dropped: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    detail: Mapped[str | None] = mapped_column(String(300))


class SchedulerHeartbeat(db.Model):
    """One row, rewritten every minute by the running scheduler; /healthz reads it."""

    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(String(120))
    pid: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[..., dict]
    trigger: CronTrigger
    # Minutes a late run may still start (the scheduler was busy or restarting); past that the
    # run is skipped and the next one catches up.
    misfire_minutes: int
    # Minutes in one period (1440: a Paris day). Runs in the same period share one job-run key.
    period_minutes: int
    # Changes data that cannot be restored: a manual run is a dry run unless --wet-run.
    destructive: bool = False

    def period_of(self, now: datetime) -> str:
        if self.period_minutes >= 1440:
            return local(now).date().isoformat()
        minutes = int(now.timestamp() // 60)
        start = minutes - minutes % self.period_minutes
        return datetime.fromtimestamp(start * 60, tz=timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def _cron(**fields) -> CronTrigger:
    return CronTrigger(timezone=PARIS, **fields)


# Hours outside 02:00-03:00 (the clock change).
AWAKE_HOURS = "0-1,3-23"

JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("outbox-delivery", notify_jobs.deliver_outbox, _cron(minute="*", hour=AWAKE_HOURS), 1, 1),
        Job("stale-requests", booking_jobs.expire_stale_requests, _cron(minute="5", hour=AWAKE_HOURS), 30, 60),
        Job("waiting-offers", booking_jobs.offer_waiting_queue, _cron(minute="*/15", hour=AWAKE_HOURS), 10, 15),
        Job("overdue-returns", booking_jobs.flag_overdue_returns, _cron(minute="20", hour="8-19"), 30, 60),
        Job("pickup-reminders", booking_jobs.pickup_reminders, _cron(hour="18", minute="0"), 120, 1440),
        Job("return-reminders", booking_jobs.return_reminders, _cron(hour="18", minute="10"), 120, 1440),
        Job(
            "deadlines-digest",
            # Other floors' deadlines join the same digest as sections (fines to designate,
            # insurance claims to declare).
            partial(
                cession_jobs.deadlines_digest,
                contributors=(fines_jobs.deadlines_section, incident_jobs.claims_section),
            ),
            _cron(hour="7", minute="30"),
            180,
            1440,
        ),
        Job("checkpoints-digest", booking_jobs.checkpoints_digest, _cron(hour="7", minute="40"), 180, 1440),
        Job("approvals-digest", booking_jobs.pending_approvals_digest, _cron(hour="8", minute="0"), 180, 1440),
        # The files' retention, then the free text that the fines hold of the files anonymised.
        Job("retention", fines_jobs.retention, _cron(hour="3", minute="30"), 240, 1440, destructive=True),
        Job("incident-retention", incident_jobs.scrub_anonymised, _cron(hour="3", minute="40"), 240, 1440, destructive=True),
        Job("monthly-summaries", reporting_jobs.monthly_summaries, _cron(hour="3", minute="35"), 180, 1440),
        Job("nightly-exports", reporting_jobs.nightly_exports, _cron(hour="3", minute="45"), 180, 1440),
        Job("outbox-purge", notify_jobs.purge_outbox, _cron(hour="4", minute="0"), 240, 1440),
        Job("access-log-purge", audit_jobs.purge_access_log, _cron(hour="4", minute="10"), 240, 1440),
        Job("job-run-purge", lambda now, wet=True: purge_job_runs(now), _cron(hour="4", minute="20"), 240, 1440),
        Job("idempotency-key-purge", api_jobs.purge_idempotency_keys, _cron(hour="4", minute="30"), 240, 1440),
    )
}


@dataclass
class Outcome:
    job: str
    period: str
    status: str  # ok, error, off, done (already done for this period), busy, dry-run
    rows: int = 0
    messages: int = 0
    dropped: int = 0
    duration_ms: int = 0
    detail: str = ""

    def line(self) -> str:
        return (
            f"job={self.job} period={self.period} result={self.status} rows={self.rows} "
            f"messages={self.messages} dropped={self.dropped} duration_ms={self.duration_ms}"
            + (f" detail={self.detail}" if self.detail else "")
        )


def _lock_key(name: str) -> int:
    # A stable signed 64-bit key per job, in a namespace of this application.
    return zlib.crc32(f"mobility-job:{name}".encode()) - 2**31


@contextmanager
def _job_lock(name: str):
    """PostgreSQL: an advisory lock held for the job's duration (False if another holds it)."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _lock_key(name)}).scalar()
        connection.commit()
        try:
            yield bool(got)
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _lock_key(name)})
                connection.commit()


def _claim(job: Job, period: str, trigger: str, now: datetime) -> int | None:
    """Write the job-run row for the period; None when it is already taken."""
    with Session(db.engine) as session:
        try:
            with session.begin():
                session.connection(execution_options={"sqlite_immediate": True})
                run = JobRun(job=job.name, period=period, trigger=trigger, started_at=now, result="running")
                session.add(run)
                session.flush()
                return run.id
        except IntegrityError:
            pass
        with session.begin():
            session.connection(execution_options={"sqlite_immediate": True})
            run = session.scalar(select(JobRun).where(JobRun.job == job.name, JobRun.period == period))
            dead = run is not None and run.result == "running" and (
                db.engine.dialect.name == "postgresql" or run.started_at < now - STALE_CLAIM
            )
            if not dead:
                return None
            # We hold the advisory lock (PostgreSQL) or the claim is long stale: its process died.
            run.started_at, run.trigger = now, trigger
            return run.id


def run_job(name: str, *, trigger: str = "scheduler", wet: bool = True, again: bool = False) -> Outcome:
    """Run one job for the current period, once: what `scheduler run` and `jobs run` call."""
    job = JOBS[name]
    started = utcnow()
    period = job.period_of(started)
    if again:
        period = f"{period}+manual-{started.strftime('%H%M%S%f')}"
    if name in current_app.config["JOBS_DISABLED"]:
        outcome = Outcome(name, period, "off")
        log.info(outcome.line())
        return outcome
    if not wet:
        return _dry_run(job, period, started)
    with _job_lock(name) as got:
        if not got:
            outcome = Outcome(name, period, "busy")
            log.info(outcome.line())
            return outcome
        run_id = _claim(job, period, trigger, started)
        if run_id is None:
            outcome = Outcome(name, period, "done")
            log.info(outcome.line())
            return outcome
        outcome = _work(job, period, started, run_id)
    log.info(outcome.line())
    return outcome


def _begin_work() -> None:
    """A fresh transaction for the job; on SQLite with the write lock from the start, so that
    its reads and writes cannot be interleaved with another writer's (see booking services)."""
    db.session.rollback()
    db.session.info[OUTBOX_ADDED] = 0
    db.session.connection(execution_options={"sqlite_immediate": True})


def _work(job: Job, period: str, started: datetime, run_id: int) -> Outcome:
    tick = clock.perf_counter()
    _begin_work()
    try:
        summary = job.func(started, wet=True)
        messages = db.session.info.get(OUTBOX_ADDED, 0)
        run = db.session.get(JobRun, run_id)
        _finish(run, "ok", summary, messages, tick)
        # The work and its job-run mark commit together: a crash before this redoes the work,
        # which each job is written to survive (idempotent).
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s failed", job.name)
        run = db.session.get(JobRun, run_id)
        _finish(run, "error", {"detail": type(exc).__name__}, 0, tick)
        db.session.commit()
    return Outcome(
        job.name, period, run.result, run.rows_changed, run.messages_queued, run.dropped, run.duration_ms,
        run.detail or "",
    )


def _finish(run: JobRun, result: str, summary: dict, messages: int, tick: float) -> None:
    run.result = result
    run.finished_at = utcnow()
    run.duration_ms = int((clock.perf_counter() - tick) * 1000)
    run.rows_changed = int(summary.get("rows", 0))
    run.messages_queued = int(summary.get("messages", messages))
    run.dropped = int(summary.get("dropped", 0))
    run.detail = (summary.get("detail") or None) and str(summary["detail"])[:300]


def _dry_run(job: Job, period: str, started: datetime) -> Outcome:
    """Do the work in a transaction that is rolled back: the report, nothing changed."""
    tick = clock.perf_counter()
    _begin_work()
    try:
        summary = job.func(started, wet=False)
        messages = db.session.info.get(OUTBOX_ADDED, 0)
    finally:
        db.session.rollback()
    return Outcome(
        job.name, period, "dry-run", int(summary.get("rows", 0)), messages, int(summary.get("dropped", 0)),
        int((clock.perf_counter() - tick) * 1000), str(summary.get("detail") or ""),
    )


def purge_job_runs(now: datetime, keep_days: int = 30) -> dict:
    result = db.session.execute(JobRun.__table__.delete().where(JobRun.started_at < now - timedelta(days=keep_days)))
    return {"rows": result.rowcount or 0}


# Heartbeat and health -----------------------------------------------------------------------


def beat(now: datetime | None = None) -> None:
    now = now or utcnow()
    row = db.session.get(SchedulerHeartbeat, 1)
    if row is None:
        row = SchedulerHeartbeat(id=1)
        db.session.add(row)
    row.beat_at, row.host, row.pid = now, socket.gethostname()[:120], os.getpid()
    db.session.commit()


def last_heartbeat() -> datetime | None:
    return db.session.scalar(select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.id == 1))


def heartbeat_is_fresh(now: datetime | None = None) -> bool:
    beat_at = last_heartbeat()
    max_age = timedelta(minutes=current_app.config["SCHEDULER_HEARTBEAT_MAX_AGE_MINUTES"])
    return beat_at is not None and beat_at >= (now or utcnow()) - max_age


# The process ------------------------------------------------------------------------------


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=PARIS, job_defaults={"coalesce": True, "max_instances": 1}
    )

    def in_app(func, *args):
        def call():
            with app.app_context():
                try:
                    func(*args)
                finally:
                    db.session.remove()

        return call

    for job in JOBS.values():
        scheduler.add_job(
            in_app(run_job, job.name), job.trigger, id=job.name, name=job.name,
            misfire_grace_time=job.misfire_minutes * 60, coalesce=True, max_instances=1,
        )
    scheduler.add_job(in_app(beat), IntervalTrigger(minutes=1), id="heartbeat", name="heartbeat",
                      misfire_grace_time=60, coalesce=True, max_instances=1, next_run_time=datetime.now(PARIS))
    return scheduler


scheduler_cli = AppGroup("scheduler", help="The scheduler process (run exactly one).")
jobs_cli = AppGroup("jobs", help="Scheduled jobs: list them, run one by hand.")


@scheduler_cli.command("run")
def scheduler_run_command():
    """Run the scheduler in the foreground until stopped (Ctrl-C, SIGTERM)."""
    app = current_app._get_current_object()
    # One summary line per job run on standard output (systemd's journal, honcho's console).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = build_scheduler(app)
    click.echo(f"scheduler: {len(JOBS)} jobs, Europe/Paris; Ctrl-C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@jobs_cli.command("list")
def jobs_list_command():
    """Every job with its schedule, its last run and its next run."""
    now = datetime.now(PARIS)
    for job in JOBS.values():
        last = db.session.scalar(
            select(JobRun).where(JobRun.job == job.name, JobRun.result != "running")
            .order_by(JobRun.started_at.desc()).limit(1)
        )
        next_run = job.trigger.get_next_fire_time(None, now)
        click.echo(f"{job.name}")
        click.echo(f"  schedule: {job.trigger}  (misfire grace {job.misfire_minutes} min)")
        if last is None:
            click.echo("  last run: never")
        else:
            click.echo(
                f"  last run: {local(last.started_at):%Y-%m-%d %H:%M:%S %Z}, {last.duration_ms} ms, {last.result}, "
                f"{last.rows_changed} row(s) changed, {last.messages_queued} message(s) queued"
                + (f", {last.dropped} dropped" if last.dropped else "")
            )
        click.echo(f"  next run: {next_run:%Y-%m-%d %H:%M %Z}" if next_run else "  next run: none")


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(JOBS)))
@click.option("--wet-run", is_flag=True, help="Change data (destructive jobs dry-run without it).")
@click.option("--again", is_flag=True, help="Run even if this period's run is already done.")
def jobs_run_command(name, wet_run, again):
    """Run one job once, now."""
    job = JOBS[name]
    wet = wet_run or not job.destructive
    outcome = run_job(name, trigger="manual", wet=wet, again=again)
    click.echo(outcome.line())
    if outcome.status == "error":
        raise SystemExit(1)


def register(app) -> None:
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(jobs_cli)
