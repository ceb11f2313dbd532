"""Thirty people at the same moment: the database lets exactly one through, the others get a
clean refusal (never "database is locked", never an error page), on SQLite and PostgreSQL.

Each attempt runs in a thread with an app context, a session and a connection of its own,
and they all call the service at once (a barrier). The HTTP test does the same against a real
gunicorn with four worker processes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mobility.auth.models import User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking import services
from mobility.booking.eligibility import NotEligible, Purpose
from mobility.booking.models import Booking, BookingTransition
from mobility.booking.services import RequestDetails, VehicleTaken
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory
from mobility.core.time import today as today_in_france
from tests.api.factories import api_token
from tests.booking.factories import add_demo_tariffs, eligible_beneficiary
from tests.conftest import base_config
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

ATTEMPTS = 30
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _period(offset: int) -> tuple[date, date]:
    """Thirty periods that all meet each other: 3 possible starts, 4 possible ends, in a week."""
    today = today_in_france()
    first = today + timedelta(days=10 + offset % 3)
    return first, today + timedelta(days=13 + offset % 4)


@pytest.fixture
def tariffs_and_referent(app):
    add_demo_tariffs()
    return UserFactory()


def _race(race_app, attempts: list[tuple[int, int, RequestDetails]]) -> list[str]:
    """Run every (beneficiary id, actor id, details) at once; what each one got, by name."""
    barrier = threading.Barrier(len(attempts), timeout=60)
    outcomes: list[str] = [""] * len(attempts)

    def attempt(index: int, beneficiary_id: int, actor_id: int, details: RequestDetails) -> None:
        with race_app.app_context():
            try:
                person = db.session.get(Beneficiary, beneficiary_id)
                actor = db.session.get(User, actor_id)
                # End the read before the service starts: on SQLite it then opens its own
                # transaction with the write lock (BEGIN IMMEDIATE), as every web request does.
                db.session.rollback()
                barrier.wait()
                services.request_booking(person, details, actor)
                db.session.commit()
                outcomes[index] = "booked"
            except VehicleTaken:
                db.session.rollback()
                outcomes[index] = "taken"
            except NotEligible as refused:
                db.session.rollback()
                outcomes[index] = "not eligible: " + ",".join(r.code for r in refused.refusals)
            except Exception as error:  # noqa: BLE001 - the test reports any other failure by name
                db.session.rollback()
                outcomes[index] = f"{type(error).__name__}: {error}"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=attempt, args=(index, *arguments)) for index, arguments in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an attempt never finished"
    return outcomes


def test_thirty_people_asking_for_the_same_vehicle_at_once_give_one_booking_and_29_clean_refusals(
    app, race_app, tariffs_and_referent
):
    vehicle = VehicleFactory(site=SiteFactory(orleans=True))
    people = [eligible_beneficiary(referent=tariffs_and_referent) for _ in range(ATTEMPTS)]
    attempts = []
    for index, person in enumerate(people):
        first, last = _period(index)
        details = RequestDetails(
            category=VehicleCategory.CAR,
            basin_id=None,
            starts_on=first,
            ends_on=last,
            purpose=Purpose.JOB,
            vehicle_id=vehicle.id,
        )
        attempts.append((person.id, tariffs_and_referent.id, details))

    outcomes = _race(race_app, attempts)

    assert Counter(outcomes) == {"booked": 1, "taken": ATTEMPTS - 1}
    db.session.rollback()
    assert db.session.scalar(select(func.count(Booking.id)).where(Booking.vehicle_id == vehicle.id)) == 1
    # The losers left nothing behind: one booking, one line in its log.
    assert db.session.scalar(select(func.count(BookingTransition.id))) == 1


def test_one_person_asking_for_thirty_vehicles_at_once_gets_one_booking_and_29_refusals(
    app, race_app, tariffs_and_referent
):
    site = SiteFactory(orleans=True)
    vehicles = [VehicleFactory(site=site) for _ in range(ATTEMPTS)]
    person = eligible_beneficiary(referent=tariffs_and_referent)
    first, last = _period(0)
    attempts = [
        (
            person.id,
            tariffs_and_referent.id,
            RequestDetails(
                category=VehicleCategory.CAR,
                basin_id=None,
                starts_on=first,
                ends_on=last,
                purpose=Purpose.JOB,
                vehicle_id=vehicle.id,
            ),
        )
        for vehicle in vehicles
    ]

    outcomes = _race(race_app, attempts)

    assert Counter(outcomes) == {"booked": 1, "not eligible: active_booking_exists": ATTEMPTS - 1}
    db.session.rollback()
    assert db.session.scalar(select(func.count(Booking.id)).where(Booking.beneficiary_id == person.id)) == 1


# Through HTTP, against gunicorn with four worker processes -----------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """A real server on the test's PostgreSQL database: (its address, the file of its log)."""
    port = _free_port()
    config = {
        key: value for key, value in base_config(tmp_path, database_url).items() if key != "SERVER_NAME"
    }
    environment = {**os.environ, "APP_ENV": "testing", "SECRET_KEY": config["SECRET_KEY"]}
    environment.pop("DATABASE_URL", None)
    with open(tmp_path / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                f"mobility:create_app({config!r})",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            yield _wait_until_serving(f"http://127.0.0.1:{port}", server, tmp_path / "gunicorn.log"), log.name
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5) as response:
                if response.status == 200:
                    return base
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail("gunicorn did not start:\n" + log.read_text()[-3000:])
        time.sleep(0.2)


def _post_json(url: str, body: dict, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.postgres_only
def test_thirty_concurrent_api_prescriptions_of_one_vehicle_give_one_201_and_29_409(app, tariffs_and_referent, gunicorn):
    address, server_log = gunicorn
    vehicle = VehicleFactory(site=SiteFactory(orleans=True))
    people = [eligible_beneficiary(referent=tariffs_and_referent) for _ in range(ATTEMPTS)]
    _token, secret = api_token(tariffs_and_referent)
    bodies = []
    for index, person in enumerate(people):
        first, last = _period(index)
        bodies.append(
            {
                "beneficiary_id": person.id,
                "category": "car",
                "vehicle_id": vehicle.id,
                "start": first.isoformat(),
                "end": last.isoformat(),
                "purpose": "job",
            }
        )
    barrier = threading.Barrier(ATTEMPTS, timeout=60)
    answers: list[tuple[int, dict]] = [(0, {})] * ATTEMPTS

    def post(index: int) -> None:
        barrier.wait()
        answers[index] = _post_json(f"{address}/api/v1/bookings", bodies[index], secret)

    threads = [threading.Thread(target=post, args=(index,)) for index in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = Counter(status for status, _ in answers)
    assert statuses == {201: 1, 409: ATTEMPTS - 1}, Path(server_log).read_text()[-4000:]
    for status, body in answers:
        if status == 409:
            error = body.get("error", body)
            assert error["message"] and "alternatives" in error
    db.session.rollback()
    assert db.session.scalar(select(func.count(Booking.id)).where(Booking.vehicle_id == vehicle.id)) == 1
