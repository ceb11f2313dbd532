"""The incident's state machine: reported → off the road → repaired → closed, each move logged."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from mobility.auth.models import Role, User
from mobility.core.statemachine import IllegalMove, Move, StateMachine, log_rows, roles
from mobility.incidents.models import Incident, IncidentStatus, IncidentTransition

S = IncidentStatus


class IncidentAction(enum.Enum):
    REPORT = "report"  # recorded, the vehicle still usable (or not yet taken off the road)
    REPORT_OFF_ROAD = "report_off_road"  # recorded by staff with the vehicle taken off the road
    TAKE_OFF_ROAD = "take_off_road"
    MARK_REPAIRED = "mark_repaired"
    CLOSE = "close"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])


ACTION_LABELS = {
    IncidentAction.REPORT: _l("Incident signalé"),
    IncidentAction.REPORT_OFF_ROAD: _l("Incident signalé, véhicule immobilisé"),
    IncidentAction.TAKE_OFF_ROAD: _l("Véhicule immobilisé"),
    IncidentAction.MARK_REPAIRED: _l("Véhicule réparé, de nouveau disponible"),
    IncidentAction.CLOSE: _l("Incident clos"),
}

STAFF = roles(Role.FLEET, Role.ADMIN)

TRANSITIONS: dict[tuple[IncidentStatus | None, IncidentAction], Move] = {
    (None, IncidentAction.REPORT): Move(S.REPORTED, STAFF | roles(Role.BENEFICIARY)),
    (None, IncidentAction.REPORT_OFF_ROAD): Move(S.OFF_ROAD, STAFF),
    (S.REPORTED, IncidentAction.TAKE_OFF_ROAD): Move(S.OFF_ROAD, STAFF),
    (S.OFF_ROAD, IncidentAction.MARK_REPAIRED): Move(S.REPAIRED, STAFF),
    (S.REPORTED, IncidentAction.CLOSE): Move(S.CLOSED, STAFF, reason_by=STAFF),
    (S.REPAIRED, IncidentAction.CLOSE): Move(S.CLOSED, STAFF),
}


def _illegal_message(incident: Incident | None, action: IncidentAction) -> str:
    if incident is None:
        return str(_l("Cette action n'est pas possible."))
    return str(
        _l(
            "Action impossible : l'incident %(reference)s est « %(status)s » (%(action)s n'est pas permis à ce stade).",
            reference=incident.reference,
            status=incident.status.label,
            action=action.label.lower(),
        )
    )



MACHINE = StateMachine(TRANSITIONS, log=log_rows(IncidentTransition, "incident"), illegal_message=_illegal_message)


def move(incident: Incident, action: IncidentAction, actor: User | None, reason: str | None = None, *,
         creating: bool = False) -> IncidentTransition:
    return MACHINE.move(incident, action, actor, reason, creating=creating)


def can(incident: Incident, action: IncidentAction, role: Role) -> bool:
    return MACHINE.can(incident, action, role)


__all__ = ["IllegalMove", "IncidentAction", "TRANSITIONS", "can", "move"]
