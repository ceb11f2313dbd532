"""The pages people use, under gunicorn, beside the framework's ceiling: demo size and 200,000.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_pages make bench-pages
    .venv/bin/python bench/pages.py --duration 20 --only planning

One PostgreSQL database (BENCH_DATABASE_URL: its public schema is DROPPED and re-created)
is migrated and given the demo data (seed-demo, its accounts included) and API tokens for the
staff accounts, then the nightly job's monthly summaries written and VACUUM ANALYZE run. gunicorn serves bench/pages_app.py (the service from
create_app(), production settings, 2 sync workers, plus a hello-world route and a two-query
SQLAlchemy route); each demo role logs in through the real login form (CSRF token read from
the page) and every main page and API list is loaded with wrk (-t2 -c16 -d<duration>s), the
two reference routes measured again between every few pages. Then seed-bench --on-demo adds
its 200,000 bookings to the demo organisations, the summaries and VACUUM ANALYZE again, gunicorn restarts (no
per-process cache carried over) and the same pages are loaded again.

For each page and size: req/s, p50 and p99 latency, the ratio to the two-query route's req/s
(median of its runs in that phase), the SQL statements of one request (counted once, from a
single request, by the bench app's hook: BENCH_COUNT_STATEMENTS=1) and the answers that were
not 200 (a page must answer 200 to its role; any other status is counted and flagged).

Targets: at demo size >= 50 % of the two-query route; at 200,000 bookings no page
slower than 1.5x its demo-size time (req/s ratio); <= 12 statements per page.

The machine is shared: figures are upper bounds for time, repeat the run to compare. Login
rate limits count failed logins only (and each role logs in once per phase), so the bench keeps
the in-process limiter store (RATELIMIT_SINGLE_PROCESS) rather than needing Redis.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess  # nosec B404: the bench starts gunicorn and wrk, fixed arguments
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "development")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, make_url, select, text  # noqa: E402

from mobility import create_app  # noqa: E402
from mobility.api.services import issue_token  # noqa: E402
from mobility.auth.models import User  # noqa: E402
from mobility.beneficiaries.models import Beneficiary  # noqa: E402
from mobility.booking.models import Booking  # noqa: E402
from mobility.config import normalise_database_url  # noqa: E402
from mobility.core.time import today  # noqa: E402
from mobility.devdata.bench import seed_bench  # noqa: E402
from mobility.reporting import summarise  # noqa: E402
from mobility.devdata.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from mobility.extensions import db  # noqa: E402
from mobility.fleet.models import Site, Vehicle  # noqa: E402
from mobility.territory.models import EmploymentBasin  # noqa: E402

TARGET_SHARE = 0.5
TARGET_GROWTH = 1.5
TARGET_STATEMENTS = 12
REFERENCE_EVERY = 4  # pages between two runs of the reference routes
# A page whose single request takes longer is not loaded with wrk: 16 connections of such
# requests would keep both workers busy long after wrk stops, and spoil the next figures. Its
# row gives that one request's time instead (--too-slow: on a machine loaded by other work a
# demo-size page may take a few seconds alone, so the default is well above that).
TOO_SLOW_SECONDS = 10.0
HELLO, TWO_QUERIES = "/_bench/hello", "/_bench/two-queries"
USER_AGENT = "bench-pages"

BENEFICIARY, REFERENT, REFERENT_ML = "beneficiaire@demo.test", "referent@demo.test", "referent-ml@demo.test"
FLEET, FLEET_ORLEANS, ADMIN = "gestion@demo.test", "gestion-orleans@demo.test", "admin@demo.test"
TOKEN_HOLDERS = (REFERENT, FLEET, ADMIN)

# (who, label, path): who is a demo e-mail (logged in through the form), "api:<e-mail>" (a
# bearer token of that account) or None (nobody logged in). {names} come from _page_ids().
PAGES = (
    (None, "login page", "/connexion"),
    (None, "vehicles near you", "/vehicules-disponibles"),
    (BENEFICIARY, "beneficiary home", "/accueil"),
    (BENEFICIARY, "beneficiary bookings", "/locations/"),
    (BENEFICIARY, "beneficiary booking page", "/locations/{own_booking}"),
    (BENEFICIARY, "beneficiary request form", "/locations/demander"),
    (BENEFICIARY, "beneficiary Mes données", "/mes-donnees"),
    (REFERENT, "référent home", "/accueil"),
    (REFERENT, "référent /beneficiaires", "/beneficiaires"),
    (REFERENT, "référent file page", "/beneficiaires/{file}"),
    (REFERENT, "référent /locations/", "/locations/"),
    (REFERENT, "référent /locations/a-valider", "/locations/a-valider"),
    (REFERENT, "référent booking page", "/locations/{file_booking}"),
    (REFERENT_ML, "référent (ML) home", "/accueil"),
    (FLEET, "fleet home", "/accueil"),
    (FLEET, "fleet /flotte/locations/", "/flotte/locations/"),
    (FLEET, "fleet vehicles", "/flotte/vehicules"),
    (FLEET, "fleet vehicle page", "/flotte/vehicules/{vehicle}"),
    (FLEET, "fleet sites", "/flotte/sites"),
    (FLEET, "fleet planning, a site's month", "/flotte/planning/sites/{site}"),
    (FLEET, "fleet planning, a basin's month", "/flotte/planning/bassins/{basin}"),
    (FLEET_ORLEANS, "fleet (Orléans) home", "/accueil"),
    (ADMIN, "admin home", "/accueil"),
    (ADMIN, "admin accounts", "/admin/utilisateurs"),
    (ADMIN, "admin organisations", "/admin/organisations"),
    (ADMIN, "admin access log", "/admin/journal/"),
    (ADMIN, "admin tariffs", "/admin/tarifs/"),
    (ADMIN, "admin communes", "/admin/communes/"),
    (ADMIN, "admin cessions", "/cessions/"),
    (ADMIN, "admin dashboard", "/tableau-de-bord"),
    ("api:" + REFERENT, "API /beneficiaries", "/api/v1/beneficiaries"),
    ("api:" + REFERENT, "API /availability", "/api/v1/availability?{availability}"),
    ("api:" + FLEET, "API /vehicles (fleet)", "/api/v1/vehicles"),
    ("api:" + ADMIN, "API /vehicles (admin)", "/api/v1/vehicles"),
    ("api:" + ADMIN, "API /cessions", "/api/v1/cessions"),
)

WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non200 = 0 end
function response(status, headers, body) if status ~= 200 then non200 = non200 + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non200") end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), bad + errors))
end
"""


@dataclass
class Measure:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_200: int


@dataclass
class PageResult:
    label: str
    path: str
    measure: Measure | None = None
    statements: int | None = None
    status: int | None = None
    single_request: bool = False  # too slow for wrk: the figures are those of one request


@dataclass
class Phase:
    name: str
    bookings: int
    pages: list[PageResult] = field(default_factory=list)
    hello: list[Measure] = field(default_factory=list)
    two_queries: list[Measure] = field(default_factory=list)

    @property
    def yardstick(self) -> float:
        return statistics.median(m.requests_per_second for m in self.two_queries)


# The database ---------------------------------------------------------------------------------------


def _refuse_real_data(connection) -> None:
    """The schema is about to be dropped: only a bench or test database may be (no real file)."""
    if connection.execute(text("SELECT to_regclass('public.beneficiary')")).scalar() is None:
        return
    real = connection.execute(
        text("SELECT count(*) FROM beneficiary WHERE last_name NOT LIKE 'Banc %' AND last_name NOT LIKE 'Démo %'")
    ).scalar()
    if real:
        raise SystemExit(
            f"{connection.engine.url.database} holds {real} beneficiary file(s) that are neither bench nor "
            "demo data: the bench drops its schema, so it refuses. Give it a database kept for the bench."
        )


def _emptied(url: str) -> None:
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        name = make_url(url).database
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if found.scalar() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        _refuse_real_data(connection)
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _builder(url: str, folder: Path):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder),
            "MAIL_FILE_DIR": str(folder / "mail"),
            "MAIL_SERVER": "",
        }
    )


def _analyze() -> None:
    """What the nightly work leaves: the reporting's monthly summaries, then the statistics."""
    db.session.commit()
    summarise.refresh()
    connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    connection.execute(text("VACUUM ANALYZE"))
    connection.close()


def build_demo(app) -> dict[str, str]:
    """Migrated, demo data, one API token per staff account: returns the tokens."""
    with app.app_context():
        upgrade()
        seed_demo()
        tokens = {}
        for email in TOKEN_HOLDERS:
            user = db.session.scalar(select(User).where(User.email == email))
            tokens[email] = issue_token(user, "banc d'essai des pages")[1]
        db.session.commit()
        _analyze()
    return tokens


def add_history(app, vehicles: int, bookings: int) -> float:
    with app.app_context():
        started = time.perf_counter()
        figures = seed_bench(vehicles, bookings, on_demo=True)
        db.session.commit()
        _analyze()
        print(
            f"seed-bench --on-demo: {figures.bookings:,} bookings, {figures.beneficiaries:,} files, "
            f"{figures.vehicles} vehicles in {time.perf_counter() - started:.1f} s, then the monthly summaries and VACUUM ANALYZE",
            flush=True,
        )
        return figures.bookings


def _page_ids(app) -> dict[str, str]:
    """The demo rows the pages with an id show: the same rows at both sizes."""
    with app.app_context():
        session = db.session
        referent = session.scalar(select(User).where(User.email == REFERENT))
        fleet = session.scalar(select(User).where(User.email == FLEET))
        person = session.scalar(select(User).where(User.email == BENEFICIARY))
        own_file = session.scalar(select(Beneficiary.id).where(Beneficiary.user_id == person.id))
        file_id = session.scalar(
            select(Beneficiary.id).where(Beneficiary.referent_id == referent.id).order_by(Beneficiary.id)
        )
        first_day = today() + timedelta(days=7)
        ids = {
            "own_booking": session.scalar(
                select(Booking.id).where(Booking.beneficiary_id == own_file).order_by(Booking.id)
            ),
            "file": file_id,
            "file_booking": session.scalar(
                select(Booking.id)
                .join(Beneficiary, Beneficiary.id == Booking.beneficiary_id)
                .where(Beneficiary.organisation_id == referent.organisation_id)
                .order_by(Booking.id)
            ),
            "vehicle": session.scalar(
                select(Vehicle.id).where(Vehicle.association_id == fleet.organisation_id).order_by(Vehicle.id)
            ),
            "site": session.scalar(
                select(Site.id).where(Site.association_id == fleet.organisation_id).order_by(Site.id)
            ),
            "basin": session.scalar(select(EmploymentBasin.id).where(EmploymentBasin.code == "montargis")),
            "availability": urlencode(
                {
                    "category": "car",
                    "basin": "montargis",
                    "start": first_day.isoformat(),
                    "end": (first_day + timedelta(days=4)).isoformat(),
                }
            ),
        }
        session.remove()
    return {name: str(value) for name, value in ids.items()}


# gunicorn and the clients ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn, 2 sync workers, production settings, serving bench/pages_app.py."""

    def __init__(self, url: str, folder: Path, workers: int):
        self.port = _free_port()
        self.folder = folder
        self.environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE"))},
            "APP_ENV": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "EXPORT_PSEUDONYM_KEY": secrets.token_urlsafe(48),
            "TRUSTED_HOSTS": "127.0.0.1",
            "RATELIMIT_SINGLE_PROCESS": "true",
            # Plain HTTP on the loopback: the cookies must come back without TLS.
            "SESSION_COOKIE_SECURE": "false",
            "UPLOAD_DIR": str(folder / "uploads"),
            "EXPORT_DIR": str(folder / "exports"),
            "BENCH_COUNT_STATEMENTS": "1",
        }
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers", str(self.workers),
            "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "120",
            "--pythonpath", str(ROOT / "bench"),
            "--log-level", "warning",
            "pages_app:app",
        ]
        log = open(self.folder / "gunicorn.log", "ab")  # noqa: SIM115 (kept open for the process)
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.environment, stdout=log, stderr=log)  # nosec B603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(self.port, HELLO)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start: see {self.folder / 'gunicorn.log'}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
            self.process = None


def request(port: int, path: str, method: str = "GET", headers: dict | None = None, body: str | None = None):
    """(status, headers, body) of one request, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _cookies_of(headers, cookies: dict[str, str]) -> None:
    for line in headers.get_all("Set-Cookie") or ():
        parsed = SimpleCookie()
        parsed.load(line)
        for name, morsel in parsed.items():
            cookies[name] = morsel.value


def log_in(port: int, email: str) -> str:
    """The Cookie header of a session opened through the login form, as a browser does it."""
    cookies: dict[str, str] = {}
    status, headers, body = request(port, "/connexion")
    _cookies_of(headers, cookies)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise SystemExit(f"login page answered {status} without a CSRF token")
    form = urlencode({"csrf_token": token.group(1).decode(), "email": email, "password": DEMO_PASSWORD})
    status, headers, _ = request(
        port,
        "/connexion",
        "POST",
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": _header(cookies)},
        form,
    )
    _cookies_of(headers, cookies)
    if status != 302:
        raise SystemExit(f"login of {email} answered {status}, not a redirect")
    return _header(cookies)


def _header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def wrk(port: int, path: str, headers: dict[str, str], duration: int, threads: int, connections: int, script: Path) -> Measure:
    command = ["/usr/bin/wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "60s", "-s", str(script)]
    for name, value in {"User-Agent": USER_AGENT, **headers}.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # nosec B603
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    count, micros, p50, p99, bad = (int(value) for value in line.split()[1:])
    return Measure(count / (micros / 1e6), p50 / 1000, p99 / 1000, bad)


# A phase --------------------------------------------------------------------------------------------


def run_phase(phase: Phase, server: Server, tokens: dict[str, str], ids: dict[str, str], args, script: Path) -> None:
    server.start()
    try:
        sessions = {}
        for who, _, _ in PAGES:
            if who and not who.startswith("api:") and who not in sessions:
                sessions[who] = {"Cookie": log_in(server.port, who)}
        for email, token in tokens.items():
            sessions["api:" + email] = {"Authorization": f"Bearer {token}"}

        def measure(path, headers):
            return wrk(server.port, path, headers, args.duration, args.threads, args.connections, script)

        def references():
            phase.hello.append(measure(HELLO, {}))
            phase.two_queries.append(measure(TWO_QUERIES, {}))

        # Warm both workers (imports, Jinja templates, first connections) before any figure.
        wrk(server.port, TWO_QUERIES, {}, 1, args.threads, args.connections, script)
        references()
        chosen = [page for page in PAGES if not args.only or any(word in page[1] for word in args.only)]
        for number, (who, label, template) in enumerate(chosen, start=1):
            path = template.format(**ids)
            headers = sessions.get(who, {})
            result = PageResult(label, path)
            started = time.perf_counter()
            try:
                status, response_headers, _ = request(server.port, path, headers=headers)
            except OSError:  # the worker was killed by its timeout: no answer at all
                status, response_headers = 0, {}
            seconds = time.perf_counter() - started
            result.status = status
            result.statements = int(response_headers.get("X-Bench-Statements", "-1"))
            if seconds > args.too_slow or status == 0:
                result.single_request = True
                result.measure = Measure(1 / seconds, seconds * 1000, seconds * 1000, int(status != 200))
            else:
                result.measure = measure(path, headers)
            phase.pages.append(result)
            print(f"  {phase.name:>5} {label:<36} {_row(result, phase)}", flush=True)
            if number % REFERENCE_EVERY == 0:
                references()
        references()
    finally:
        server.stop()


def _row(result: PageResult, phase: Phase | None = None) -> str:
    m = result.measure
    share = f"{m.requests_per_second / phase.yardstick:.0%}" if phase and phase.two_queries else "?"
    return (
        f"{m.requests_per_second:8.1f} req/s  p50 {m.p50_ms:7.1f} ms  p99 {m.p99_ms:7.1f} ms  "
        f"{share:>5}  {result.statements} stmts  status {result.status}  non-200 {m.non_200}"
        + ("  (one request: too slow for wrk)" if result.single_request else "")
    )


# The table ------------------------------------------------------------------------------------------


def table(small: Phase, large: Phase | None) -> str:
    def reference(measures: list[Measure]) -> str:
        rates = [m.requests_per_second for m in measures]
        return f"{min(rates):,.0f}–{max(rates):,.0f}"

    lines = [
        f"Reference routes, req/s over the runs: hello-world {reference(small.hello)} (demo), "
        + (f"{reference(large.hello)} ({large.bookings:,}); " if large else "; ")
        + f"two queries {reference(small.two_queries)} (demo)"
        + (f", {reference(large.two_queries)} ({large.bookings:,})" if large else "")
        + f"; medians {small.yardstick:,.0f}" + (f" and {large.yardstick:,.0f}" if large else "") + ".",
        "",
    ]
    header = "| page | demo: req/s | p50 / p99 ms | share of 2-query | stmts | non-200 |"
    rule = "|---|---|---|---|---|---|"
    if large:
        header += f" {large.bookings:,}: req/s | p50 / p99 ms | stmts | non-200 | time growth | targets |"
        rule += "---|---|---|---|---|---|"
    lines += [header, rule]
    larges = {page.label: page for page in (large.pages if large else [])}
    for page in small.pages:
        m = page.measure
        share = m.requests_per_second / small.yardstick
        misses = []
        if share < TARGET_SHARE:
            misses.append("share")
        if page.statements > TARGET_STATEMENTS:
            misses.append("stmts")
        if m.non_200:
            misses.append("non-200")
        row = (
            f"| {page.label} | {m.requests_per_second:,.0f}{' (one request)' if page.single_request else ''} | {m.p50_ms:.1f} / {m.p99_ms:.1f} | {share:.0%} "
            f"| {page.statements} | {m.non_200} |"
        )
        other = larges.get(page.label)
        if other:
            n = other.measure
            growth = m.requests_per_second / n.requests_per_second if n.requests_per_second else float("inf")
            if growth > TARGET_GROWTH:
                misses.append("growth")
            if other.statements > TARGET_STATEMENTS and "stmts" not in misses:
                misses.append("stmts")
            if n.non_200 and "non-200" not in misses:
                misses.append("non-200")
            slow = " (one request)" if other.single_request else ""
            row += (
                f" {n.requests_per_second:,.1f}{slow} | {n.p50_ms:.1f} / {n.p99_ms:.1f} | {other.statements} "
                f"| {n.non_200} | {growth:.2f}× | {'met' if not misses else 'missed: ' + ', '.join(misses)} |"
            )
        lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page (default 5)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--bookings", type=int, default=200_000)
    parser.add_argument("--vehicles", type=int, default=300)
    parser.add_argument("--demo-only", action="store_true", help="stop after the demo-size phase")
    parser.add_argument("--too-slow", type=float, default=TOO_SLOW_SECONDS,
                        help="seconds of a single request above which a page is not loaded with wrk")
    parser.add_argument("--only", nargs="*", help="only the pages whose label holds one of these words")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        raise SystemExit("Set BENCH_DATABASE_URL=postgresql://…/bench_pages (its public schema is dropped).")
    url = normalise_database_url(url)
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as name:
        folder = Path(name)
        script = folder / "status.lua"
        script.write_text(WRK_SCRIPT)
        _emptied(url)
        app = _builder(url, folder)
        tokens = build_demo(app)
        ids = _page_ids(app)
        server = Server(url, folder, args.workers)
        small = Phase("demo", 0)
        run_phase(small, server, tokens, ids, args, script)
        large = None
        if not args.demo_only:
            large = Phase(f"{args.bookings // 1000}k", 0)
            large.bookings = add_history(app, args.vehicles, args.bookings)
            run_phase(large, server, tokens, ids, args, script)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        print()
        print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s per page, gunicorn {args.workers} sync workers")
        print(table(small, large))
        if args.json:
            args.json.write_text(
                json.dumps(
                    {phase.name: _as_json(phase) for phase in (small, large) if phase},
                    indent=1,
                    ensure_ascii=False,
                )
            )


def _as_json(phase: Phase) -> dict:
    return {
        "bookings": phase.bookings,
        "hello": [m.__dict__ for m in phase.hello],
        "two_queries": [m.__dict__ for m in phase.two_queries],
        "pages": [
            {"label": p.label, "path": p.path, "statements": p.statements, "status": p.status, **p.measure.__dict__}
            for p in phase.pages
        ],
    }


if __name__ == "__main__":
    main()
