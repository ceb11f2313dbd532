"""The life of an extension request: asked during the rental, then approved or refused by the
référent (a refusal says why). One table of allowed moves on core.statemachine, a log row per
move, anything else refused."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import Role, User
from mobility.booking.models import Extension, ExtensionStatus
from mobility.core.statemachine import Move, MoveLog, StateMachine, log_rows, roles
from mobility.core.types import str_enum
from mobility.extensions import db

E = ExtensionStatus
DECIDERS = roles(Role.REFERENT, Role.ADMIN)


class ExtensionAction(enum.Enum):
    REQUEST = "request"
    APPROVE = "approve"
    REFUSE = "refuse"


TRANSITIONS: dict[tuple[ExtensionStatus | None, ExtensionAction], Move] = {
    (None, ExtensionAction.REQUEST): Move(E.PENDING, roles(Role.BENEFICIARY, Role.REFERENT, Role.ADMIN)),
    (E.PENDING, ExtensionAction.APPROVE): Move(E.APPROVED, DECIDERS),
    (E.PENDING, ExtensionAction.REFUSE): Move(E.REFUSED, DECIDERS, reason_by=DECIDERS),
}


class ExtensionTransition(MoveLog, db.Model):
    """Every change of an extension request's status, with who, when and why."""

    __tablename__ = "extension_transition"

    extension_id: Mapped[int] = mapped_column(ForeignKey("booking_extension.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[ExtensionStatus | None] = mapped_column(str_enum(ExtensionStatus, "extension_from_status"))
    to_status: Mapped[ExtensionStatus] = mapped_column(str_enum(ExtensionStatus, "extension_to_status"))

    extension: Mapped[Extension] = relationship()



def _illegal_message(extension: Extension | None, action: ExtensionAction) -> str:
    if extension is not None and extension.status is not E.PENDING:
        return str(_l("Cette demande de prolongation a déjà reçu une réponse."))
    return str(_l("Cette action n'est pas possible."))


MACHINE = StateMachine(
    TRANSITIONS,
    log=log_rows(ExtensionTransition, "extension"),
    illegal_message=_illegal_message,
    reason_message=lambda action: str(_l("Indiquez la raison du refus : la personne la lira.")),
)


def move(extension: Extension, action: ExtensionAction, actor: User | None, reason: str | None = None, *, creating: bool = False):
    return MACHINE.move(extension, action, actor, reason, creating=creating)
