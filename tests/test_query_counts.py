"""List pages load related rows in a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from contextlib import contextmanager

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
