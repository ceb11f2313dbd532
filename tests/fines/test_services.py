"""Recording an avis: who had the vehicle said at once, the 45-day deadline, bad input refused
with nothing saved, and the state machine with its log and the référent told."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from mobility.core.errors import Invalid, Refused
from mobility.core.statemachine import IllegalMove, ReasonRequired
from mobility.extensions import db
from mobility.fines import services
from mobility.fines.models import DriverFinding, Fine, FineAction, FineStatus, FineTransition, OffenceKind
from mobility.fines.services import FineData
from mobility.notify.models import OutboxMessage
from tests.factories import UserFactory
from tests.fines.factories import FineFactory, fleet_vehicle, rental

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FROZEN_AT = NOW


@pytest.fixture
def staff(app, frozen):
    return UserFactory(fleet=True)


def _data(vehicle, **overrides) -> FineData:
    values = dict(
        vehicle_id=vehicle.id,
        notice_number="12 3456 7890",
        offence_on=date(2026, 10, 7),
        offence_time=time(14, 0),
        place="Orléans, A10, sens Paris-Province",
        kind=OffenceKind.SPEED,
        amount_cents=13500,
        notice_sent_on=date(2026, 10, 12),
    )
    values.update(overrides)
    return FineData(**values)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Fine))


def test_recording_an_avis_says_at_once_who_had_the_vehicle_and_the_deadline(staff):
    vehicle = fleet_vehicle(staff)
    booking = rental(vehicle, datetime(2026, 10, 5, 7, 0, tzinfo=UTC), datetime(2026, 10, 9, 15, 0, tzinfo=UTC))
    fine = services.record_fine(_data(vehicle), staff)
    db.session.commit()
    assert fine.notice_number == "1234567890"
    assert fine.offence_at == datetime(2026, 10, 7, 12, 0, tzinfo=UTC)  # 14:00 in Paris, summer time
    assert fine.finding is DriverFinding.DRIVER and services.driver_at(fine).booking.id == booking.id
    assert fine.status is FineStatus.RECEIVED and fine.beneficiary is None
    # 45 days after the sending date (12 October): 26 November, 3 days left on 23 November.
    assert fine.designation_due_on == date(2026, 11, 26)
    assert fine.days_left(date(2026, 11, 23)) == 3
    assert [t.action for t in fine.transitions] == [FineAction.RECORD]


def test_the_deadline_counts_45_days_from_the_sending_date_across_months(staff, time_machine):
    vehicle = fleet_vehicle(staff)
    time_machine.move_to(datetime(2026, 4, 20, 8, 0, tzinfo=UTC), tick=False)
    fine = services.record_fine(
        _data(vehicle, offence_on=date(2026, 2, 27), notice_sent_on=date(2026, 3, 1)), staff
    )
    assert fine.designation_due_on == date(2026, 4, 15)
    assert fine.days_left(date(2026, 4, 15)) == 0
    assert fine.is_late(date(2026, 4, 16)) and not fine.is_late(date(2026, 4, 15))


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"notice_number": "123456789"}, "notice_number", "10 chiffres"),
        ({"notice_number": "12345678901"}, "notice_number", "10 chiffres"),
        ({"notice_number": "12345A7890"}, "notice_number", "10 chiffres"),
        ({"offence_on": date(2026, 11, 23), "offence_time": time(10, 30)}, "offence_on", "futur"),
        ({"offence_on": date(2025, 12, 20)}, "offence_on", "pas encore dans la flotte"),
        ({"notice_sent_on": date(2026, 10, 6)}, "notice_sent_on", "avant l'infraction"),
        ({"notice_sent_on": date(2026, 11, 24)}, "notice_sent_on", "futur"),
        ({"amount_cents": 0}, "amount", "montant"),
        ({"place": "  "}, "place", "lieu"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_saved(staff, overrides, field, words):
    vehicle = fleet_vehicle(staff)
    with pytest.raises(Invalid) as refused:
        services.record_fine(_data(vehicle, **overrides), staff)
    db.session.rollback()
    assert refused.value.field == field and words in refused.value.message
    assert _count() == 0


def test_a_fine_for_a_vehicle_of_another_association_is_refused(staff):
    theirs = fleet_vehicle(UserFactory(fleet=True))
    with pytest.raises(Refused) as refused:
        services.record_fine(_data(theirs), staff)
    db.session.rollback()
    assert refused.value.field == "vehicle_id" and "votre association" in refused.value.message
    assert _count() == 0


def test_the_same_avis_cannot_be_recorded_twice(staff):
    vehicle = fleet_vehicle(staff)
    services.record_fine(_data(vehicle), staff)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        services.record_fine(_data(vehicle, notice_number="1234567890"), staff)
    assert "déjà enregistré" in refused.value.message
    db.session.rollback()
    assert _count() == 1


def _identified(staff):
    vehicle = fleet_vehicle(staff)
    booking = rental(vehicle, datetime(2026, 10, 5, 7, 0, tzinfo=UTC), datetime(2026, 10, 9, 15, 0, tzinfo=UTC))
    fine = services.record_fine(_data(vehicle), staff)
    services.identify_driver(fine, booking.id, staff)
    db.session.commit()
    return fine, booking


def test_identifying_the_driver_tells_the_referent_without_the_fines_details(staff):
    fine, booking = _identified(staff)
    assert fine.status is FineStatus.DRIVER_IDENTIFIED and fine.beneficiary_id == booking.beneficiary_id
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "fine_referent"))
    assert message.recipient == booking.beneficiary.referent.email
    body = message.body_text
    assert f"dossier n° {booking.beneficiary_id}" in body and "26 novembre 2026" in body
    for detail in ("A10", "135", fine.vehicle.plate, "vitesse", booking.beneficiary.last_name):
        assert detail not in body


def test_only_a_rental_the_records_point_to_can_be_named(staff):
    vehicle = fleet_vehicle(staff)
    rental(vehicle, datetime(2026, 10, 5, 7, 0, tzinfo=UTC), datetime(2026, 10, 9, 15, 0, tzinfo=UTC))
    elsewhere = rental(vehicle, datetime(2026, 9, 1, 7, 0, tzinfo=UTC), datetime(2026, 9, 3, 15, 0, tzinfo=UTC))
    fine = services.record_fine(_data(vehicle), staff)
    with pytest.raises(Invalid):
        services.identify_driver(fine, elsewhere.id, staff)


def test_the_designation_needs_its_reference_and_date_and_is_logged(staff):
    fine, booking = _identified(staff)
    with pytest.raises(Invalid):
        services.designate(fine, " ", date(2026, 11, 20), staff, date(2026, 11, 23))
    with pytest.raises(Invalid):
        services.designate(fine, "ANTAI-1", date(2026, 11, 24), staff, date(2026, 11, 23))
    services.designate(fine, "ANTAI-1", date(2026, 11, 20), staff, date(2026, 11, 23))
    db.session.commit()
    assert fine.status is FineStatus.DESIGNATED and fine.designated_on == date(2026, 11, 20)
    assert [t.to_status for t in fine.transitions] == [
        FineStatus.RECEIVED, FineStatus.DRIVER_IDENTIFIED, FineStatus.DESIGNATED
    ]
    assert all(t.actor_id == staff.id for t in fine.transitions)
    templates = db.session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.template == "fine_referent")).all()
    assert len(templates) == 2


def test_the_state_machine_refuses_moves_it_does_not_hold(staff):
    fine = FineFactory(vehicle=fleet_vehicle(staff))
    with pytest.raises(IllegalMove) as refused:
        services.designate(fine, "ANTAI-1", date(2026, 11, 20), staff, date(2026, 11, 23))
    assert "« avis reçu »" in refused.value.message
    with pytest.raises(ReasonRequired):
        services.simple_move(fine, FineAction.CONTEST, staff, "")
    services.simple_move(fine, FineAction.CONTEST, staff, "Le véhicule était au garage.")
    services.simple_move(fine, FineAction.CLOSE, staff, None)
    db.session.commit()
    assert fine.status is FineStatus.CLOSED
    with pytest.raises(IllegalMove):
        services.simple_move(fine, FineAction.PAY, staff, None)
    reasons = db.session.scalars(select(FineTransition.reason).where(FineTransition.fine_id == fine.id)).all()
    assert "Le véhicule était au garage." in reasons


def test_a_parking_fine_is_paid_by_the_association_and_never_designated(staff):
    fine = FineFactory(vehicle=fleet_vehicle(staff), kind=OffenceKind.PARKING)
    assert not fine.requires_designation
    services.simple_move(fine, FineAction.PAY, staff, None)
    assert fine.status is FineStatus.PAID_BY_ASSOCIATION


def test_the_database_refuses_a_designation_without_reference(staff):
    fine = FineFactory(vehicle=fleet_vehicle(staff))
    fine.status = FineStatus.CONTESTED
    db.session.commit()
    from sqlalchemy.exc import IntegrityError

    fine.status = FineStatus.DESIGNATED
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
