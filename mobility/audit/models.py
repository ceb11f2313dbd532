from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import User
from mobility.core.types import UTCDateTime, str_enum
from mobility.core.time import utcnow
from mobility.extensions import db


class AuditAction(enum.Enum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    ANONYMISE = "anonymise"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])


ACTION_LABELS = {
    AuditAction.READ: _l("consultation"),
    AuditAction.CREATE: _l("création"),
    AuditAction.UPDATE: _l("modification"),
    AuditAction.DELETE: _l("suppression"),
    AuditAction.EXPORT: _l("export"),
    AuditAction.ANONYMISE: _l("anonymisation"),
}


class AuditEvent(db.Model):
    """Append-only: the database refuses UPDATE and DELETE (triggers in the migration).

    It names the object and the fields touched, never their values: the trail must not
    become a second copy of the personal data.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, "audit_action"))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    fields: Mapped[str | None] = mapped_column(String(500))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    route: Mapped[str | None] = mapped_column(String(120))

    actor: Mapped[User | None] = relationship()


class AuditPurge(db.Model):
    """A purge of access-log rows past their retention, itself kept as a trace.

    The append-only triggers let a DELETE through only for rows older than the latest cutoff
    written here, in the same transaction as the purge; UPDATE stays refused. So rows are never
    changed, and only rows past the retention that a purge recorded can go.
    """

    __tablename__ = "audit_purge"

    id: Mapped[int] = mapped_column(primary_key=True)
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rows_purged: Mapped[int] = mapped_column(Integer, default=0)
