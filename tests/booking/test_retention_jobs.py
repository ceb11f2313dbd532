"""Retention (RGPD): files without activity for RETENTION_YEARS are anonymised, the figures stay."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.models import Booking, BookingStatus
from mobility.booking.retention_jobs import retention
from mobility.core.time import PARIS
from mobility.extensions import db
from mobility.notify.models import OutboxMessage
from mobility.scheduler import run_job
from tests.booking.factories import BookingFactory
from tests.factories import BeneficiaryFactory, UserFactory
from tests.fleet.factories import VehicleFactory

NOW = datetime(2026, 12, 1, 2, 30, tzinfo=timezone.utc)  # 03:30 in Paris


def _old_file(referent, last_contact: date, **extra):
    person = BeneficiaryFactory(referent=referent, last_contact_on=last_contact, email="old@example.org", **extra)
    moment = datetime.combine(last_contact, datetime.min.time(), tzinfo=PARIS)
    db.session.execute(
        Beneficiary.__table__.update().where(Beneficiary.id == person.id).values(created_at=moment, updated_at=moment)
    )
    db.session.commit()
    db.session.refresh(person)
    return person


def _figures():
    """What the plan's indicators count: rentals per basin and status, files per basin and age band."""
    bookings = Counter((b.basin_id, b.status.value, b.price_cents) for b in db.session.scalars(select(Booking)))
    files = Counter(b.basin.code for b in db.session.scalars(select(Beneficiary)))
    return bookings, files


def _world(time_machine):
    time_machine.move_to(NOW, tick=False)
    referent = UserFactory(email="referent@example.org")
    gone = _old_file(referent, date(2024, 11, 20))  # 2 years and 11 days ago: past retention
    BookingFactory(beneficiary=gone, vehicle=VehicleFactory(), status=BookingStatus.RETURNED,
                   purpose_detail="Entreprise Exemple", starts_at=datetime(2024, 11, 4, 8, tzinfo=timezone.utc),
                   ends_at=datetime(2024, 11, 8, 16, tzinfo=timezone.utc))
    db.session.execute(Booking.__table__.update().values(updated_at=datetime(2024, 11, 8, 16, tzinfo=timezone.utc)))
    soon = _old_file(referent, date(2024, 12, 20))  # due on 20 December: within the notice
    active = _old_file(referent, date(2024, 1, 10))  # old file, but a recent rental
    BookingFactory(beneficiary=active, vehicle=VehicleFactory(), status=BookingStatus.RETURNED,
                   starts_at=datetime(2026, 10, 5, 8, tzinfo=timezone.utc),
                   ends_at=datetime(2026, 10, 9, 16, tzinfo=timezone.utc))
    recent = BeneficiaryFactory(referent=referent)
    db.session.commit()
    return gone, soon, active, recent


def test_the_dry_run_reports_and_changes_nothing(app, runner, time_machine):
    gone, soon, _active, _recent = _world(time_machine)
    before = _figures()
    output = runner.invoke(args=["jobs", "run", "retention"]).output
    assert "result=dry-run" in output and "anonymised=1 announced=1" in output
    db.session.rollback()
    assert db.session.get(Beneficiary, gone.id).last_name != "n° %s" % gone.id
    assert db.session.get(Beneficiary, soon.id).retention_notice_for is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert _figures() == before


def test_the_wet_run_anonymises_exactly_the_files_past_retention_and_the_figures_stay(app, time_machine):
    gone, soon, active, recent = _world(time_machine)
    before = _figures()
    outcome = run_job("retention")
    assert outcome.status == "ok" and "anonymised=1 announced=1" in outcome.detail
    db.session.rollback()
    person = db.session.get(Beneficiary, gone.id)
    assert person.is_anonymised
    assert (person.first_name, person.last_name) == ("Anonyme", f"n° {gone.id}")
    assert (person.email, person.phone, person.birth_date, person.commune_insee) == (None, None, None, None)
    assert person.age_band == "35-44" and person.basin.code == "orleans"
    booking = db.session.scalar(select(Booking).where(Booking.beneficiary_id == gone.id))
    assert booking.purpose_detail is None and booking.price_cents == 2000
    for other in (soon, active, recent):
        assert not db.session.get(Beneficiary, other.id).is_anonymised
    assert _figures() == before
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == AuditAction.ANONYMISE)
    ) == 1


def test_the_referent_is_told_once_thirty_days_before(app, time_machine):
    _gone, soon, _active, _recent = _world(time_machine)
    retention(NOW)
    db.session.commit()
    retention(NOW + timedelta(days=1))
    db.session.commit()
    (notice,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "retention_notice"))
    assert notice.recipient == "referent@example.org"
    assert f"Dossier n° {soon.id}, le 20 décembre 2026" in notice.body_text
    assert "Entreprise" not in notice.body_text and soon.last_name not in notice.body_text
    # The notice is not activity: on the day, the file goes.
    retention(datetime(2026, 12, 20, 2, 30, tzinfo=timezone.utc))
    db.session.commit()
    assert db.session.get(Beneficiary, soon.id).is_anonymised


def test_running_retention_twice_changes_each_file_once(app, time_machine):
    _world(time_machine)
    first = retention(NOW)
    db.session.commit()
    second = retention(NOW)
    db.session.commit()
    assert first["rows"] == 2 and second["rows"] == 0
