"""The booking state machine (DESIGN §4): one table of allowed moves, and who may make them.

Services call `move()`; it refuses a move the table does not hold, logs the move with who,
when and why, and queues the messages that go with it. Which particular booking a person may
touch (their own, their organisation's, their association's) is checked by the loaders in
`access`, before any move.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from mobility.auth.models import Role, User
from mobility.booking.models import Booking, BookingStatus, BookingTransition
from mobility.core.statemachine import IllegalMove, Move, ReasonRequired, StateMachine, log_rows, roles

S = BookingStatus


class Action(enum.Enum):
    SUBMIT = "submit"  # a beneficiary asks
    PRESCRIBE = "prescribe"  # a référent asks for someone they follow: approved at once
    APPROVE = "approve"
    REJECT = "reject"
    EXPIRE = "expire"
    CANCEL = "cancel"
    CONFIRM = "confirm"
    CHECK_OUT = "check_out"
    NO_SHOW = "no_show"
    RETURN = "return"
    EXTEND = "extend"
    REPLACE_VEHICLE = "replace_vehicle"  # after an incident: another vehicle for the rest

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])


ACTION_LABELS = {
    Action.SUBMIT: _l("Demande envoyée"),
    Action.PRESCRIBE: _l("Demande faite par le référent (validée d'office)"),
    Action.APPROVE: _l("Demande validée par le référent"),
    Action.REJECT: _l("Demande refusée"),
    Action.EXPIRE: _l("Demande expirée faute de validation"),
    Action.CANCEL: _l("Location annulée"),
    Action.CONFIRM: _l("Réservation confirmée par l'association"),
    Action.CHECK_OUT: _l("Véhicule remis"),
    Action.NO_SHOW: _l("Personne non présentée au rendez-vous"),
    Action.RETURN: _l("Véhicule rendu"),
    Action.EXTEND: _l("Prolongation acceptée"),
    Action.REPLACE_VEHICLE: _l("Véhicule remplacé après un incident"),
}


STAFF = roles(Role.REFERENT, Role.FLEET, Role.ADMIN)
BENEFICIARY_OR_STAFF = roles(Role.BENEFICIARY) | STAFF

# The one table of allowed moves: (status now, action) -> what it becomes, who may do it, and
# who must say why. Staff must say why they cancel; the person cancelling their own booking
# need not.
TRANSITIONS: dict[tuple[BookingStatus | None, Action], Move] = {
    (None, Action.SUBMIT): Move(S.REQUESTED, roles(Role.BENEFICIARY)),
    (None, Action.PRESCRIBE): Move(S.APPROVED, roles(Role.REFERENT, Role.ADMIN)),
    (S.REQUESTED, Action.APPROVE): Move(S.APPROVED, roles(Role.REFERENT, Role.ADMIN)),
    (S.REQUESTED, Action.REJECT): Move(
        S.REJECTED, roles(Role.REFERENT, Role.ADMIN), reason_by=roles(Role.REFERENT, Role.ADMIN)
    ),
    (S.REQUESTED, Action.EXPIRE): Move(S.EXPIRED, roles()),
    (S.REQUESTED, Action.CANCEL): Move(S.CANCELLED, BENEFICIARY_OR_STAFF, reason_by=STAFF),
    (S.APPROVED, Action.CONFIRM): Move(S.CONFIRMED, roles(Role.FLEET, Role.ADMIN)),
    (S.APPROVED, Action.CANCEL): Move(S.CANCELLED, BENEFICIARY_OR_STAFF, reason_by=STAFF),
    (S.CONFIRMED, Action.CHECK_OUT): Move(S.IN_PROGRESS, roles(Role.FLEET, Role.ADMIN)),
    (S.CONFIRMED, Action.NO_SHOW): Move(S.NO_SHOW, roles(Role.FLEET, Role.ADMIN)),
    (S.CONFIRMED, Action.CANCEL): Move(S.CANCELLED, BENEFICIARY_OR_STAFF, reason_by=STAFF),
    (S.IN_PROGRESS, Action.RETURN): Move(S.RETURNED, roles(Role.FLEET, Role.ADMIN)),
    (S.IN_PROGRESS, Action.EXTEND): Move(S.IN_PROGRESS, roles(Role.REFERENT, Role.ADMIN)),
    (S.IN_PROGRESS, Action.REPLACE_VEHICLE): Move(S.IN_PROGRESS, roles(Role.FLEET, Role.ADMIN)),
}


def _illegal_message(booking: Booking | None, action: Action) -> str:
    if booking is None:
        return str(_l("Cette action n'est pas possible."))
    return str(
        _l(
            "Action impossible : la location %(reference)s est « %(status)s » (%(action)s n'est pas permis à ce stade).",
            reference=booking.reference,
            status=booking.status.label,
            action=action.label.lower(),
        )
    )



MACHINE = StateMachine(TRANSITIONS, log=log_rows(BookingTransition, "booking"), illegal_message=_illegal_message)


def allowed_actions(booking: Booking | None, role: Role) -> list[Action]:
    return MACHINE.allowed_actions(booking, role)


def can(booking: Booking, action: Action, role: Role) -> bool:
    return MACHINE.can(booking, action, role)


def move(
    booking: Booking,
    action: Action,
    actor: User | None,
    reason: str | None = None,
    *,
    creating: bool = False,
) -> BookingTransition:
    """Apply `action` to `booking` (never commits) and log it.

    actor None means the service itself (expiry, scheduled jobs): only moves open to no role.
    """
    return MACHINE.move(booking, action, actor, reason, creating=creating)


__all__ = ["Action", "IllegalMove", "ReasonRequired", "TRANSITIONS", "allowed_actions", "can", "move"]
