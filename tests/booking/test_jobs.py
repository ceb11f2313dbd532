"""The booking jobs, with frozen time: each message once, each row once, nothing sent late."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from mobility.booking import jobs
from mobility.booking.models import Booking, BookingStatus, Outcome, OutcomeCheckpoint, OutcomeResult, WaitingEntry, WaitingStatus
from mobility.booking.models import Purpose
from mobility.core.time import PARIS
from mobility.extensions import db
from mobility.notify.models import ContactChoice, OutboxMessage
from tests.booking.factories import BookingFactory
from tests.factories import BeneficiaryFactory, UserFactory
from tests.fleet.factories import VehicleFactory

UTC = timezone.utc


def _paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def _messages(template: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        query = query.where(OutboxMessage.template == template)
    return list(db.session.scalars(query))


def _run(job, now) -> dict:
    summary = job(now)
    db.session.commit()
    return summary


def _person(**overrides):
    values = {"email": "personne@example.org", "phone": "06 12 34 56 78", "contact_channel": ContactChoice.BOTH}
    values.update(overrides)
    return BeneficiaryFactory(**values)


# Pickup and return reminders ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pickup", "evening_before"),
    [
        ((2026, 12, 7, 9, 0), (2026, 12, 6, 18, 0)),
        # The clock goes back on Sunday 25 October 2026 and forward on Sunday 29 March 2026.
        ((2026, 10, 26, 9, 0), (2026, 10, 25, 18, 0)),
        ((2026, 3, 30, 9, 0), (2026, 3, 29, 18, 0)),
        ((2026, 10, 25, 9, 0), (2026, 10, 24, 18, 0)),
    ],
    ids=["ordinary", "day after autumn change", "day after spring change", "autumn change day"],
)
def test_the_pickup_reminder_leaves_the_evening_before_once(app, time_machine, pickup, evening_before):
    time_machine.move_to(_paris(*evening_before) - timedelta(days=3), tick=False)
    starts = _paris(*pickup)
    booking = BookingFactory(beneficiary=_person(), starts_at=starts, ends_at=starts + timedelta(days=4))
    time_machine.move_to(_paris(*evening_before), tick=False)
    assert _run(jobs.pickup_reminders, _paris(*evening_before)) == {"rows": 1, "dropped": 0}
    assert _run(jobs.pickup_reminders, _paris(*evening_before) + timedelta(minutes=30))["rows"] == 0
    sent = _messages("pickup_reminder")
    assert [(m.channel, m.recipient) for m in sent] == [("email", "personne@example.org"), ("sms", "+33612345678")]
    assert booking.reference in sent[0].subject
    assert "Pour joindre l'association" in sent[0].body_text  # who to call: the association


def test_a_pickup_reminder_missed_during_an_outage_is_dropped_and_counted_not_sent_late(app, time_machine):
    time_machine.move_to(_paris(2026, 12, 1, 10, 0), tick=False)
    BookingFactory(beneficiary=_person())  # Monday 7 December, 9:00
    # The scheduler was down on Sunday evening; it runs again on Monday at 8:00.
    assert _run(jobs.pickup_reminders, _paris(2026, 12, 7, 8, 0)) == {"rows": 0, "dropped": 1}
    assert _messages() == []


def test_no_reminder_for_a_booking_that_is_not_confirmed(app, time_machine):
    time_machine.move_to(_paris(2026, 12, 1, 10, 0), tick=False)
    BookingFactory(beneficiary=_person(), status=BookingStatus.APPROVED)
    assert _run(jobs.pickup_reminders, _paris(2026, 12, 6, 18, 0))["rows"] == 0


def test_the_return_reminder_leaves_the_evening_before_the_end(app, time_machine):
    time_machine.move_to(_paris(2026, 12, 1, 10, 0), tick=False)
    BookingFactory(beneficiary=_person(contact_channel=ContactChoice.SMS), status=BookingStatus.IN_PROGRESS)
    assert _run(jobs.return_reminders, _paris(2026, 12, 10, 18, 10))["rows"] == 1
    assert _run(jobs.return_reminders, _paris(2026, 12, 10, 18, 40))["rows"] == 0
    (sms,) = _messages("return_reminder")
    assert sms.channel == "sms" and len(sms.body_text) <= 160 and sms.body_text.endswith(
        f"/locations/{db.session.scalar(select(Booking.id))}"
    )


# Overdue returns ---------------------------------------------------------------------------


def test_an_overdue_return_is_told_to_staff_and_referent_once_a_day(app, time_machine):
    time_machine.move_to(_paris(2026, 12, 1, 10, 0), tick=False)
    booking = BookingFactory(beneficiary=_person(), status=BookingStatus.IN_PROGRESS)
    staff = UserFactory(fleet=True, organisation=booking.vehicle.association, email="staff@example.org")
    referent_email = booking.beneficiary.referent.email
    db.session.commit()
    assert _run(jobs.flag_overdue_returns, _paris(2026, 12, 11, 16, 20))["rows"] == 0  # not late yet
    assert _run(jobs.flag_overdue_returns, _paris(2026, 12, 11, 18, 20))["rows"] == 1
    assert _run(jobs.flag_overdue_returns, _paris(2026, 12, 11, 19, 20))["rows"] == 0
    assert sorted(m.recipient for m in _messages("overdue_return")) == sorted([staff.email, referent_email])
    assert _run(jobs.flag_overdue_returns, _paris(2026, 12, 12, 8, 20))["rows"] == 1  # the next day
    assert len(_messages("overdue_return")) == 4


# Stale requests and the waiting queue ------------------------------------------------------


def test_stale_requests_expire_once_and_people_are_told(app, time_machine):
    time_machine.move_to(_paris(2026, 12, 1, 10, 0), tick=False)
    booking = BookingFactory(
        beneficiary=_person(), status=BookingStatus.REQUESTED, expires_at=_paris(2026, 12, 4, 10, 0)
    )
    assert _run(jobs.expire_stale_requests, _paris(2026, 12, 4, 9, 5))["rows"] == 0
    assert _run(jobs.expire_stale_requests, _paris(2026, 12, 4, 10, 5))["rows"] == 1
    assert _run(jobs.expire_stale_requests, _paris(2026, 12, 4, 11, 5))["rows"] == 0
    db.session.refresh(booking)
    assert booking.status is BookingStatus.EXPIRED
    templates = [m.template for m in _messages()]
    assert "booking_beneficiary" in templates and "booking_referent" in templates


def _waiting(beneficiary, vehicle, created_at, status=WaitingStatus.WAITING, **extra):
    entry = WaitingEntry(
        beneficiary=beneficiary, basin_id=vehicle.site.basin_id, category=vehicle.category,
        starts_at=_paris(2026, 12, 14, 9, 0), ends_at=_paris(2026, 12, 18, 17, 0), purpose=Purpose.JOB,
        status=status, created_at=created_at, **extra,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def test_a_waiting_offer_is_sent_once_and_goes_to_the_next_person_when_not_taken(app, time_machine):
    now = _paris(2026, 12, 1, 10, 0)
    time_machine.move_to(now, tick=False)
    vehicle = VehicleFactory()
    first = _waiting(_person(email="first@example.org", phone=None), vehicle, now - timedelta(days=2),
                     status=WaitingStatus.OFFERED, offered_vehicle=vehicle, offer_expires_at=now + timedelta(hours=48))
    second = _waiting(_person(email="second@example.org", phone=None), vehicle, now - timedelta(days=1))
    assert _run(jobs.offer_waiting_queue, now)["rows"] == 1
    assert _run(jobs.offer_waiting_queue, now + timedelta(minutes=15))["rows"] == 0
    assert [m.recipient for m in _messages("waiting_offer")] == ["first@example.org"]
    # Not taken within the delay: the next person is offered the vehicle, and told once.
    later = now + timedelta(hours=48, minutes=15)
    time_machine.move_to(later, tick=False)
    assert _run(jobs.offer_waiting_queue, later)["rows"] == 2  # one offer expired, one made and told
    assert _run(jobs.offer_waiting_queue, later + timedelta(minutes=15))["rows"] == 0
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.status, second.status) == (WaitingStatus.EXPIRED, WaitingStatus.OFFERED)
    assert [m.recipient for m in _messages("waiting_offer")] == ["first@example.org", "second@example.org"]


# Digests -----------------------------------------------------------------------------------


def test_each_referent_gets_one_digest_of_pending_approvals_a_day(app, time_machine):
    time_machine.move_to(_paris(2026, 12, 1, 7, 0), tick=False)
    referent = UserFactory()
    for _ in range(3):
        BookingFactory(beneficiary=BeneficiaryFactory(referent=referent), status=BookingStatus.REQUESTED,
                       vehicle=VehicleFactory())
    BookingFactory(beneficiary=BeneficiaryFactory(), status=BookingStatus.CONFIRMED)
    assert _run(jobs.pending_approvals_digest, _paris(2026, 12, 1, 8, 0))["rows"] == 1
    assert _run(jobs.pending_approvals_digest, _paris(2026, 12, 1, 9, 0))["rows"] == 0
    (digest,) = _messages("approvals_digest")
    assert digest.recipient == referent.email and digest.subject.startswith("3 demandes")
    assert _run(jobs.pending_approvals_digest, _paris(2026, 12, 2, 8, 0))["rows"] == 1


def test_overdue_outcome_checkpoints_come_in_one_daily_digest_per_referent(app, time_machine):
    time_machine.move_to(_paris(2026, 12, 1, 7, 0), tick=False)
    referent = UserFactory()
    ended = []
    for days_ago in (95, 190, 30):  # 3 months late, 6 months late (3 months done), too recent
        end = _paris(2026, 12, 1, 17, 0) - timedelta(days=days_ago)
        ended.append(BookingFactory(beneficiary=BeneficiaryFactory(referent=referent), vehicle=VehicleFactory(),
                                    status=BookingStatus.RETURNED, starts_at=end - timedelta(days=4), ends_at=end))
    db.session.add(Outcome(booking=ended[1], checkpoint=OutcomeCheckpoint.AFTER_3_MONTHS,
                           result=OutcomeResult.TRAINING, recorded_on=ended[1].ends_on + timedelta(days=91)))
    db.session.commit()
    assert _run(jobs.checkpoints_digest, _paris(2026, 12, 1, 7, 40))["rows"] == 1
    assert _run(jobs.checkpoints_digest, _paris(2026, 12, 1, 8, 40))["rows"] == 0
    (digest,) = _messages("checkpoints_digest")
    assert digest.subject.startswith("2 suites")
    assert ended[0].reference in digest.body_text and ended[1].reference in digest.body_text
    assert ended[2].reference not in digest.body_text
