"""List pages load related rows in a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.extensions import db
from tests.factories import BeneficiaryFactory, OrganisationFactory, UserFactory


@contextmanager
def count_queries(app):
    with app.app_context():
        engine = db.engine
    statements = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def _queries_for(app, client, url) -> int:
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_beneficiary_list_does_not_query_once_per_row(app, client, auth):
    organisation = OrganisationFactory()
    referents = UserFactory.create_batch(3, organisation=organisation)
    BeneficiaryFactory(referent=referents[0])
    auth.login(referents[0])
    few = _queries_for(app, client, "/beneficiaires")
    for referent in referents:
        BeneficiaryFactory.create_batch(5, referent=referent)
    assert _queries_for(app, client, "/beneficiaires") == few


def test_the_access_log_does_not_query_once_per_row(app, client, auth):
    admin = UserFactory(admin=True)
    auth.login(admin)
    record(AuditAction.READ, "beneficiary", 1, actor=UserFactory())
    db.session.commit()
    few = _queries_for(app, client, "/admin/journal/")
    for _ in range(10):
        record(AuditAction.READ, "beneficiary", 1, actor=UserFactory())
    db.session.commit()
    assert _queries_for(app, client, "/admin/journal/") == few


def test_the_organisation_list_does_not_query_once_per_row(app, client, auth):
    auth.login(UserFactory(admin=True))
    few = _queries_for(app, client, "/admin/organisations")
    OrganisationFactory.create_batch(10)
    assert _queries_for(app, client, "/admin/organisations") == few


def _bookings_for(referent, count: int, status):
    from datetime import UTC, datetime, timedelta

    from tests.booking.factories import BookingFactory

    start = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    for index in range(count):
        BookingFactory(
            beneficiary=BeneficiaryFactory(referent=referent),
            status=status,
            starts_at=start + timedelta(days=7 * index),
            ends_at=start + timedelta(days=7 * index + 2),
        )


def test_the_referent_booking_list_and_approval_queue_do_not_query_once_per_row(app, client, auth):
    from mobility.booking.models import BookingStatus

    referent = UserFactory()
    _bookings_for(referent, 1, BookingStatus.REQUESTED)
    auth.login(referent)
    few_list = _queries_for(app, client, "/locations/")
    few_queue = _queries_for(app, client, "/locations/a-valider")
    _bookings_for(referent, 8, BookingStatus.REQUESTED)
    assert _queries_for(app, client, "/locations/") == few_list
    assert _queries_for(app, client, "/locations/a-valider") == few_queue


# --- Every list page: 5 rows and 50 rows run the same statements, 12 at most --------

MOST_STATEMENTS = 12


def _statements_for(app, client, url) -> list[str]:
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    return statements


def _same_count_for_5_and_50(app, client, url, add_rows) -> int:
    add_rows(5)
    # The first request of a process fills the per-process reference caches (basins,
    # communes, tariffs): the counts are those of a service already running.
    assert client.get(url).status_code == 200
    few = len(_statements_for(app, client, url))
    add_rows(45)
    statements = _statements_for(app, client, url)
    listed = "\n".join(statement.split("\n")[0][:160] for statement in statements)
    assert len(statements) == few, f"{url}: {few} statements with 5 rows, {len(statements)} with 50:\n{listed}"
    assert len(statements) <= MOST_STATEMENTS, f"{url}: {len(statements)} statements:\n{listed}"
    return len(statements)


def _fleet_world():
    from tests.fleet.factories import SiteFactory

    staff = UserFactory(fleet=True)
    return staff, SiteFactory(association=staff.organisation)


def _bookings(referent, site, status, count, **values):
    from datetime import UTC, datetime, timedelta

    from tests.booking.factories import BookingFactory
    from tests.fleet.factories import VehicleFactory

    start = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    for index in range(count):
        BookingFactory(
            beneficiary=BeneficiaryFactory(referent=referent),
            vehicle=VehicleFactory(site=site),
            status=status,
            starts_at=start + timedelta(days=index),
            ends_at=start + timedelta(days=index + 2),
            **values,
        )


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/locations/", "confirmed"),
        ("/locations/?q=Fiche&statut=confirmed&du=2027-01-01", "confirmed"),
        ("/locations/a-valider", "requested"),
        ("/locations/a-valider", "returned"),
        ("/locations/suites-a-noter", "returned"),
        ("/accueil", "requested"),
        ("/accueil", "returned"),
    ],
)
def test_the_referents_booking_lists_run_the_same_few_statements_for_5_or_50_rows(
    app, client, auth, url, status
):
    from mobility.booking.models import BookingStatus

    _, site = _fleet_world()
    referent = UserFactory()
    auth.login(referent)
    _same_count_for_5_and_50(
        app, client, url, lambda count: _bookings(referent, site, BookingStatus(status), count)
    )


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/flotte/locations/", "confirmed"),
        ("/flotte/locations/?statut=approved", "approved"),
        ("/flotte/locations/?q=Fiche&du=2027-01-01&au=2027-12-31", "in_progress"),
        ("/accueil", "approved"),
        ("/accueil", "in_progress"),
    ],
)
def test_the_fleet_booking_lists_run_the_same_few_statements_for_5_or_50_rows(app, client, auth, url, status):
    from mobility.booking.models import BookingStatus

    staff, site = _fleet_world()
    referent = UserFactory()
    auth.login(staff)
    _same_count_for_5_and_50(
        app, client, url, lambda count: _bookings(referent, site, BookingStatus(status), count)
    )


def test_the_admin_lists_run_the_same_few_statements_for_5_or_50_rows(app, client, auth):
    from mobility.booking.models import BookingStatus

    _, site = _fleet_world()
    referent = UserFactory()
    auth.login(UserFactory(admin=True))
    for url in ("/locations/", "/flotte/locations/"):
        _same_count_for_5_and_50(
            app, client, url, lambda count: _bookings(referent, site, BookingStatus.CONFIRMED, count)
        )

    def events(count):
        for _ in range(count):
            record(AuditAction.READ, "beneficiary", 1, actor=UserFactory())
        db.session.commit()

    _same_count_for_5_and_50(app, client, "/admin/journal/", events)
    _same_count_for_5_and_50(app, client, "/accueil", lambda count: BeneficiaryFactory.create_batch(count))


def test_the_beneficiary_files_and_the_vehicles_run_the_same_few_statements_for_5_or_50_rows(app, client, auth):
    from tests.fleet.factories import VehicleFactory

    referent = UserFactory()
    auth.login(referent)
    for url in ("/beneficiaires", "/beneficiaires?q=fiche"):
        _same_count_for_5_and_50(
            app, client, url, lambda count: BeneficiaryFactory.create_batch(count, referent=referent)
        )
    auth.logout()
    staff, site = _fleet_world()
    auth.login(staff)
    _same_count_for_5_and_50(
        app, client, "/flotte/vehicules", lambda count: [VehicleFactory(site=site) for _ in range(count)]
    )


def test_the_sites_page_runs_the_same_few_statements_for_5_or_50_sites_and_their_vehicles(app, client, auth):
    from tests.fleet.factories import SiteFactory, VehicleFactory

    staff, _ = _fleet_world()
    auth.login(staff)

    def sites_with_vehicles(count):
        for _ in range(count):
            site = SiteFactory(association=staff.organisation)
            VehicleFactory.create_batch(2, site=site)

    _same_count_for_5_and_50(app, client, "/flotte/sites", sites_with_vehicles)
    page = client.get("/flotte/sites").get_data(as_text=True)
    assert page.count("2 véhicules") == 50 and "0 véhicule" in page


def test_the_booking_page_runs_the_same_statements_for_one_payment_or_a_ledger_with_reversals(app, client, auth):
    from datetime import date

    from mobility.booking import services
    from mobility.booking.models import BookingStatus, PaymentKind, PaymentMethod
    from tests.booking.factories import BookingFactory

    staff, site = _fleet_world()
    referent = UserFactory()
    booking = BookingFactory(
        status=BookingStatus.IN_PROGRESS,
        beneficiary=BeneficiaryFactory(referent=referent),
        vehicle__site=site,
        price_cents=10_000,
    )
    auth.login(referent)
    url = f"/locations/{booking.id}"

    paid, reversed_ = [], []

    def pay(count):
        for _ in range(count):
            paid.append(
                services.record_payment(
                    booking, PaymentKind.RENTAL, 500, PaymentMethod.CASH, date(2026, 12, 7), f"R-{len(paid)}", staff
                )
            )
            if len(paid) % 2 == 0:
                db.session.flush()
                reversed_.append(services.reverse_payment(booking, paid[-1].id, "Saisie en double", staff))
        db.session.commit()

    pay(1)
    assert client.get(url).status_code == 200
    few = len(_statements_for(app, client, url))
    pay(5)
    statements = _statements_for(app, client, url)
    assert len(statements) == few, "\n".join(statement.split("\n")[0][:160] for statement in statements)
    assert len(statements) <= MOST_STATEMENTS
    # Each reversal shows its reason on its own line; each reversed entry says it was cancelled.
    page = client.get(url).get_data(as_text=True)
    assert len(reversed_) == 3 and page.count("Raison : Saisie en double") == 3


def test_the_api_lists_run_the_same_few_statements_for_5_or_50_rows(app, client):
    from tests.api.factories import api_token, bearer
    from tests.booking.factories import eligible_beneficiary
    from tests.fleet.factories import VehicleFactory

    referent = UserFactory()
    _, secret = api_token(referent)
    headers = bearer(secret)
    staff, site = _fleet_world()
    # The token's first use is written down (last_used_at) once: not part of a list's cost.
    assert client.get("/api/v1/vehicles", headers=headers).status_code == 200

    def api_count(url, add_rows):
        def statements(count):
            add_rows(count)
            with count_queries(app) as seen:
                assert client.get(url, headers=headers).status_code == 200
            return len(seen)

        few, many = statements(5), statements(45)
        assert few == many, f"{url}: {few} statements with 5 rows, {many} with 50"
        assert many <= MOST_STATEMENTS, f"{url}: {many} statements"

    api_count(
        "/api/v1/beneficiaries",
        lambda count: [eligible_beneficiary(referent=referent) for _ in range(count)],
    )
    api_count("/api/v1/vehicles?per_page=50", lambda count: [VehicleFactory(site=site) for _ in range(count)])
