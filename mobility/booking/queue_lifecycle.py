"""The life of a place in the waiting queue: waiting, offered a freed vehicle (by the service),
then accepted, withdrawn, expired (by the service) or back to waiting when the vehicle went
meanwhile. One table of allowed moves on core.statemachine, a log row per move, anything else
refused with the words the queue pages already show."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import Role, User
from mobility.booking.errors import BookingError
from mobility.booking.models import WaitingEntry, WaitingStatus
from mobility.core.statemachine import Move, MoveLog, StateMachine, log_rows, roles
from mobility.core.types import str_enum
from mobility.extensions import db

W = WaitingStatus
PERSON = roles(Role.BENEFICIARY, Role.REFERENT, Role.ADMIN)
SERVICE = roles()


class QueueAction(enum.Enum):
    JOIN = "join"
    OFFER = "offer"
    ACCEPT = "accept"
    REQUEUE = "requeue"  # the offered vehicle was taken meanwhile: same place in the queue
    WITHDRAW = "withdraw"
    EXPIRE = "expire"


TRANSITIONS: dict[tuple[WaitingStatus | None, QueueAction], Move] = {
    (None, QueueAction.JOIN): Move(W.WAITING, PERSON),
    (W.WAITING, QueueAction.OFFER): Move(W.OFFERED, SERVICE),
    (W.OFFERED, QueueAction.ACCEPT): Move(W.ACCEPTED, PERSON),
    (W.OFFERED, QueueAction.REQUEUE): Move(W.WAITING, SERVICE),
    (W.WAITING, QueueAction.WITHDRAW): Move(W.WITHDRAWN, PERSON),
    (W.OFFERED, QueueAction.WITHDRAW): Move(W.WITHDRAWN, PERSON),
    (W.OFFERED, QueueAction.EXPIRE): Move(W.EXPIRED, SERVICE),
}


class WaitingTransition(MoveLog, db.Model):
    """Every change of a waiting entry's status, with who and when (None: the service)."""

    __tablename__ = "waiting_transition"

    entry_id: Mapped[int] = mapped_column(ForeignKey("waiting_entry.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[WaitingStatus | None] = mapped_column(str_enum(WaitingStatus, "waiting_from_status"))
    to_status: Mapped[WaitingStatus] = mapped_column(str_enum(WaitingStatus, "waiting_to_status"))

    entry: Mapped[WaitingEntry] = relationship()



def _illegal_message(entry: WaitingEntry | None, action: QueueAction) -> str:
    if action is QueueAction.ACCEPT:
        return str(_l("Cette proposition n'est plus valable."))
    if action is QueueAction.WITHDRAW:
        return str(_l("Cette demande n'est plus dans la file d'attente."))
    return str(_l("Cette action n'est pas possible."))


MACHINE = StateMachine(TRANSITIONS, log=log_rows(WaitingTransition, "entry"), illegal_message=_illegal_message, illegal_error=BookingError)


def move(entry: WaitingEntry, action: QueueAction, actor: User | None, reason: str | None = None, *, creating: bool = False):
    return MACHINE.move(entry, action, actor, reason, creating=creating)
