"""Several staff at once give the same spare vehicle as a replacement: the database lets exactly
one through, the others get a clean French refusal and nothing of theirs is saved, on SQLite
and PostgreSQL (threads with their own connections, released together by a barrier)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime


from mobility.auth.models import User
from mobility.booking.models import Booking, BookingStatus
from mobility.booking.services.guards import take_write_lock
from mobility.core.errors import DomainError
from mobility.extensions import db
from mobility.fleet.models import Vehicle
from mobility.incidents import services
from mobility.incidents.models import Incident, IncidentKind
from mobility.incidents.services import Continuation, IncidentReport, OffRoad
from tests.booking.factories import BookingFactory
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

ATTEMPTS = 6
CRASH = datetime(2026, 12, 8, 14, 30, tzinfo=UTC)


def test_one_spare_offered_to_several_interrupted_rentals_at_once_goes_to_exactly_one(app, race_app, frozen):
    site = SiteFactory()
    spare = VehicleFactory(site=site)
    staff = UserFactory(fleet=True, organisation=site.association)
    bookings = [
        BookingFactory(vehicle=VehicleFactory(site=site), status=BookingStatus.IN_PROGRESS) for _ in range(ATTEMPTS)
    ]
    db.session.commit()
    ids = [(booking.id, booking.vehicle_id) for booking in bookings]
    spare_id, staff_id = spare.id, staff.id
    barrier = threading.Barrier(ATTEMPTS, timeout=60)
    outcomes = [""] * ATTEMPTS

    def attempt(index: int, booking_id: int, vehicle_id: int) -> None:
        with race_app.app_context():
            try:
                db.session.rollback()
                barrier.wait()
                # The service opens the write transaction itself (BEGIN IMMEDIATE on SQLite).
                take_write_lock()
                booking = db.session.get(Booking, booking_id)
                report = IncidentReport(IncidentKind.BREAKDOWN, CRASH, "Orléans", "Panne moteur.", stops_vehicle=True)
                services.report_incident(
                    db.session.get(Vehicle, vehicle_id), booking, report, [], db.session.get(User, staff_id),
                    off_road=OffRoad(date(2026, 12, 18), Continuation.REPLACE, db.session.get(Vehicle, spare_id)),
                )
                db.session.commit()
                outcomes[index] = "replaced"
            except DomainError as refused:
                db.session.rollback()
                outcomes[index] = "refused" if "pris" in refused.message or "remplacer" in refused.message else refused.message
            except Exception as error:  # noqa: BLE001 - the test reports any other failure by name
                db.session.rollback()
                outcomes[index] = f"{type(error).__name__}: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(index, *pair)) for index, pair in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["refused"] * (ATTEMPTS - 1) + ["replaced"], outcomes
    db.session.rollback()  # a fresh snapshot: the threads wrote through other connections
    assert db.session.scalar(db.select(db.func.count(Booking.id)).where(Booking.vehicle_id == spare_id)) == 1
    assert db.session.scalar(db.select(db.func.count(Incident.id))) == 1
