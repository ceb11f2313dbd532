"""write_nightly_exports: the function the scheduler's nightly job calls."""

from __future__ import annotations

from datetime import date

from mobility.reporting.exports import EXPORTS, ExportSettings
from mobility.reporting.services import write_nightly_exports

SETTINGS = ExportSettings("k" * 40)


def test_every_export_in_every_format_is_written_in_the_day_folder(plan, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("exports")
    written = write_nightly_exports(tmp_path, date(2026, 7, 1), keep_days=7, settings=SETTINGS)
    names = {path.name for path in written}
    assert all(path.parent == tmp_path / "2026-07-01" for path in written)
    for name in EXPORTS:
        for extension in ("csv", "excel.csv", "xlsx", "json", "schema.json"):
            assert f"20260701_loiret-mobilite_{name}.{extension}" in names
    bookings = (tmp_path / "2026-07-01" / "20260701_loiret-mobilite_locations.csv").read_text()
    # From 1 January 2025 to 30 June 2026: B0 (December 2025) is in.
    assert len(bookings.splitlines()) == 1 + 11


def test_running_twice_the_same_night_gives_the_same_files(plan, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("exports")
    first = write_nightly_exports(tmp_path, date(2026, 7, 1), keep_days=7, settings=SETTINGS)
    contents = {path.name: path.read_bytes() for path in first if path.suffix != ".xlsx"}
    second = write_nightly_exports(tmp_path, date(2026, 7, 1), keep_days=7, settings=SETTINGS)
    assert [p.name for p in second] == [p.name for p in first]
    assert {p.name: p.read_bytes() for p in second if p.suffix != ".xlsx"} == contents
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-07-01"]


def test_folders_older_than_the_days_kept_are_removed(plan, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("exports")
    (tmp_path / "2026-06-20").mkdir()
    (tmp_path / "2026-06-25").mkdir()
    (tmp_path / "notes").mkdir()  # not a day: left alone
    write_nightly_exports(tmp_path, date(2026, 7, 1), keep_days=7, settings=SETTINGS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-06-25", "2026-07-01", "notes"]
