"""Fines in the association staff's daily deadlines digest (due within 10 days or late), and
retention: the fine follows the person's file, its free text goes with it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from mobility.beneficiaries.models import Beneficiary
from mobility.core.time import PARIS
from mobility.extensions import db
from mobility.fines.models import Fine, FineAction, FineStatus, FineTransition, OffenceKind
from mobility.notify.models import OutboxMessage
from mobility.scheduler import JOBS, run_job
from tests.factories import BeneficiaryFactory, UserFactory
from tests.fines.factories import FineFactory, fleet_vehicle

NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 07:30 in Paris


def test_fines_to_designate_soon_or_late_are_in_the_staffs_one_daily_digest(app, time_machine):
    time_machine.move_to(NOW, tick=False)
    staff = UserFactory(fleet=True)
    colleague_elsewhere = UserFactory(fleet=True)
    vehicle = fleet_vehicle(staff)
    soon = FineFactory(vehicle=vehicle, designation_due_on=date(2026, 12, 3))  # in 10 days
    late = FineFactory(vehicle=vehicle, designation_due_on=date(2026, 11, 20))
    FineFactory(vehicle=vehicle, designation_due_on=date(2026, 12, 4))  # in 11 days: not yet
    FineFactory(vehicle=vehicle, designation_due_on=date(2026, 11, 20), kind=OffenceKind.PARKING)
    FineFactory(vehicle=vehicle, designation_due_on=date(2026, 11, 20), status=FineStatus.CONTESTED)
    FineFactory(vehicle=fleet_vehicle(colleague_elsewhere), designation_due_on=date(2026, 12, 1))

    digest = JOBS["deadlines-digest"].func
    assert digest(NOW)["rows"] == 2
    db.session.commit()
    assert digest(NOW)["rows"] == 0  # once per person and day
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == staff.email))
    body = message.body_text
    assert "Amendes : conducteurs à désigner" in body
    assert f"{soon.reference} — {vehicle.plate} : à désigner avant le 03/12/2026" in body
    assert f"{late.reference} — {vehicle.plate} : en retard de 3 jours" in body
    assert body.count("AM-") == 2
    assert message.subject == "2 échéances à traiter"


def test_retention_scrubs_the_fine_log_of_an_anonymised_file_and_keeps_the_fine(app, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 2, 30, tzinfo=UTC), tick=False)
    person = BeneficiaryFactory(last_contact_on=date(2024, 11, 1))
    moment = datetime(2024, 11, 1, tzinfo=PARIS)
    db.session.execute(
        Beneficiary.__table__.update().where(Beneficiary.id == person.id).values(created_at=moment, updated_at=moment)
    )
    staff = UserFactory(fleet=True)
    fine = FineFactory(vehicle=fleet_vehicle(staff, created_at=datetime(2024, 1, 1, tzinfo=UTC)),
                       beneficiary=person, status=FineStatus.CONTESTED)
    db.session.add(FineTransition(fine=fine, action=FineAction.CONTEST, from_status=FineStatus.RECEIVED,
                                  to_status=FineStatus.CONTESTED, reason="Le fils de la personne conduisait."))
    db.session.commit()

    outcome = run_job("retention", trigger="test")
    assert outcome.status == "ok" and "fine_reasons_scrubbed=1" in outcome.detail
    db.session.expire_all()
    kept = db.session.get(Fine, fine.id)
    assert kept.beneficiary.is_anonymised and kept.notice_number == fine.notice_number
    assert all(step.reason is None for step in kept.transitions)


def test_a_person_reads_the_fines_naming_them_in_their_own_data(app, time_machine):
    from mobility.beneficiaries.personal_data import personal_data
    from tests.booking.factories import eligible_beneficiary

    time_machine.move_to(NOW, tick=False)
    person = eligible_beneficiary(NOW.date())
    fine = FineFactory(vehicle=fleet_vehicle(UserFactory(fleet=True)), beneficiary=person)
    FineFactory(vehicle=fleet_vehicle(UserFactory(fleet=True)))  # someone else's
    db.session.commit()
    section = next(s for s in personal_data(person).sections if s.key == "fines")
    assert [item["reference"] for item in section.items] == [fine.reference]
    assert section.items[0]["place"] == fine.place
