"""The nightly-exports job: the day's folder written once per Paris day, old days removed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mobility.extensions import db
from mobility.reporting.exports import EXPORTS
from mobility.scheduler import JOBS, JobRun, run_job

# 03:45 in Paris (summer time) on 1 July 2026, when the scheduler runs it.
NIGHT = datetime(2026, 7, 1, 1, 45, tzinfo=UTC)


@pytest.fixture
def export_dir(app, tmp_path_factory):
    directory = tmp_path_factory.mktemp("nightly")
    app.config.update(EXPORT_DIR=str(directory), EXPORT_KEEP_DAYS=7, EXPORT_PSEUDONYM_KEY="k" * 40)
    for old_day in ("2026-06-01", "2026-06-24"):  # 30 and 7 days before
        (directory / old_day).mkdir()
        (directory / old_day / "old.csv").write_text("x")
    (directory / "2026-06-30").mkdir()
    return directory


def test_running_the_job_twice_writes_the_day_folder_once_and_prunes_old_days(app, export_dir, time_machine):
    time_machine.move_to(NIGHT, tick=False)
    first = run_job("nightly-exports")
    day_folder = export_dir / "2026-07-01"
    files = sorted(day_folder.iterdir())
    assert first.status == "ok" and first.rows == len(files) == len(EXPORTS) * 5
    written_at = {path.name: path.stat().st_mtime_ns for path in files}

    time_machine.move_to(datetime(2026, 7, 1, 6, 0, tzinfo=UTC), tick=False)  # later the same day
    second = run_job("nightly-exports")
    assert second.status == "done"
    assert {path.name: path.stat().st_mtime_ns for path in day_folder.iterdir()} == written_at
    # Kept: the last 7 days (24 June to 1 July is 8 days: the 24th goes); the 1st of June goes.
    assert sorted(p.name for p in export_dir.iterdir() if not p.name.startswith(".")) == ["2026-06-30", "2026-07-01"]
    runs = db.session.scalars(select(JobRun).where(JobRun.job == "nightly-exports")).all()
    assert [(run.period, run.result) for run in runs] == [("2026-07-01", "ok")]


def test_the_next_night_writes_its_own_folder(app, export_dir, time_machine):
    time_machine.move_to(NIGHT, tick=False)
    run_job("nightly-exports")
    time_machine.move_to(datetime(2026, 7, 2, 1, 45, tzinfo=UTC), tick=False)
    assert run_job("nightly-exports").status == "ok"
    assert (export_dir / "2026-07-02").is_dir() and (export_dir / "2026-07-01").is_dir()


def test_the_job_is_listed_at_a_quarter_to_four_in_paris(app, runner, time_machine):
    time_machine.move_to(datetime(2026, 6, 30, 22, 0, tzinfo=UTC), tick=False)  # midnight in Paris
    output = runner.invoke(args=["jobs", "list"]).output
    assert "nightly-exports" in output
    assert "next run: 2026-07-01 03:45 CEST" in output.split("nightly-exports")[1]
    assert JOBS["nightly-exports"].period_minutes == 1440
