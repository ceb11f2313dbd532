"""Lean requests: reference data read once per worker, a read's access-log row committed without
reloading what the page had already loaded."""

from __future__ import annotations

from sqlalchemy import func, select

from mobility.audit.models import AuditEvent
from mobility.extensions import db
from mobility.territory import cached
from mobility.territory.models import EmploymentBasin
from tests.booking.factories import BookingFactory
from tests.factories import BeneficiaryFactory, UserFactory
from tests.test_query_counts import count_queries


def _basin(code: str) -> EmploymentBasin:
    return db.session.scalar(select(EmploymentBasin).where(EmploymentBasin.code == code))


def _basin_of_commune(insee_code: str) -> int:
    return next(commune.basin_id for commune in cached.communes() if commune.insee_code == insee_code)


def test_basins_and_communes_are_read_once_per_worker(app):
    with count_queries(app) as statements:
        first = cached.basins(), cached.communes()
        again = cached.basins(), cached.communes()
    assert again == first
    assert [basin.name for basin in first[0]] == [basin.name for basin in EmploymentBasin.all_ordered()]
    assert len(first[1]) == 325
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_a_commune_moved_by_an_admin_is_seen_at_once_by_the_worker_that_moved_it(app, client, auth):
    gien, montargis = _basin("gien"), _basin("montargis")
    assert _basin_of_commune("45155") == gien.id  # read, and now kept
    auth.login(UserFactory(admin=True))
    assert client.post("/admin/communes/45155", data={"basin_id": montargis.id}).status_code == 302
    assert _basin_of_commune("45155") == montargis.id


def test_other_workers_follow_a_change_within_the_cache_lifetime(app, make_app, client, auth):
    gien, montargis = _basin("gien"), _basin("montargis")
    keeping = make_app()  # another worker, default lifetime (60 s)
    expiring = make_app(REFERENCE_CACHE_SECONDS=0)  # another worker whose lifetime has passed
    for worker in (keeping, expiring):
        with worker.app_context():
            assert _basin_of_commune("45155") == gien.id
    auth.login(UserFactory(admin=True))
    assert client.post("/admin/communes/45155", data={"basin_id": montargis.id}).status_code == 302
    with keeping.app_context():
        assert _basin_of_commune("45155") == gien.id  # kept until its lifetime ends
    with expiring.app_context():
        assert _basin_of_commune("45155") == montargis.id


def test_a_rolled_back_change_keeps_the_reference_data(app):
    before = cached.basins()
    basin = db.session.get(EmploymentBasin, before[0].id)
    basin.name = "Renommé puis annulé"
    db.session.flush()
    db.session.rollback()
    assert cached.basins() is before


def test_reading_a_booking_logs_it_without_reloading_the_user_or_the_booking(app, client, auth):
    referent = UserFactory()
    booking = BookingFactory(beneficiary=BeneficiaryFactory(referent=referent))
    auth.login(referent)
    logged = db.session.scalar(select(func.count(AuditEvent.id)))
    url, reference = f"/locations/{booking.id}", booking.reference
    db.session.commit()
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert reference in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == logged + 1
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert sum(1 for s in selects if "FROM user_account" in s and "JOIN user_session" in s) == 1
    # The statements whose own FROM clause (a line of its own) reads the booking table; the
    # booking's statement also holds subqueries of the ledger sums, with FROM clauses of theirs.
    reading_bookings = [s for s in selects if any(line.split()[:2] == ["FROM", "booking"] for line in s.splitlines())]
    assert len(reading_bookings) == 1


def test_a_new_tariff_is_the_one_shown_as_soon_as_it_is_saved(app, time_machine):
    from datetime import date

    from mobility.booking import services
    from mobility.fleet.models import VehicleCategory
    from tests.booking.factories import add_demo_tariffs

    time_machine.move_to("2026-11-23 10:00:00+01:00", tick=False)
    assert services.shown_tariff_rule(VehicleCategory.CAR, date(2026, 11, 23)) is None  # none yet: kept
    add_demo_tariffs()
    assert services.shown_tariff_rule(VehicleCategory.CAR, date(2026, 11, 23)).daily_cents == 400
    services.add_tariff(VehicleCategory.CAR, date(2026, 11, 23), 500, 2500, 7000, 15000, UserFactory(admin=True))
    db.session.commit()
    shown = services.shown_tariff_rule(VehicleCategory.CAR, date(2026, 11, 23))
    assert (shown.daily_cents, shown.effective_on) == (500, date(2026, 11, 23))
