"""How fast the availability search and booking creation are, at 20,000 and 200,000 bookings.

    make bench                      # SQLite; PostgreSQL too when BENCH_DATABASE_URL is set
    .venv/bin/python bench/availability.py --sizes 20000 200000 --vehicles 300 --plans

For each database engine, one database per size, migrated and filled by seed-bench
(mobility.devdata.bench): SQLite files in a temporary folder; on PostgreSQL, databases
named after BENCH_DATABASE_URL's with the size appended (test_bench_20000, ...), created when
missing, their public schema DROPPED and re-created, and dropped again at the end. Then, timed
in-process:

- services.free_vehicles: the vehicles of a category free in a basin on a period, as the
  booking form and the API list them (ORM objects loaded);
- fleet.availability.count_free_vehicles: the count shown per basin;
- services.request_booking + commit: a référent's prescription for a person of the basin, and
  apart the refusals when nothing is free (they come with the alternatives: the slow path).

The sizes are measured in turns, call by call, with the same random draw (basin, category,
period within the next two months, 1 to 14 days) for each size: a load that comes and goes on
the machine weighs on every size alike, so the growth figure compares like with like. Every
call runs in a session of its own (nothing cached from the previous one).

Targets: availability p95 <= 10 ms at 200,000 bookings, and growing <= 1.5x from 20,000.
PostgreSQL is ANALYZEd after the load, as autovacuum would; SQLite is left as the
application leaves it (no ANALYZE, so no sqlite_stat1).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("APP_ENV", "development")

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, make_url, select, text  # noqa: E402
from sqlalchemy.ext.compiler import compiles  # noqa: E402
from sqlalchemy.sql.expression import ClauseElement, Executable  # noqa: E402

from mobility import create_app  # noqa: E402
from mobility.auth.models import User  # noqa: E402
from mobility.beneficiaries.models import Beneficiary  # noqa: E402
from mobility.booking import services  # noqa: E402
from mobility.devdata.bench import REFERENT_EMAIL, seed_bench  # noqa: E402
from mobility.booking.eligibility import Purpose  # noqa: E402
from mobility.booking.models import HOLDING_STATUSES, Booking, local  # noqa: E402
from mobility.config import normalise_database_url  # noqa: E402
from mobility.core.time import utcnow  # noqa: E402
from mobility.extensions import db  # noqa: E402
from mobility.fleet.availability import busy_vehicle_ids, count_free_vehicles  # noqa: E402
from mobility.fleet.models import VehicleCategory  # noqa: E402
from mobility.territory.models import Commune, EmploymentBasin  # noqa: E402

TARGET_P95_MS = 10.0
TARGET_GROWTH = 1.5
CATEGORIES = (VehicleCategory.CAR, VehicleCategory.VSP)
AVAILABILITY = ("free_vehicles", "count_free_vehicles")
BOOKED = "request_booking"
REFUSED = "request_booking, nothing free"
CREATIONS = 100
WARM_UP = 20


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


# Databases ------------------------------------------------------------------------------------------


def _refuse_real_data(connection) -> None:
    """The schema is about to be dropped: only a bench or test database may be (no real file)."""
    if connection.execute(text("SELECT to_regclass('public.beneficiary')")).scalar() is None:
        return
    real = connection.execute(
        text(
            "SELECT count(*) FROM beneficiary "
            "WHERE last_name NOT LIKE 'Banc %' AND last_name NOT LIKE 'Démo %'"
        )
    ).scalar()
    if real:
        raise SystemExit(
            f"{connection.engine.url.database} holds {real} beneficiary file(s) that are neither bench nor "
            "demo data: the bench drops its schema, so it refuses. Give it a database kept for the bench."
        )


def _postgres_database(base_url: str, size: int) -> str:
    """<base name>_<size>, created when missing, its public schema emptied."""
    url = make_url(base_url)
    name = f"{url.database}_{size}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if found.scalar() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    sized = url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(sized)
    with engine.begin() as connection:
        _refuse_real_data(connection)
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return sized


def _drop_postgres_database(base_url: str, sized_url: str) -> None:
    server = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(sized_url).database}"'))
    server.dispose()


def _app(url: str, folder: Path) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30}}
            if url.startswith("sqlite")
            else {},
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder),
            "MAIL_FILE_DIR": str(folder / "mail"),
            "MAIL_SERVER": "",
        }
    )


@contextmanager
def _seeded_apps(
    kind: str, sizes: list[int], vehicles: int, folder: Path, postgres_url: str | None
) -> Iterator[dict[int, Flask]]:
    """One migrated, seeded database and app per size; closed (and dropped on PostgreSQL) after."""
    apps, urls = {}, {}
    try:
        for size in sizes:
            if kind == "SQLite":
                urls[size] = f"sqlite:///{folder / f'bench-{size}.sqlite3'}"
            else:
                urls[size] = _postgres_database(postgres_url, size)
            apps[size] = app = _app(urls[size], folder)
            with app.app_context():
                upgrade()
                started = time.perf_counter()
                figures = seed_bench(vehicles, size)
                db.session.commit()
                seconds = time.perf_counter() - started
                if kind == "PostgreSQL":
                    db.session.execute(text("ANALYZE"))
                    db.session.commit()
            print(
                f"  {kind}, {figures.bookings:,} bookings ({figures.holding} holding a vehicle) "
                f"on {vehicles} vehicles: seeded in {seconds:.1f} s",
                flush=True,
            )
        yield apps
    finally:
        for app in apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if kind == "PostgreSQL":
            for url in urls.values():
                _drop_postgres_database(postgres_url, url)


# Measures -------------------------------------------------------------------------------------------


def _draw(rng: random.Random, basins: list[int], today: date):
    basin, category = rng.choice(basins), rng.choice(CATEGORIES)
    first = today + timedelta(days=rng.randint(1, 60))
    return basin, category, first, first + timedelta(days=rng.randint(0, 13))


def _availability_call(name: str, draw) -> Callable[[], object]:
    basin, category, first, last = draw
    starts_at, ends_at = services.period(
        first, services.default_pickup_time(), last, services.default_return_time()
    )
    if name == "free_vehicles":
        return lambda: services.free_vehicles(category, starts_at, ends_at, basin)
    return lambda: count_free_vehicles(basin, category, starts_at, ends_at)


def _timed_in(app: Flask, call: Callable[[], object]) -> float:
    """Milliseconds of one call, in a session of its own."""
    with app.app_context():
        db.session.remove()
        started = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - started) * 1000
        db.session.remove()
    return elapsed


def _measure_availability(
    apps: dict[int, Flask], runs: int, today: date
) -> dict[tuple[int, str], list[float]]:
    """Every size in turn on the same draws (see the module docstring)."""
    first_app = next(iter(apps.values()))
    with first_app.app_context():
        basins = list(db.session.scalars(select(EmploymentBasin.id).order_by(EmploymentBasin.id)))
    samples: dict[tuple[int, str], list[float]] = {(size, n): [] for size in apps for n in AVAILABILITY}
    rng = random.Random(2026)
    for name in AVAILABILITY:
        for number in range(WARM_UP + runs):
            draw = _draw(rng, basins, today)
            for size, app in apps.items():
                with app.app_context():
                    call = _availability_call(name, draw)
                elapsed = _timed_in(app, call)
                if number >= WARM_UP:
                    samples[(size, name)].append(elapsed)
    return samples


def _free_people(limit: int) -> list[tuple[int, int]]:
    """(file, basin) of people with a B licence and no holding booking, in a stable random order."""
    holding = select(Booking.beneficiary_id).where(Booking.status.in_(HOLDING_STATUSES))
    rows = db.session.execute(
        select(Beneficiary.id, Commune.basin_id)
        .join(Commune, Commune.insee_code == Beneficiary.commune_insee)
        .where(Beneficiary.licence_b_issued_on.is_not(None), Beneficiary.id.not_in(holding))
        .order_by(Beneficiary.id)
    ).all()
    return [tuple(row) for row in random.Random(7).sample(rows, min(limit, len(rows)))]


def _prescribe(app: Flask, person_id: int, basin_id: int, first: date, last: date) -> tuple[str, float]:
    """request_booking + commit, timed; (BOOKED or REFUSED, milliseconds)."""
    with app.app_context():
        db.session.remove()
        person = db.session.get(Beneficiary, person_id)
        referent = db.session.scalar(select(User).where(User.email == REFERENT_EMAIL))
        details = services.RequestDetails(
            category=VehicleCategory.CAR,
            basin_id=basin_id,
            starts_on=first,
            ends_on=last,
            purpose=Purpose.JOB,
        )
        db.session.rollback()  # what a request would have read before is not part of the timing
        started = time.perf_counter()
        try:
            services.request_booking(person, details, referent)
            db.session.commit()
            outcome = BOOKED
        except services.VehicleTaken:
            db.session.rollback()
            outcome = REFUSED
        elapsed = (time.perf_counter() - started) * 1000
        db.session.remove()
    return outcome, elapsed


def _measure_creation(apps: dict[int, Flask], today: date) -> dict[tuple[int, str], list[float]]:
    people = {}
    for size, app in apps.items():
        with app.app_context():
            people[size] = _free_people(CREATIONS)
    samples: dict[tuple[int, str], list[float]] = {(size, n): [] for size in apps for n in (BOOKED, REFUSED)}
    rng = random.Random(11)
    for number in range(min(len(found) for found in people.values())):
        first = today + timedelta(days=rng.randint(1, 60))
        last = first + timedelta(days=rng.randint(0, 13))
        for size, app in apps.items():
            person_id, basin_id = people[size][number]
            outcome, elapsed = _prescribe(app, person_id, basin_id, first, last)
            samples[(size, outcome)].append(elapsed)
    return samples


# Query plans ----------------------------------------------------------------------------------------


class Explain(Executable, ClauseElement):
    """EXPLAIN <statement>, with the statement's parameters bound as the application binds them."""

    inherit_cache = False

    def __init__(self, statement, prefix: str):
        self.statement, self.prefix = statement, prefix


@compiles(Explain)
def _compile_explain(element, compiler, **kw):
    return f"{element.prefix} {compiler.process(element.statement, **kw)}"


def _plans(kind: str, today: date) -> list[str]:
    """The plans of free_vehicles_query and of busy_vehicle_ids alone, for a typical search."""
    basin = db.session.scalar(select(EmploymentBasin.id).order_by(EmploymentBasin.id).limit(1))
    first = today + timedelta(days=10)
    starts_at, ends_at = services.period(
        first, services.default_pickup_time(), first + timedelta(days=4), services.default_return_time()
    )
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)" if kind == "PostgreSQL" else "EXPLAIN QUERY PLAN"
    lines = []
    for title, query in (
        (
            "free_vehicles_query (car, one basin, 5 days in 10 days' time)",
            services.free_vehicles_query(VehicleCategory.CAR, starts_at, ends_at, basin),
        ),
        ("busy_vehicle_ids alone", select(busy_vehicle_ids(starts_at, ends_at).subquery())),
    ):
        lines.append(f"-- {title}:")
        for row in db.session.execute(Explain(query, prefix)):
            lines.append("  " + " | ".join(str(part) for part in row))
    db.session.rollback()
    return lines


# Report ---------------------------------------------------------------------------------------------


def _print_table(
    samples: dict[tuple[str, int, str], list[float]], kinds: list[str], sizes: list[int]
) -> None:
    smallest, largest = min(sizes), max(sizes)

    def figures(kind, size, name):
        found = samples.get((kind, size, name)) or []
        return (statistics.median(found), _p95(found), len(found)) if found else (float("nan"),) * 2 + (0,)

    print()
    header = " | ".join(f"{size:,} bookings: median / p95 ms (calls)" for size in sizes)
    print(f"| database | operation | {header} | p95 growth | target |")
    print("|---|---|" + "---|" * len(sizes) + "---|---|")
    for kind in kinds:
        for name in (*AVAILABILITY, BOOKED, REFUSED):
            cells = []
            for size in sizes:
                median, p95, calls = figures(kind, size, name)
                cells.append(f"{median:.2f} / {p95:.2f} ({calls})")
            growth = figures(kind, largest, name)[1] / figures(kind, smallest, name)[1]
            if name in AVAILABILITY:
                met = figures(kind, largest, name)[1] <= TARGET_P95_MS and growth <= TARGET_GROWTH
                verdict = (
                    f"{'met' if met else 'MISSED'} (p95 <= {TARGET_P95_MS:g} ms, growth <= {TARGET_GROWTH}x)"
                )
            else:
                verdict = "(no target)"
            print(f"| {kind} | {name} | " + " | ".join(cells) + f" | {growth:.2f}x | {verdict} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--vehicles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=500, help="timed calls per availability query and size")
    parser.add_argument("--plans", action="store_true", help="print the query plans at the largest size")
    options = parser.parse_args(argv)
    sizes = sorted(set(options.sizes))
    postgres_url = normalise_database_url(os.environ.get("BENCH_DATABASE_URL", ""))
    kinds = ["SQLite"] + (["PostgreSQL"] if postgres_url else [])
    if not postgres_url:
        print("BENCH_DATABASE_URL is not set: PostgreSQL skipped.")
    samples: dict[tuple[str, int, str], list[float]] = {}
    plans: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="mobility-bench-") as folder:
        for kind in kinds:
            with _seeded_apps(kind, sizes, options.vehicles, Path(folder), postgres_url) as apps:
                today = local(utcnow()).date()
                measured = _measure_availability(apps, options.runs, today)
                measured.update(_measure_creation(apps, today))
                samples.update({(kind, size, name): found for (size, name), found in measured.items()})
                if options.plans:
                    with apps[sizes[-1]].app_context():
                        plans[kind] = _plans(kind, today)
    _print_table(samples, kinds, sizes)
    for kind, lines in plans.items():
        print(f"\nQuery plans on {kind}, {sizes[-1]:,} bookings:")
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
