"""The state machine: one table of allowed moves (DESIGN §4), everything else refused and logged."""

from __future__ import annotations

import pytest

from mobility.auth.models import Role
from mobility.booking.lifecycle import TRANSITIONS, Action, IllegalMove, ReasonRequired, allowed_actions, can, move
from mobility.booking.eligibility import NotEligible
from mobility.booking.models import BookingStatus, BookingTransition
from mobility.booking.services import BookingError, VehicleTaken
from mobility.core.errors import Conflict, DomainError, Invalid, Refused
from mobility.extensions import db
from mobility.fleet.services import FleetError
from tests.booking.factories import BookingFactory
from tests.factories import UserFactory

S = BookingStatus

# DESIGN §4, written out once more by hand: the table in the code must say exactly this.
EXPECTED = {
    (None, Action.SUBMIT): S.REQUESTED,
    (None, Action.PRESCRIBE): S.APPROVED,
    (S.REQUESTED, Action.APPROVE): S.APPROVED,
    (S.REQUESTED, Action.REJECT): S.REJECTED,
    (S.REQUESTED, Action.EXPIRE): S.EXPIRED,
    (S.REQUESTED, Action.CANCEL): S.CANCELLED,
    (S.APPROVED, Action.CONFIRM): S.CONFIRMED,
    (S.APPROVED, Action.CANCEL): S.CANCELLED,
    (S.CONFIRMED, Action.CHECK_OUT): S.IN_PROGRESS,
    (S.CONFIRMED, Action.CANCEL): S.CANCELLED,
    (S.CONFIRMED, Action.NO_SHOW): S.NO_SHOW,
    (S.IN_PROGRESS, Action.RETURN): S.RETURNED,
    (S.IN_PROGRESS, Action.EXTEND): S.IN_PROGRESS,
    # After an incident, another vehicle for the rest of the rental.
    (S.IN_PROGRESS, Action.REPLACE_VEHICLE): S.IN_PROGRESS,
}


def test_the_transition_table_is_the_lifecycle_of_the_design():
    assert {key: rule.target for key, rule in TRANSITIONS.items()} == EXPECTED


def test_final_statuses_allow_no_move_at_all():
    for status in (S.RETURNED, S.REJECTED, S.EXPIRED, S.CANCELLED, S.NO_SHOW):
        assert not [action for (source, action) in TRANSITIONS if source == status], status


def test_expiry_is_the_service_s_move_only():
    assert TRANSITIONS[(S.REQUESTED, Action.EXPIRE)].roles == frozenset()


@pytest.mark.parametrize(
    "role, expected",
    [
        (Role.BENEFICIARY, [Action.CANCEL]),
        (Role.REFERENT, [Action.APPROVE, Action.REJECT, Action.CANCEL]),
        (Role.FLEET, [Action.CANCEL]),
        (Role.ADMIN, [Action.APPROVE, Action.REJECT, Action.CANCEL]),
    ],
    ids=lambda v: getattr(v, "value", None) or "",
)
def test_who_may_do_what_on_a_request(app, role, expected):
    booking = BookingFactory(status=S.REQUESTED)
    assert allowed_actions(booking, role) == expected


def test_only_fleet_staff_and_admins_confirm_and_hand_over(app):
    approved = BookingFactory(status=S.APPROVED)
    assert can(approved, Action.CONFIRM, Role.FLEET)
    assert not can(approved, Action.CONFIRM, Role.REFERENT)
    assert not can(approved, Action.CONFIRM, Role.BENEFICIARY)


ILLEGAL_MOVES = [
    (status, action)
    for status in S
    for action in Action
    if action not in (Action.SUBMIT, Action.PRESCRIBE) and (status, action) not in EXPECTED
]


@pytest.mark.parametrize(
    "status, action", ILLEGAL_MOVES, ids=[f"{s.value}-{a.value}" for s, a in ILLEGAL_MOVES]
)
def test_every_move_not_in_the_table_is_refused_and_changes_nothing(app, status, action):
    admin = UserFactory(admin=True)
    booking = BookingFactory(status=status)
    before = db.session.scalar(db.select(db.func.count(BookingTransition.id)))
    with pytest.raises(IllegalMove) as refused:
        move(booking, action, admin, reason="raison")
    assert booking.reference in refused.value.message
    assert booking.status == status
    assert db.session.scalar(db.select(db.func.count(BookingTransition.id))) == before


def test_a_role_outside_the_move_s_roles_is_refused(app):
    beneficiary_user = UserFactory(beneficiary=True)
    booking = BookingFactory(status=S.REQUESTED)
    with pytest.raises(IllegalMove):
        move(booking, Action.APPROVE, beneficiary_user)
    assert booking.status == S.REQUESTED


def test_a_move_is_logged_with_who_when_and_why(app):
    referent = UserFactory()
    booking = BookingFactory(status=S.REQUESTED)
    move(booking, Action.REJECT, referent, reason="  Permis non valable sur ces dates  ")
    db.session.commit()
    last = booking.transitions[-1]
    assert (last.action, last.from_status, last.to_status, last.actor_id, last.reason) == (
        "reject",
        S.REQUESTED,
        S.REJECTED,
        referent.id,
        "Permis non valable sur ces dates",
    )
    assert last.occurred_at is not None


def test_a_rejection_needs_a_reason(app):
    booking = BookingFactory(status=S.REQUESTED)
    with pytest.raises(ReasonRequired):
        move(booking, Action.REJECT, UserFactory(), reason="   ")
    assert booking.status == S.REQUESTED


def test_staff_must_say_why_they_cancel_but_the_person_need_not(app):
    staff_cancel = BookingFactory(status=S.CONFIRMED)
    with pytest.raises(ReasonRequired):
        move(staff_cancel, Action.CANCEL, UserFactory(fleet=True))
    own = BookingFactory(status=S.CONFIRMED)
    move(own, Action.CANCEL, UserFactory(beneficiary=True))
    assert own.status == S.CANCELLED


def test_the_service_itself_may_expire_a_request_but_not_approve_it(app):
    booking = BookingFactory(status=S.REQUESTED)
    with pytest.raises(IllegalMove):
        move(booking, Action.APPROVE, None)
    move(booking, Action.EXPIRE, None)
    assert booking.status == S.EXPIRED
    assert booking.transitions[-1].actor_id is None


def test_the_table_says_who_must_give_a_reason_staff_cancelling_and_rejecting():
    staff = frozenset({Role.REFERENT, Role.FLEET, Role.ADMIN})
    for status in (S.REQUESTED, S.APPROVED, S.CONFIRMED):
        assert TRANSITIONS[(status, Action.CANCEL)].reason_by == staff
    assert TRANSITIONS[(S.REQUESTED, Action.REJECT)].reason_by == frozenset({Role.REFERENT, Role.ADMIN})
    assert not [key for key, rule in TRANSITIONS.items() if Role.BENEFICIARY in rule.reason_by]


def test_booking_refusals_belong_to_the_one_domain_error_family():
    assert issubclass(BookingError, Refused) and issubclass(FleetError, Refused)
    assert issubclass(VehicleTaken, DomainError) and issubclass(NotEligible, Refused)
    assert issubclass(IllegalMove, Conflict) and issubclass(ReasonRequired, Invalid)
