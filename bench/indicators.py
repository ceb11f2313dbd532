"""How long the admin dashboard's queries take, at 20,000 and 200,000 bookings.

    make bench-indicators            # SQLite; PostgreSQL too when BENCH_DATABASE_URL is set
    .venv/bin/python bench/indicators.py --sizes 20000 200000 --runs 7

Databases are made as bench/availability.py makes them (seed-bench; on PostgreSQL databases
named after BENCH_DATABASE_URL's with the size appended, their schema dropped and re-created,
dropped at the end). Timed in-process, each call in a session of its own, sizes in turns:

- the whole admin dashboard (mobility.reporting.dashboard.build, plan scope) for the last
  twelve months, every query it runs, once the nightly job has written the monthly summaries
  (the month under way, the first month's cut days and the people are read from the bookings);
- the same with no summary at all (every booking of the year recounted), as the job's
  absence would leave it; and how long the job takes to summarise the whole history;
- apart, each indicator family it calls, to show where the time goes;
- as a reference measured in the same run: one `SELECT count(*) FROM booking`.

Targets: the dashboard under 300 ms at 200,000 bookings, growing at most 3x from 20,000.
seed-bench writes no payments, outcomes or waiting entries: those queries run on empty tables.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("APP_ENV", "development")

from sqlalchemy import func, select, text  # noqa: E402

from availability import _seeded_apps  # noqa: E402
from mobility.booking.models import Booking, OutcomeCheckpoint  # noqa: E402
from mobility.config import normalise_database_url  # noqa: E402
from mobility.core.time import today  # noqa: E402
from mobility.extensions import db  # noqa: E402
from mobility.reporting import dashboard, indicators, summarise  # noqa: E402
from mobility.reporting.dimensions import Breakdown, Filters  # noqa: E402

NO_SUMMARY = "admin dashboard with no summary (every booking recounted)"
TARGET_MS = 300.0
TARGET_GROWTH = 3.0


def _calls(filters: Filters, day: date):
    return {
        "reference: SELECT count(*) FROM booking": lambda: db.session.scalar(select(func.count(Booking.id))),
        "admin dashboard (all its queries)": lambda: dashboard.build(dashboard.Scope(dashboard.ScopeKind.PLAN), filters, day),
        "requests by prescriber kind (no people, as on the dashboard)": lambda: indicators.requests(filters, Breakdown.PRESCRIBER_KIND, people=False),
        "rentals (total)": lambda: indicators.rentals(filters),
        "rentals crosstab month x basin": lambda: indicators.rentals_crosstab(filters, Breakdown.MONTH, Breakdown.BASIN, "days", [1, 2, 3, 4]),
        "fleet use by association": lambda: indicators.fleet_use(filters, Breakdown.ASSOCIATION),
        "outcomes at end": lambda: indicators.outcomes(filters, OutcomeCheckpoint.AT_END),
        "waiting": lambda: indicators.waiting(filters),
        # Last: the summaries are dropped before it.
        NO_SUMMARY: lambda: dashboard.build(dashboard.Scope(dashboard.ScopeKind.PLAN), filters, day),
    }


def _timed(app, name, filters, day) -> float:
    with app.test_request_context():
        db.session.remove()
        call = _calls(filters, day)[name]
        started = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - started) * 1000
        db.session.remove()
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--vehicles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args(argv)
    sizes = sorted(set(options.sizes))
    postgres_url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL", ""))
    kinds = ["SQLite"] + (["PostgreSQL"] if postgres_url else [])
    if not postgres_url:
        print("BENCH_DATABASE_URL is not set: PostgreSQL skipped.")
    day = today()
    filters = Filters(day - timedelta(days=364), day)
    names = list(_calls(filters, day))
    results = {}
    refreshes = {}
    with tempfile.TemporaryDirectory(prefix="mobility-bench-") as folder:
        for kind in kinds:
            with _seeded_apps(kind, sizes, options.vehicles, Path(folder), postgres_url) as apps:
                for size, app in apps.items():
                    with app.app_context():
                        # The nightly job: the summaries, then (SQLite) the statistics.
                        done = summarise.refresh()
                        summarise.gather_statistics()
                        refreshes[(kind, size)] = (len(done.months), done.seconds)
                        if kind == "PostgreSQL":  # what autovacuum does after the writes
                            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                                connection.execute(text("VACUUM ANALYZE"))
                for name in names:
                    if name == NO_SUMMARY:
                        for app in apps.values():
                            with app.app_context():
                                summarise.clear()
                    for number in range(options.runs + 1):
                        for size, app in apps.items():
                            elapsed = _timed(app, name, filters, day)
                            if number:  # the first call warms the caches
                                results.setdefault((kind, size, name), []).append(elapsed)
    smallest, largest = sizes[0], sizes[-1]
    print()
    print(f"Period: {filters.date_from} to {filters.date_to}; median of {options.runs} calls, in ms.")
    print("| database | query | " + " | ".join(f"{size:,} bookings" for size in sizes) + " | growth | target |")
    print("|---|---|" + "---|" * len(sizes) + "---|---|")
    for kind in kinds:
        for name in names:
            medians = [statistics.median(results[(kind, size, name)]) for size in sizes]
            growth = medians[-1] / medians[0] if medians[0] else float("nan")
            verdict = "(no target)"
            if name == "admin dashboard (all its queries)":
                met = medians[-1] < TARGET_MS and growth <= TARGET_GROWTH
                verdict = f"{'met' if met else 'MISSED'} (< {TARGET_MS:g} ms at {largest:,}, growth <= {TARGET_GROWTH:g}x)"
            print(f"| {kind} | {name} | " + " | ".join(f"{m:.1f}" for m in medians) + f" | {growth:.2f}x | {verdict} |")
    print(f"(growth: {largest:,} over {smallest:,})")
    print()
    print("The nightly job summarising the whole history (every ended month), once:")
    for (kind, size), (months, seconds) in refreshes.items():
        print(f"  {kind}, {size:,} bookings: {months} months in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
