"""How fast the bookings export streams, in each format, and how much memory it takes.

    make bench-exports               # SQLite; PostgreSQL too when BENCH_DATABASE_URL is set
    .venv/bin/python bench/exports.py --size 200000

One database per engine, made as bench/availability.py makes them (seed-bench; on
PostgreSQL a database named after BENCH_DATABASE_URL's with the size appended, its schema
dropped and re-created, dropped at the end). Then, in-process, for each format, the bookings
export of the whole history is built and its bytes consumed (counted, not kept), as a
download would:

- rows per second (the export's rows over the wall time from the first query to the last byte);
- peak memory growth: the process's resident memory, sampled every 5 ms from /proc, at its
  highest during the export, minus what it was just before;
- as a reference measured in the same run: `SELECT id FROM booking` streamed the same way.

Targets: CSV at least 50,000 rows/s; peak memory growth at most 50 MB in every format.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("APP_ENV", "development")

from sqlalchemy import func, select  # noqa: E402

from availability import _seeded_apps  # noqa: E402
from mobility.booking.models import Booking  # noqa: E402
from mobility.config import normalise_database_url  # noqa: E402
from mobility.core.time import day_span, today  # noqa: E402
from mobility.extensions import db  # noqa: E402
from mobility.reporting.dimensions import Filters  # noqa: E402
from mobility.reporting.exports import STREAM_BATCH, ExportSettings  # noqa: E402
from mobility.reporting.formats import Format  # noqa: E402
from mobility.reporting.services import build_export  # noqa: E402

TARGET_CSV_ROWS_PER_S = 50_000
TARGET_PEAK_MB = 50.0
PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakMemory:
    """The highest resident memory seen while the block runs, sampled by a thread."""

    def __enter__(self):
        gc.collect()
        self.baseline = self.peak = _rss()
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while self._running:
            self.peak = max(self.peak, _rss())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.baseline) / 1e6


def _export(app, fmt: Format, filters: Filters, day: date) -> tuple[int, float, float, int]:
    """(rows, seconds, peak growth MB, bytes) of the bookings export in one format."""
    settings = ExportSettings("bench-pseudonym-key-" + "x" * 20)
    with app.app_context():
        db.session.remove()
        with PeakMemory() as memory:
            started = time.perf_counter()
            built = build_export("locations", fmt, filters, settings, day)
            size = sum(len(chunk) for chunk in built.chunks)
            seconds = time.perf_counter() - started
        starts, ends = day_span(filters.date_from, filters.date_to)
        rows = db.session.scalar(select(func.count(Booking.id)).where(Booking.starts_at >= starts, Booking.starts_at < ends))
        db.session.remove()
    return rows, seconds, memory.growth_mb, size


def _reference(app) -> tuple[int, float, float]:
    with app.app_context():
        db.session.remove()
        with PeakMemory() as memory:
            started = time.perf_counter()
            rows = sum(1 for _ in db.session.execute(select(Booking.id).execution_options(yield_per=STREAM_BATCH)))
            seconds = time.perf_counter() - started
        db.session.remove()
    return rows, seconds, memory.growth_mb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--vehicles", type=int, default=300)
    options = parser.parse_args(argv)
    postgres_url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL", ""))
    kinds = ["SQLite"] + (["PostgreSQL"] if postgres_url else [])
    if not postgres_url:
        print("BENCH_DATABASE_URL is not set: PostgreSQL skipped.")
    day = today()
    filters = Filters(date(day.year - 5, 1, 1), date(day.year + 1, 12, 31))
    lines = []
    with tempfile.TemporaryDirectory(prefix="mobility-bench-") as folder:
        for kind in kinds:
            with _seeded_apps(kind, [options.size], options.vehicles, Path(folder), postgres_url) as apps:
                app = apps[options.size]
                rows, seconds, growth = _reference(app)
                lines.append(f"| {kind} | reference: SELECT id FROM booking, streamed | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} | {growth:.1f} | — | (no target) |")
                for fmt in Format:
                    rows, seconds, growth, size = _export(app, fmt, filters, day)
                    speed = rows / seconds
                    met = growth <= TARGET_PEAK_MB and (fmt is not Format.CSV or speed >= TARGET_CSV_ROWS_PER_S)
                    target = f"<= {TARGET_PEAK_MB:g} MB" + (f", >= {TARGET_CSV_ROWS_PER_S:,} rows/s" if fmt is Format.CSV else "")
                    lines.append(
                        f"| {kind} | bookings export, {fmt.value} | {rows:,} | {seconds:.2f} | {speed:,.0f} | {growth:.1f} | {size / 1e6:.1f} | {'met' if met else 'MISSED'} ({target}) |"
                    )
                    print(lines[-1], flush=True)
    print()
    print("| database | export | rows | seconds | rows/s | peak memory growth (MB) | file (MB) | target |")
    print("|---|---|---|---|---|---|---|---|")
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
