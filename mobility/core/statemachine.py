"""One mechanism for every object with a status: a table of allowed moves, who may make them,
whether a reason is required, a refusal for any other move, and a log row per move.

Each domain declares its table (a dict (status now, action) -> Move, `None` as the status of
an object being created) and how a move is logged; `StateMachine.move` does the rest. Roles are
whatever the actor's `.role` holds; an actor of None is the service itself (expiry, jobs),
which may make only the moves open to no role.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from mobility.core.errors import Conflict, DomainError, Invalid
from mobility.core.time import utcnow
from mobility.core.types import UTCDateTime
from mobility.extensions import db


class IllegalMove(Conflict):
    """A move the table does not allow from the object's status, or not for this role."""


class ReasonRequired(Invalid):
    def __init__(self, message: str | None = None):
        super().__init__(message or str(_l("Indiquez la raison : la personne la lira.")), field="reason")


@dataclass(frozen=True)
class Move:
    target: enum.Enum
    roles: frozenset = frozenset()  # who may make it; empty: only the service itself
    reason_by: frozenset = frozenset()  # the roles that must say why (subset of roles)

    def needs_reason(self, actor) -> bool:
        return actor is not None and actor.role in self.reason_by


def roles(*members: Hashable) -> frozenset:
    return frozenset(members)


@dataclass
class StateMachine:
    """A transition table and the two things a domain supplies: its log row and its wording."""

    transitions: dict[tuple[Any, enum.Enum], Move]
    log: Callable[..., Any]  # log(obj, action, source, target, actor, reason) -> a row to add
    illegal_message: Callable[[Any, enum.Enum], str]  # (obj or None, action) -> French message
    status_attribute: str = "status"
    # What a refused move raises (an IllegalMove, or a domain's subclass its pages already show).
    illegal_error: Callable[[str], DomainError] = IllegalMove
    # The words asking for a reason, when a domain has its own (None: ReasonRequired's own).
    reason_message: Callable[[enum.Enum], str] | None = None

    def __post_init__(self):
        for (source, action), rule in self.transitions.items():
            if not rule.reason_by <= rule.roles:
                raise ValueError(f"{source}/{action}: reason_by must be among the roles")

    def status_of(self, obj) -> Any:
        return getattr(obj, self.status_attribute) if obj is not None else None

    def allowed_actions(self, obj, role) -> list[enum.Enum]:
        status = self.status_of(obj)
        return [action for (source, action), rule in self.transitions.items() if source == status and role in rule.roles]

    def can(self, obj, action: enum.Enum, role) -> bool:
        rule = self.transitions.get((self.status_of(obj), action))
        return rule is not None and role in rule.roles

    def sources_of(self, action: enum.Enum) -> set:
        return {source for (source, candidate) in self.transitions if candidate == action}

    def move(self, obj, action: enum.Enum, actor, reason: str | None = None, *, creating: bool = False):
        """Apply `action` to `obj` (never commits) and return the log row added to the session.

        Raises IllegalMove for a move the table does not hold or not for this actor, and
        ReasonRequired when the actor must say why and did not.
        """
        source = None if creating else self.status_of(obj)
        rule = self.transitions.get((source, action))
        shown = None if creating else obj
        if rule is None or (rule.roles if actor is None else actor.role not in rule.roles):
            raise self.illegal_error(self.illegal_message(shown, action))
        reason = (reason or "").strip() or None
        if rule.needs_reason(actor) and not reason:
            raise ReasonRequired(self.reason_message(action) if self.reason_message else None)
        setattr(obj, self.status_attribute, rule.target)
        row = self.log(obj, action, source, rule.target, actor, reason)
        db.session.add(row)
        return row

    def table(self) -> Iterable[tuple[Any, enum.Enum, Move]]:
        return ((source, action, rule) for (source, action), rule in self.transitions.items())


class MoveLog:
    """The columns every state machine's log shares: who made the move, when, and why.

    A domain's log table adds its subject's foreign key, the action and its status columns.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the service itself (an expiry, a scheduled job).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def actor(cls) -> Mapped[Any]:
        return relationship("User")


def log_rows(model, subject: str, *, action_as_value: bool = True) -> Callable:
    """The `log` of a StateMachine writing one `model` row (a MoveLog table) per move.

    `subject` names the row's relationship to the object moved; `action_as_value` stores the
    action's value in a text column rather than the enum in an enum column.
    """

    def log(obj, action, source, target, actor, reason):
        return model(
            **{subject: obj},
            action=action.value if action_as_value else action,
            from_status=source,
            to_status=target,
            actor_id=actor.id if actor is not None else None,
            reason=reason,
            occurred_at=utcnow(),
        )

    return log
