"""Services after the request: approval, confirmation and swap, handovers, extensions,
expiry, the waiting queue, payments, outcomes and tariffs, on the real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from mobility.booking import services
from mobility.booking.eligibility import Purpose
from mobility.booking.extension_lifecycle import TRANSITIONS as EXTENSION_TRANSITIONS
from mobility.booking.extension_lifecycle import ExtensionAction, ExtensionTransition
from mobility.booking.lifecycle import IllegalMove, ReasonRequired
from mobility.booking.models import (
    BookingStatus,
    ExtensionStatus,
    OutcomeCheckpoint,
    OutcomeResult,
    PaymentKind,
    PaymentMethod,
    Tariff,
    WaitingEntry,
    WaitingStatus,
)
from mobility.booking.queue_lifecycle import TRANSITIONS as QUEUE_TRANSITIONS
from mobility.booking.queue_lifecycle import QueueAction, WaitingTransition
from mobility.booking.queue_lifecycle import move as queue_move
from mobility.booking.services import BookingError, HandoverDetails, RequestDetails
from mobility.core.errors import DomainError
from mobility.extensions import db
from mobility.fleet.services import FleetError
from mobility.fleet.models import OdometerReading, VehicleCategory
from mobility.notify.models import OutboxMessage
from tests.booking.factories import add_demo_tariffs, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import OdometerReadingFactory, SiteFactory, VehicleFactory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
FROZEN_AT = NOW
TODAY = date(2026, 11, 23)


@pytest.fixture
def fleet(app, frozen):
    add_demo_tariffs()
    site = SiteFactory(orleans=True)
    car = VehicleFactory(site=site)
    OdometerReadingFactory(vehicle=car, km=45000)
    staff = UserFactory(fleet=True, organisation=site.association, email="staff@example.org")
    return {"site": site, "car": car, "staff": staff}


def _details(site, **overrides) -> RequestDetails:
    values = {
        "category": VehicleCategory.CAR,
        "basin_id": site.basin_id,
        "starts_on": date(2026, 12, 7),
        "ends_on": date(2026, 12, 11),
        "purpose": Purpose.TRAINING,
        "pickup_time": time(9, 0),
        "return_time": time(17, 0),
    }
    values.update(overrides)
    return RequestDetails(**values)


def _prescribed(fleet, **overrides):
    person = eligible_beneficiary(TODAY)
    booking = services.request_booking(person, _details(fleet["site"], **overrides), person.referent)
    db.session.commit()
    return booking


def _handover(km: int, **overrides) -> HandoverDetails:
    values = {
        "odometer_km": km,
        "fuel_eighths": 8,
        "contract_signed": True,
        "deposit_received": True,
        "deposit_method": PaymentMethod.CHEQUE,
        "deposit_receipt_number": f"CAUTION-{km}",
    }
    values.update(overrides)
    return HandoverDetails(**values)


def test_approving_a_request_tells_the_person_and_the_association(fleet):
    person = eligible_beneficiary(TODAY, email="personne@example.org")
    booking = services.request_booking(person, _details(fleet["site"]), UserFactory(beneficiary=True))
    db.session.commit()
    db.session.execute(db.delete(OutboxMessage))
    services.approve(booking, person.referent)
    db.session.commit()
    assert booking.status == BookingStatus.APPROVED
    subjects = {m.recipient: m.subject for m in db.session.scalars(db.select(OutboxMessage).filter_by(channel="email"))}
    assert subjects == {
        "personne@example.org": f"Votre location {booking.reference} est validée",
        "staff@example.org": f"Location {booking.reference} à confirmer",
    }


def test_a_message_is_written_in_the_recipient_s_language(fleet):
    fleet["staff"].locale = "en"
    db.session.commit()
    booking = _prescribed(fleet)
    message = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.recipient == "staff@example.org"))
    assert message.subject == f"Rental {booking.reference} to confirm"


def test_confirming_with_a_swap_keeps_the_booking_and_logs_the_change(fleet):
    booking = _prescribed(fleet)
    other = VehicleFactory(site=fleet["site"], plate="ZZ-999-ZZ")
    assert services.swap_candidates(booking) == [other]
    services.confirm(booking, fleet["staff"], other)
    db.session.commit()
    assert (booking.status, booking.vehicle_id) == (BookingStatus.CONFIRMED, other.id)
    assert "ZZ-999-ZZ" in booking.transitions[-1].reason


def test_a_swap_to_a_vehicle_held_on_the_period_is_refused_and_keeps_the_first_vehicle(fleet):
    booking = _prescribed(fleet)
    other_car = VehicleFactory(site=fleet["site"])
    _prescribed(fleet, vehicle_id=other_car.id)
    with pytest.raises(BookingError):
        services.confirm(booking, fleet["staff"], other_car)
    db.session.rollback()
    db.session.refresh(booking)
    assert (booking.status, booking.vehicle_id) == (BookingStatus.APPROVED, fleet["car"].id)


def test_a_swap_to_another_association_s_vehicle_is_refused(fleet):
    booking = _prescribed(fleet)
    elsewhere = VehicleFactory(site=SiteFactory(orleans=True))
    with pytest.raises(BookingError):
        services.confirm(booking, fleet["staff"], elsewhere)


def test_check_out_and_return_record_handovers_and_odometer_readings(fleet, frozen):
    booking = _prescribed(fleet)
    services.confirm(booking, fleet["staff"])
    services.check_out(booking, _handover(45100, damage_notes="Rayure porte arrière"), fleet["staff"])
    db.session.commit()
    assert booking.status == BookingStatus.IN_PROGRESS
    services.return_vehicle(booking, _handover(45420, fuel_eighths=6), fleet["staff"])
    db.session.commit()
    assert booking.status == BookingStatus.RETURNED
    assert [h.odometer_km for h in booking.handovers] == [45100, 45420]
    assert booking.check_out.damage_notes == "Rayure porte arrière"
    assert fleet["car"].current_odometer_km == 45420
    assert db.session.scalar(db.select(db.func.count(OdometerReading.id))) == 3


def test_check_out_refuses_an_odometer_below_the_last_reading(fleet):
    booking = _prescribed(fleet)
    services.confirm(booking, fleet["staff"])
    # The fleet owns the odometer rule: its refusal, next to the handover form's field.
    with pytest.raises(FleetError) as refused:
        services.check_out(booking, _handover(44999), fleet["staff"])
    assert refused.value.field == "odometer_km"
    assert refused.value.message.startswith("Le kilométrage ne peut pas baisser : le dernier relevé indique 45")


def test_check_out_needs_the_signed_contract(fleet):
    booking = _prescribed(fleet)
    services.confirm(booking, fleet["staff"])
    with pytest.raises(BookingError) as refused:
        services.check_out(booking, _handover(45100, contract_signed=False), fleet["staff"])
    assert refused.value.field == "contract_signed"
    assert booking.status == BookingStatus.CONFIRMED


def test_return_refuses_an_odometer_below_the_check_out(fleet):
    booking = _prescribed(fleet)
    services.confirm(booking, fleet["staff"])
    services.check_out(booking, _handover(45100), fleet["staff"])
    with pytest.raises(FleetError):
        services.return_vehicle(booking, _handover(45050), fleet["staff"])
    assert booking.status == BookingStatus.IN_PROGRESS


def test_check_out_of_a_booking_not_yet_confirmed_is_an_illegal_move(fleet):
    booking = _prescribed(fleet)
    with pytest.raises(IllegalMove):
        services.check_out(booking, _handover(45100), fleet["staff"])


def _in_progress(fleet, **overrides):
    booking = _prescribed(fleet, **overrides)
    services.confirm(booking, fleet["staff"])
    services.check_out(booking, _handover(45100), fleet["staff"])
    db.session.commit()
    return booking


def test_an_approved_extension_moves_the_return_and_reprices_at_the_booking_s_tariff(fleet):
    booking = _in_progress(fleet)
    referent = booking.beneficiary.referent
    extension = services.request_extension(booking, date(2026, 12, 18), referent)
    services.decide_extension(extension, True, referent)
    db.session.commit()
    assert extension.status == ExtensionStatus.APPROVED
    assert booking.ends_on == date(2026, 12, 18)
    assert (booking.days, booking.price_cents) == (12, 2000 + 2000)  # a week at the cap + 5 days capped
    assert booking.transitions[-1].action == "extend"


def test_an_extension_over_the_next_booking_is_refused_and_changes_nothing(fleet):
    booking = _in_progress(fleet)
    _prescribed(fleet, starts_on=date(2026, 12, 14), ends_on=date(2026, 12, 16), vehicle_id=fleet["car"].id)
    referent = booking.beneficiary.referent
    extension = services.request_extension(booking, date(2026, 12, 18), referent)
    db.session.commit()
    with pytest.raises(BookingError):
        services.decide_extension(extension, True, referent)
    db.session.rollback()
    db.session.refresh(booking)
    assert booking.ends_on == date(2026, 12, 11)


def test_refusing_an_extension_needs_a_reason(fleet):
    booking = _in_progress(fleet)
    referent = booking.beneficiary.referent
    extension = services.request_extension(booking, date(2026, 12, 18), referent)
    with pytest.raises(ReasonRequired):
        services.decide_extension(extension, False, referent, "")
    services.decide_extension(extension, False, referent, "Formation terminée le 11")
    assert extension.status == ExtensionStatus.REFUSED
    assert booking.ends_on == date(2026, 12, 11)


def test_stale_requests_expire_once_and_free_the_vehicle(fleet, frozen):
    person = eligible_beneficiary(TODAY)
    booking = services.request_booking(person, _details(fleet["site"]), UserFactory(beneficiary=True))
    db.session.commit()
    assert services.expire_stale_requests(NOW + timedelta(hours=71)) == 0
    assert services.expire_stale_requests(NOW + timedelta(hours=72)) == 1
    db.session.commit()
    assert services.expire_stale_requests(NOW + timedelta(hours=73)) == 0
    assert booking.status == BookingStatus.EXPIRED
    assert booking.transitions[-1].actor_id is None
    assert services.is_free(fleet["car"], booking.starts_at, booking.ends_at)


def test_the_first_person_waiting_is_offered_a_vehicle_that_frees_up_and_can_accept_it(fleet, frozen):
    taken = _prescribed(fleet)
    first, second = eligible_beneficiary(TODAY), eligible_beneficiary(TODAY)
    entry_first = services.join_queue(first, _details(fleet["site"]), first.referent)
    frozen.shift(60)
    entry_second = services.join_queue(second, _details(fleet["site"]), second.referent)
    db.session.commit()
    assert (services.queue_position(entry_first), services.queue_position(entry_second)) == (1, 2)
    services.cancel(taken, taken.beneficiary.referent, "Entretien reporté")
    db.session.commit()
    assert (entry_first.status, entry_second.status) == (WaitingStatus.OFFERED, WaitingStatus.WAITING)
    assert entry_first.offered_vehicle_id == fleet["car"].id
    booking = services.accept_offer(entry_first, first.referent)
    db.session.commit()
    assert (booking.vehicle_id, booking.status, entry_first.status) == (
        fleet["car"].id,
        BookingStatus.APPROVED,
        WaitingStatus.ACCEPTED,
    )


def test_an_offer_not_taken_in_time_goes_to_the_next_person(fleet, frozen):
    taken = _prescribed(fleet)
    first, second = eligible_beneficiary(TODAY), eligible_beneficiary(TODAY)
    entry_first = services.join_queue(first, _details(fleet["site"]), first.referent)
    entry_second = services.join_queue(second, _details(fleet["site"]), second.referent)
    services.cancel(taken, taken.beneficiary.referent, "Entretien reporté")
    db.session.commit()
    assert services.expire_offers(NOW + timedelta(hours=48)) == 1
    assert (entry_first.status, entry_second.status) == (WaitingStatus.EXPIRED, WaitingStatus.OFFERED)


def test_payments_make_the_balance_and_the_deposit_held(fleet):
    booking = _prescribed(fleet)
    staff = fleet["staff"]
    services.record_payment(booking, PaymentKind.RENTAL, 1500, PaymentMethod.CASH, TODAY, "R-0001", staff)
    services.record_payment(booking, PaymentKind.DEPOSIT, 15000, PaymentMethod.CHEQUE, TODAY, "R-0002", staff)
    services.record_payment(booking, PaymentKind.DEPOSIT_REFUND, 15000, PaymentMethod.CHEQUE, TODAY, "R-0003", staff)
    db.session.commit()
    assert (booking.paid_cents, booking.balance_cents, booking.deposit_held_cents) == (1500, 500, 0)
    with pytest.raises(BookingError) as refused:
        services.record_payment(booking, PaymentKind.RENTAL, 500, PaymentMethod.CASH, TODAY, "R-0001", staff)
    assert refused.value.field == "receipt_number"
    with pytest.raises(BookingError):
        services.record_payment(booking, PaymentKind.DEPOSIT_REFUND, 1, PaymentMethod.CASH, TODAY, "R-0004", staff)


def test_outcomes_are_due_at_the_end_then_at_3_and_6_months(fleet):
    booking = _in_progress(fleet)
    services.return_vehicle(booking, _handover(45200), fleet["staff"])
    referent = booking.beneficiary.referent
    end = date(2026, 12, 11)
    assert services.due_checkpoints(booking, end) == [OutcomeCheckpoint.AT_END]
    services.record_outcome(booking, OutcomeCheckpoint.AT_END, OutcomeResult.TRAINING, referent, end)
    with pytest.raises(BookingError):
        services.record_outcome(booking, OutcomeCheckpoint.AFTER_3_MONTHS, OutcomeResult.OTHER_JOB, referent, end)
    three_months = end + timedelta(days=90)
    assert services.due_checkpoints(booking, three_months) == [OutcomeCheckpoint.AFTER_3_MONTHS]
    services.record_outcome(booking, OutcomeCheckpoint.AFTER_3_MONTHS, OutcomeResult.DURABLE_JOB, referent, three_months)
    assert [o.result for o in booking.outcomes] == [OutcomeResult.TRAINING, OutcomeResult.DURABLE_JOB]


def test_a_new_tariff_takes_effect_later_and_never_changes_a_booking_s_price(fleet, frozen):
    booking = _prescribed(fleet)
    admin = UserFactory(admin=True)
    services.add_tariff(VehicleCategory.CAR, date(2026, 12, 1), 600, 3000, 9000, 20000, admin)
    db.session.commit()
    frozen.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    assert services.tariff_for(VehicleCategory.CAR, date(2026, 12, 1)).daily_cents == 600
    db.session.refresh(booking)
    assert booking.price_cents == 2000


def test_a_tariff_cannot_start_in_the_past_nor_twice_on_the_same_day(fleet):
    admin = UserFactory(admin=True)
    with pytest.raises(BookingError):
        services.add_tariff(VehicleCategory.CAR, TODAY - timedelta(days=1), 600, 3000, 9000, 20000, admin)
    services.add_tariff(VehicleCategory.CAR, TODAY, 600, 3000, 9000, 20000, admin)
    with pytest.raises(BookingError):
        services.add_tariff(VehicleCategory.CAR, TODAY, 700, 3000, 9000, 20000, admin)
    assert db.session.scalar(db.select(db.func.count(Tariff.id))) == 3


def test_without_any_tariff_a_request_is_refused_with_a_message(app, frozen):
    site = SiteFactory(orleans=True)
    VehicleFactory(site=site)
    person = eligible_beneficiary(TODAY)
    with pytest.raises(BookingError) as refused:
        services.request_booking(person, _details(site), person.referent)
    assert "tarif" in refused.value.message


def test_the_expire_bookings_command_expires_stale_requests_and_sends_the_messages(fleet, frozen, runner, mailbox):
    person = eligible_beneficiary(TODAY, email="personne@example.org")
    booking = services.request_booking(person, _details(fleet["site"]), UserFactory(beneficiary=True))
    db.session.commit()
    frozen.shift(timedelta(hours=73))
    result = runner.invoke(args=["expire-bookings"])
    assert result.exit_code == 0, result.output
    assert "1 request(s) expired, 0 offer(s) expired" in result.output
    db.session.refresh(booking)
    assert booking.status == BookingStatus.EXPIRED
    assert f"Votre demande de location {booking.reference} a expiré" in [m["Subject"] for m in mailbox.messages()]
    assert runner.invoke(args=["expire-bookings"]).output.startswith("0 request(s) expired")


# One state machine for extensions and the queue: a table, refusals, a log row per move ---------


def test_each_move_of_an_extension_is_logged_with_who_and_why(fleet):
    booking = _in_progress(fleet)
    referent = booking.beneficiary.referent
    extension = services.request_extension(booking, date(2026, 12, 18), referent)
    services.decide_extension(extension, False, referent, "Formation terminée le 11")
    db.session.commit()
    log = db.session.scalars(
        select(ExtensionTransition).where(ExtensionTransition.extension_id == extension.id).order_by(ExtensionTransition.id)
    ).all()
    assert [(row.action, row.from_status, row.to_status, row.actor_id, row.reason) for row in log] == [
        ("request", None, ExtensionStatus.PENDING, referent.id, None),
        ("refuse", ExtensionStatus.PENDING, ExtensionStatus.REFUSED, referent.id, "Formation terminée le 11"),
    ]


def test_an_extension_already_decided_cannot_be_decided_again_and_nothing_is_logged(fleet):
    booking = _in_progress(fleet)
    referent = booking.beneficiary.referent
    extension = services.request_extension(booking, date(2026, 12, 18), referent)
    services.decide_extension(extension, True, referent)
    db.session.commit()
    with pytest.raises(IllegalMove, match="déjà reçu une réponse"):
        services.decide_extension(extension, False, referent, "Trop tard")
    db.session.rollback()
    assert extension.status == ExtensionStatus.APPROVED
    assert db.session.scalar(
        select(func.count(ExtensionTransition.id)).where(ExtensionTransition.extension_id == extension.id)
    ) == 2


def test_the_extension_table_allows_only_request_then_one_decision():
    assert {key: rule.target for key, rule in EXTENSION_TRANSITIONS.items()} == {
        (None, ExtensionAction.REQUEST): ExtensionStatus.PENDING,
        (ExtensionStatus.PENDING, ExtensionAction.APPROVE): ExtensionStatus.APPROVED,
        (ExtensionStatus.PENDING, ExtensionAction.REFUSE): ExtensionStatus.REFUSED,
    }


def test_each_move_in_the_queue_is_logged_the_service_s_own_with_no_actor(fleet, frozen):
    taken = _prescribed(fleet)
    person = eligible_beneficiary(TODAY)
    entry = services.join_queue(person, _details(fleet["site"]), person.referent)
    services.cancel(taken, taken.beneficiary.referent, "Entretien reporté")
    services.accept_offer(entry, person.referent)
    db.session.commit()
    log = db.session.scalars(
        select(WaitingTransition).where(WaitingTransition.entry_id == entry.id).order_by(WaitingTransition.id)
    ).all()
    assert [(row.action, row.from_status, row.to_status, row.actor_id) for row in log] == [
        ("join", None, WaitingStatus.WAITING, person.referent.id),
        ("offer", WaitingStatus.WAITING, WaitingStatus.OFFERED, None),
        ("accept", WaitingStatus.OFFERED, WaitingStatus.ACCEPTED, person.referent.id),
    ]


def test_a_place_no_longer_in_the_queue_cannot_be_withdrawn_or_accepted_and_nothing_changes(fleet, frozen):
    person = eligible_beneficiary(TODAY)
    entry = services.join_queue(person, _details(fleet["site"]), person.referent)
    services.withdraw_from_queue(entry, person.referent)
    db.session.commit()
    with pytest.raises(BookingError, match="n'est plus dans la file"):
        services.withdraw_from_queue(entry, person.referent)
    db.session.rollback()
    with pytest.raises(BookingError, match="n'est plus valable"):
        services.accept_offer(entry, person.referent)
    db.session.rollback()
    assert entry.status == WaitingStatus.WITHDRAWN
    assert db.session.scalar(select(func.count(WaitingTransition.id)).where(WaitingTransition.entry_id == entry.id)) == 2


@pytest.mark.parametrize("status", list(WaitingStatus), ids=lambda s: s.value)
def test_the_queue_table_refuses_every_move_it_does_not_hold(app, status):
    for action in QueueAction:
        if (status, action) in QUEUE_TRANSITIONS:
            continue
        entry = WaitingEntry(status=status)
        with pytest.raises(DomainError):
            queue_move(entry, action, None)
        assert entry.status is status


def test_queue_places_of_a_whole_list_come_in_one_statement_and_skip_who_left(app, fleet, frozen):
    from sqlalchemy import event

    waiting = []
    for _ in range(4):
        person = eligible_beneficiary(TODAY)
        waiting.append(services.join_queue(person, _details(fleet["site"]), person.referent))
        frozen.shift(60)
    licence_free = eligible_beneficiary(TODAY)
    other_queue = services.join_queue(
        licence_free, _details(fleet["site"], category=VehicleCategory.VSP), licence_free.referent
    )
    db.session.commit()
    services.withdraw_from_queue(waiting[1], waiting[1].beneficiary.referent)
    db.session.commit()
    listed = [*waiting, other_queue]
    assert WaitingStatus.WITHDRAWN in {entry.status for entry in listed}  # loaded, as a page's list is
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        positions = services.queue_positions(listed)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 1
    assert positions == {waiting[0].id: 1, waiting[2].id: 2, waiting[3].id: 3, other_queue.id: 1}
    assert [services.queue_position(entry) for entry in (waiting[0], waiting[3])] == [1, 3]
