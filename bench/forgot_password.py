"""Does "forgot password" take the same time whatever the address?

    .venv/bin/python bench/forgot_password.py                  # 300 requests per address kind
    .venv/bin/python bench/forgot_password.py --requests 1000 --smtp-delay-ms 50

A temporary SQLite database, migrated; one active account. POST /mot-de-passe-oublie is timed
in-process (Werkzeug's test client, CSRF and throttling off) from the request to the moment
the response is complete, which is when a person sees the answer:

- "after the response" (the application as it is): the e-mail leaves from the outbox once the
  response has gone (response.call_on_close), outside the timed part;
- "during the request" (the reference, measured in the same run): the same request with the
  delivery counted inside it, as it was when teardown_request sent the outbox.

An SMTP server that takes --smtp-delay-ms to accept a message is simulated by a file backend
that sleeps that long (nothing leaves the machine). Known and unknown addresses are
interleaved, so a load that comes and goes weighs on both alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("APP_ENV", "development")

from flask_migrate import upgrade  # noqa: E402

from mobility import create_app  # noqa: E402
from mobility.auth.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from mobility.extensions import db  # noqa: E402
from mobility.notify import backends  # noqa: E402


def _app(folder: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30}},
            "INSTANCE_PATH": str(folder),
            "MAIL_FILE_DIR": str(folder / "mail"),
            "MAIL_SERVER": "",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
        }
    )
    with app.app_context():
        upgrade()
        organisation = Organisation(name="Organisation de banc d'essai", kind=OrganisationKind.DEPARTEMENT)
        db.session.add(organisation)
        db.session.add(
            User(email="known@bench.example", full_name="Compte Banc", role=Role.ADMIN, organisation=organisation,
                 password_hash="x")
        )
        db.session.commit()
        db.session.remove()
    return app


def _slow_smtp(delay_s: float):
    real_send = backends.FileEmailBackend.send

    def send(self, message):
        time.sleep(delay_s)
        return real_send(self, message)

    backends.FileEmailBackend.send = send


def _time_one(client, email: str, delivery_inside: bool) -> float:
    start = time.perf_counter()
    response = client.post("/mot-de-passe-oublie", data={"email": email}, buffered=False)
    assert response.status_code == 302, response.status_code
    if delivery_inside:
        response.close()  # the outbox is delivered before the person gets the answer
        elapsed = time.perf_counter() - start
    else:
        elapsed = time.perf_counter() - start
        response.close()  # after the answer: what call_on_close does once the server has sent it
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests per address kind and mode")
    parser.add_argument("--smtp-delay-ms", type=float, default=20.0, help="simulated SMTP acceptance time")
    args = parser.parse_args()
    _slow_smtp(args.smtp_delay_ms / 1000)
    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        client = app.test_client()
        results: dict[tuple[str, str], list[float]] = {}
        for mode, inside in (("after the response", False), ("during the request", True)):
            for _ in range(20):  # warm-up
                _time_one(client, "known@bench.example", inside)
                _time_one(client, "nobody@bench.example", inside)
            for _ in range(args.requests):
                for kind, email in (("known", "known@bench.example"), ("unknown", "nobody@bench.example")):
                    results.setdefault((mode, kind), []).append(_time_one(client, email, inside))
        print(f"POST /mot-de-passe-oublie, {args.requests} requests each, SMTP simulated at "
              f"{args.smtp_delay_ms:.0f} ms, SQLite, median (p95) in ms")
        print(f"{'delivery':<22}{'known address':>20}{'unknown address':>20}{'known - unknown':>18}")
        for mode in ("after the response", "during the request"):
            known, unknown = results[(mode, "known")], results[(mode, "unknown")]
            p95 = lambda values: statistics.quantiles(values, n=20)[18]  # noqa: E731
            print(
                f"{mode:<22}{statistics.median(known):>11.2f} ({p95(known):6.2f})"
                f"{statistics.median(unknown):>11.2f} ({p95(unknown):6.2f})"
                f"{statistics.median(known) - statistics.median(unknown):>18.2f}"
            )


if __name__ == "__main__":
    main()
