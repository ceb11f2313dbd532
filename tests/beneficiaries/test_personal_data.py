"""A person's data, complete and downloadable (RGPD articles 15 and 20): "Mes données", its JSON
and printable copies, the référent's copy for a person without an account, and a check, read
from the models' foreign keys, that every table referring to a person is exported or
deliberately left out with a reason."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.audit.services import record
from mobility.beneficiaries.personal_data import left_out, personal_data
from mobility.booking.eligibility import Purpose
from mobility.booking.models import (
    BookingStatus,
    Handover,
    HandoverKind,
    Outcome,
    OutcomeCheckpoint,
    OutcomeResult,
    Payment,
    PaymentKind,
    PaymentMethod,
    WaitingEntry,
    WaitingStatus,
)
from mobility.extensions import db
from mobility.fleet.models import VehicleCategory
from mobility.notify.models import OutboxMessage
from tests.booking.factories import BookingFactory
from tests.factories import BeneficiaryFactory, UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.fleet.helpers import text_of

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FROZEN_AT = NOW
pytestmark = pytest.mark.usefixtures("frozen")
PERSON_TABLES = ("beneficiary", "user_account")


@pytest.fixture
def person_with_history(app):
    """A person with a past rental (purpose, payment, damage note, outcome), a place in the queue,
    a message sent, and a file the référent opened."""
    person_with_history = BeneficiaryFactory(first_name="Prénom", last_name="Personne-Test", email="personne@example.org")
    fleet = UserFactory(fleet=True, full_name="Gestion Flotte")
    vehicle = VehicleFactory(site=SiteFactory(association=fleet.organisation))
    booking = BookingFactory(
        beneficiary=person_with_history,
        vehicle=vehicle,
        status=BookingStatus.RETURNED,
        purpose=Purpose.JOB,
        purpose_detail="Boulangerie Exemple",
        starts_at=datetime(2026, 11, 2, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 6, 16, tzinfo=UTC),
    )
    with db.session.no_autoflush:
        rows = [
            Payment(booking=booking, kind=PaymentKind.RENTAL, amount_cents=2000, method=PaymentMethod.CASH, paid_on=date(2026, 11, 2), receipt_number="R-777"),
            Handover(booking=booking, kind=HandoverKind.RETURN, odometer_km=46_000, fuel_eighths=6, damage_notes="Rayure sur le pare-chocs arrière", recorded_by_id=fleet.id),
            Outcome(booking=booking, checkpoint=OutcomeCheckpoint.AT_END, result=OutcomeResult.TRAINING, recorded_on=date(2026, 11, 7)),
            WaitingEntry(
                beneficiary=person_with_history,
                basin_id=vehicle.site.basin_id,
                category=VehicleCategory.CAR,
                starts_at=datetime(2027, 1, 4, 8, tzinfo=UTC),
                ends_at=datetime(2027, 1, 8, 16, tzinfo=UTC),
                purpose=Purpose.TRAINING,
                status=WaitingStatus.WAITING,
            ),
            OutboxMessage(channel="email", recipient="personne@example.org", template="t", subject="Votre location est confirmée", body_text="Bonjour, votre location est confirmée."),
        ]
    db.session.add_all(rows)
    record(AuditAction.READ, "beneficiary", person_with_history.id, actor=person_with_history.referent)
    db.session.commit()
    return person_with_history


EXPECTED_ON_THE_PAGE = (
    "Personne-Test",
    "Boulangerie Exemple",  # the purpose's detail
    "emploi",  # the purpose
    "formation",  # the outcome at the end
    "R-777",  # the payment's receipt
    "Rayure sur le pare-chocs arrière",  # the handover's damage note
    "Vos places dans la file d'attente",
    "Votre location est confirmée",  # a message sent
    "Qui a consulté ou modifié votre fiche",
)


def test_every_foreign_key_to_a_person_is_exported_or_deliberately_left_out_with_a_reason(app, person_with_history):
    references = {
        f"{table.name}.{foreign_key.parent.name}"
        for table in db.metadata.tables.values()
        for foreign_key in table.foreign_keys
        if foreign_key.column.table.name in PERSON_TABLES
    }
    covered = {name for section in personal_data(person_with_history).sections for name in section.covers}
    reasons = left_out()
    assert not covered & set(reasons), "a foreign key cannot be both exported and left out"
    assert references - covered - set(reasons) == set(), "exported by no section and left out by no reason"
    assert set(reasons) | covered <= references, "a name that is no foreign key to a person"
    assert all(len(reason) > 20 for reason in reasons.values())


def test_mes_donnees_shows_everything_stored_grouped_with_the_json_and_the_printable_page(client, auth, person_with_history):
    account = UserFactory(beneficiary=True, organisation=person_with_history.organisation, email="personne@example.org")
    person_with_history.user = account
    db.session.commit()
    auth.login(account)
    page = text_of(client.get("/mes-donnees"))
    for expected in EXPECTED_ON_THE_PAGE:
        assert expected in page, expected
    assert "Télécharger mes données (fichier JSON)" in page and "Version à imprimer" in page
    assert person_with_history.referent.full_name in page  # who opened the file

    response = client.get("/mes-donnees/donnees.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="donnees-personnelles-{person_with_history.id}.json"'
    data = json.loads(response.get_data(as_text=True))
    sections = data["sections"]
    assert {"file", "account", "sessions", "bookings", "payments", "handovers", "waiting_queue", "messages", "file_access_log"} <= set(sections)
    booking = sections["bookings"]["items"][0]
    assert booking["purpose_detail"] == "Boulangerie Exemple" and booking["price_cents"] == 2000
    assert booking["outcomes"] and "formation" in booking["outcomes"][0]
    assert sections["payments"]["items"][0]["receipt_number"] == "R-777"
    assert sections["handovers"]["items"][0]["damage_notes"] == "Rayure sur le pare-chocs arrière"
    assert sections["file"]["items"][0]["birth_date"] == "1985-05-17"
    assert sections["messages"]["items"][0]["subject"] == "Votre location est confirmée"
    assert len(sections["sessions"]["items"]) >= 1

    printable = text_of(client.get("/mes-donnees/imprimer"))
    assert "Données personnelles — Prénom Personne-Test" in printable and "Boulangerie Exemple" in printable
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)).all()
    assert [(e.actor_id, e.object_id, e.fields) for e in exports] == [
        (account.id, person_with_history.id, "personal_data_json"),
        (account.id, person_with_history.id, "personal_data_print"),
    ]


def test_the_referent_hands_the_data_to_a_person_without_an_account_and_it_is_audited(client, auth, person_with_history):
    referent = person_with_history.referent
    auth.login(referent)
    file_page = client.get(f"/beneficiaires/{person_with_history.id}").get_data(as_text=True)
    assert f'href="/beneficiaires/{person_with_history.id}/donnees"' in file_page
    page = text_of(client.get(f"/beneficiaires/{person_with_history.id}/donnees"))
    for expected in EXPECTED_ON_THE_PAGE:
        assert expected in page, expected
    assert "Pas de compte" in page
    response = client.get(f"/beneficiaires/{person_with_history.id}/donnees.json")
    assert json.loads(response.get_data(as_text=True))["sections"]["account"]["items"] == []
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)).all()
    assert [(e.actor_id, e.object_id) for e in exports] == [(referent.id, person_with_history.id), (referent.id, person_with_history.id)]


def test_another_organisation_or_another_person_gets_404(client, auth, person_with_history):
    auth.login(UserFactory())  # a référent of another organisation
    assert client.get(f"/beneficiaires/{person_with_history.id}/donnees").status_code == 404
    assert client.get(f"/beneficiaires/{person_with_history.id}/donnees.json").status_code == 404
    auth.logout()
    stranger = BeneficiaryFactory()
    account = UserFactory(beneficiary=True, organisation=stranger.organisation)
    stranger.user = account
    db.session.commit()
    auth.login(account)
    assert client.get(f"/beneficiaires/{person_with_history.id}/donnees.json").status_code == 404
    data = json.loads(client.get("/mes-donnees/donnees.json").get_data(as_text=True))
    assert "Boulangerie Exemple" not in json.dumps(data) and data["file_id"] == stranger.id
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == AuditAction.EXPORT, AuditEvent.object_id == person_with_history.id)) is None


def test_mes_donnees_reads_each_kind_of_row_once_whatever_the_number_of_bookings(app, client, auth, person_with_history):
    """One booking or six, each with its history, an extension and its moves: the same
    statements (each kind of row for all the bookings together)."""
    from datetime import timedelta

    from sqlalchemy import event

    from mobility.booking.extension_lifecycle import ExtensionTransition
    from mobility.booking.models import Booking, BookingTransition, Extension, ExtensionStatus

    account = UserFactory(beneficiary=True, organisation=person_with_history.organisation, email="personne@example.org")
    person_with_history.user = account
    db.session.commit()
    auth.login(account)
    vehicle = db.session.scalars(select(Booking).where(Booking.beneficiary_id == person_with_history.id)).first().vehicle

    def add_bookings(count, first_week):
        for week in range(first_week, first_week + count):
            starts = datetime(2026, 6, 1, 8, tzinfo=UTC) + timedelta(weeks=week)
            approver, extender = UserFactory(), UserFactory()
            booking = BookingFactory(
                beneficiary=person_with_history, vehicle=vehicle, status=BookingStatus.RETURNED,
                starts_at=starts, ends_at=starts + timedelta(days=2), requested_by=UserFactory(),
            )
            with db.session.no_autoflush:
                extension = Extension(
                    booking=booking, old_ends_at=booking.ends_at, new_ends_at=booking.ends_at + timedelta(days=1),
                    status=ExtensionStatus.APPROVED, requested_by_id=person_with_history.referent.id,
                )
                db.session.add_all([
                    BookingTransition(booking=booking, action="approve", from_status=BookingStatus.REQUESTED,
                                      to_status=BookingStatus.APPROVED, actor_id=approver.id),
                    extension,
                ])
                db.session.flush()
                db.session.add(ExtensionTransition(extension=extension, action="approve", from_status=ExtensionStatus.PENDING,
                                                   to_status=ExtensionStatus.APPROVED, actor_id=extender.id))
        db.session.commit()

    def statements() -> int:
        with app.app_context():
            engine = db.engine
        seen = []

        def count(*args):
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/mes-donnees").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    add_bookings(1, 0)
    with_one = statements()
    add_bookings(5, 1)
    with_six = statements()
    assert with_six == with_one
    assert "retour repoussé au" in text_of(client.get("/mes-donnees"))
