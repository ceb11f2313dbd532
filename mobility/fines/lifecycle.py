"""The fine's state machine: one table of allowed moves (mobility.core.statemachine), each
move logged in fine_transition.

received -> driver_identified -> designated (with ANTAI's confirmation reference and date);
from received or driver_identified: contested (reason required), paid_by_association (a
parking fine, nobody had the vehicle, or the association chose to); any of these -> closed
(closing an avis still open needs a reason: it was cancelled, sent in error…).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from mobility.auth.models import Role, User
from mobility.core.statemachine import Move, StateMachine, log_rows, roles
from mobility.fines.models import Fine, FineAction, FineStatus, FineTransition

S = FineStatus
A = FineAction
FLEET = roles(Role.FLEET)

TRANSITIONS: dict[tuple[FineStatus | None, FineAction], Move] = {
    (None, A.RECORD): Move(S.RECEIVED, FLEET),
    (S.RECEIVED, A.IDENTIFY): Move(S.DRIVER_IDENTIFIED, FLEET),
    (S.DRIVER_IDENTIFIED, A.DESIGNATE): Move(S.DESIGNATED, FLEET),
    (S.RECEIVED, A.CONTEST): Move(S.CONTESTED, FLEET, reason_by=FLEET),
    (S.DRIVER_IDENTIFIED, A.CONTEST): Move(S.CONTESTED, FLEET, reason_by=FLEET),
    (S.RECEIVED, A.PAY): Move(S.PAID_BY_ASSOCIATION, FLEET),
    (S.DRIVER_IDENTIFIED, A.PAY): Move(S.PAID_BY_ASSOCIATION, FLEET),
    (S.RECEIVED, A.CLOSE): Move(S.CLOSED, FLEET, reason_by=FLEET),
    (S.DRIVER_IDENTIFIED, A.CLOSE): Move(S.CLOSED, FLEET, reason_by=FLEET),
    (S.DESIGNATED, A.CLOSE): Move(S.CLOSED, FLEET),
    (S.CONTESTED, A.CLOSE): Move(S.CLOSED, FLEET),
    (S.PAID_BY_ASSOCIATION, A.CLOSE): Move(S.CLOSED, FLEET),
}


def _illegal_message(fine: Fine | None, action: FineAction) -> str:
    if fine is None:
        return str(_l("Cette action n'est pas possible."))
    return str(
        _l(
            "Action impossible : l'amende %(reference)s est « %(status)s » (« %(action)s » n'est pas permis à ce stade).",
            reference=fine.reference,
            status=fine.status.label,
            action=action.label.lower(),
        )
    )



MACHINE = StateMachine(
    TRANSITIONS,
    log=log_rows(FineTransition, "fine", action_as_value=False),
    illegal_message=_illegal_message,
    reason_message=lambda action: str(_l("Indiquez la raison : elle reste dans l'historique de l'amende.")),
)


def move(fine: Fine, action: FineAction, actor: User | None, reason: str | None = None, *, creating: bool = False):
    return MACHINE.move(fine, action, actor, reason, creating=creating)


def allowed_actions(fine: Fine, role: Role) -> list[FineAction]:
    return MACHINE.allowed_actions(fine, role)
