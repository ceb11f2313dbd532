"""The booking state machine (DESIGN §4): one table of allowed moves, and who may make them.

Services call `move()`; it refuses a move the table does not hold, logs the move with who,
when and why, and queues the messages that go with it. Which particular booking a person may
touch (their own, their organisation's, their association's) is checked by the loaders in
`access`, before any move.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from mobility.auth.models import Role, User
from mobility.booking.models import Booking, BookingStatus, BookingTransition
from mobility.core.time import utcnow
from mobility.extensions import db

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
}


@dataclass(frozen=True)
class Move:
    target: BookingStatus
    roles: frozenset[Role]  # who may make it; an empty set: only the service itself
    reason_required: bool = False


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


STAFF = _roles(Role.REFERENT, Role.FLEET, Role.ADMIN)

# The one table of allowed moves: (status now, action) -> what it becomes and who may do it.
TRANSITIONS: dict[tuple[BookingStatus | None, Action], Move] = {
    (None, Action.SUBMIT): Move(S.REQUESTED, _roles(Role.BENEFICIARY)),
    (None, Action.PRESCRIBE): Move(S.APPROVED, _roles(Role.REFERENT, Role.ADMIN)),
    (S.REQUESTED, Action.APPROVE): Move(S.APPROVED, _roles(Role.REFERENT, Role.ADMIN)),
    (S.REQUESTED, Action.REJECT): Move(S.REJECTED, _roles(Role.REFERENT, Role.ADMIN), reason_required=True),
    (S.REQUESTED, Action.EXPIRE): Move(S.EXPIRED, _roles()),
    (S.REQUESTED, Action.CANCEL): Move(S.CANCELLED, _roles(Role.BENEFICIARY) | STAFF),
    (S.APPROVED, Action.CONFIRM): Move(S.CONFIRMED, _roles(Role.FLEET, Role.ADMIN)),
    (S.APPROVED, Action.CANCEL): Move(S.CANCELLED, _roles(Role.BENEFICIARY) | STAFF),
    (S.CONFIRMED, Action.CHECK_OUT): Move(S.IN_PROGRESS, _roles(Role.FLEET, Role.ADMIN)),
    (S.CONFIRMED, Action.NO_SHOW): Move(S.NO_SHOW, _roles(Role.FLEET, Role.ADMIN)),
    (S.CONFIRMED, Action.CANCEL): Move(S.CANCELLED, _roles(Role.BENEFICIARY) | STAFF),
    (S.IN_PROGRESS, Action.RETURN): Move(S.RETURNED, _roles(Role.FLEET, Role.ADMIN)),
    (S.IN_PROGRESS, Action.EXTEND): Move(S.IN_PROGRESS, _roles(Role.REFERENT, Role.ADMIN)),
}

# Staff must say why they cancel; the person cancelling their own booking need not.
STAFF_CANCEL_NEEDS_REASON = True


class IllegalMove(Exception):
    """A move the table does not allow from the booking's status, or not for this role."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ReasonRequired(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def allowed_actions(booking: Booking | None, role: Role) -> list[Action]:
    status = booking.status if booking is not None else None
    return [action for (source, action), move in TRANSITIONS.items() if source == status and role in move.roles]


def can(booking: Booking, action: Action, role: Role) -> bool:
    move = TRANSITIONS.get((booking.status, action))
    return move is not None and role in move.roles


def _illegal(booking: Booking | None, action: Action) -> IllegalMove:
    if booking is None:
        return IllegalMove(str(_l("Cette action n'est pas possible.")))
    return IllegalMove(
        str(
            _l(
                "Action impossible : la location %(reference)s est « %(status)s » (%(action)s n'est pas permis à ce stade).",
                reference=booking.reference,
                status=booking.status.label,
                action=action.label.lower(),
            )
        )
    )


def move(
    booking: Booking,
    action: Action,
    actor: User | None,
    reason: str | None = None,
    *,
    creating: bool = False,
) -> BookingTransition:
    """Apply `action` to `booking` (flushes, never commits) and log it.

    actor None means the service itself (expiry, scheduled jobs): only moves open to no role.
    """
    source = None if creating else booking.status
    rule = TRANSITIONS.get((source, action))
    if rule is None:
        raise _illegal(None if creating else booking, action)
    if actor is None:
        if rule.roles:
            raise _illegal(booking, action)
    elif actor.role not in rule.roles:
        raise _illegal(None if creating else booking, action)
    reason = (reason or "").strip() or None
    needs_reason = rule.reason_required or (
        action == Action.CANCEL and actor is not None and actor.role != Role.BENEFICIARY and STAFF_CANCEL_NEEDS_REASON
    )
    if needs_reason and not reason:
        raise ReasonRequired(str(_l("Indiquez la raison : la personne la lira.")))
    booking.status = rule.target
    transition = BookingTransition(
        booking=booking,
        action=action.value,
        from_status=source,
        to_status=rule.target,
        actor_id=actor.id if actor is not None else None,
        reason=reason,
        occurred_at=utcnow(),
    )
    db.session.add(transition)
    return transition
