"""Figures of the traffic fines for the plan: fines per association and the share designated in
time, counted by the database (SQL aggregation, the same numbers on SQLite and PostgreSQL).

Pseudonymous by construction: per association, counts only; no person, no avis number.
Which fines count: the avis sent in the period. "Designated in time": designated on or before
its deadline (the avis' sending date + FINES_DESIGNATION_DAYS, fixed when recorded). The share
is taken among the fines that need a designation and whose outcome is known: designated, or
past their deadline without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from mobility.auth.models import Organisation
from mobility.extensions import db
from mobility.fines.models import Fine, FineStatus, OffenceKind

_NEEDS_DESIGNATION = [kind for kind in OffenceKind if kind.requires_designation]


@dataclass(frozen=True)
class FineFigures:
    association_id: int
    association: str
    fines: int
    to_designate: int
    designated_in_time: int
    designated_late: int
    late_undesignated: int
    amount_cents: int

    @property
    def decided(self) -> int:
        return self.designated_in_time + self.designated_late + self.late_undesignated

    @property
    def in_time_rate(self) -> float | None:
        return self.designated_in_time / self.decided if self.decided else None


def fine_figures(first_day: date, last_day: date, today: date, association_id: int | None = None) -> list[FineFigures]:
    needs = Fine.kind.in_(_NEEDS_DESIGNATION)
    designated = Fine.designated_on.is_not(None)
    count_if = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    statement = (
        select(
            Organisation.id,
            Organisation.name,
            func.count(Fine.id),
            count_if(needs),
            count_if(and_(needs, designated, Fine.designated_on <= Fine.designation_due_on)),
            count_if(and_(needs, designated, Fine.designated_on > Fine.designation_due_on)),
            count_if(
                and_(
                    needs,
                    Fine.designated_on.is_(None),
                    Fine.designation_due_on < today,
                    or_(Fine.status == FineStatus.RECEIVED, Fine.status == FineStatus.DRIVER_IDENTIFIED),
                )
            ),
            func.coalesce(func.sum(Fine.amount_cents), 0),
        )
        .join(Organisation, Organisation.id == Fine.association_id)
        .where(Fine.notice_sent_on >= first_day, Fine.notice_sent_on <= last_day)
        .group_by(Organisation.id, Organisation.name)
        .order_by(Organisation.name)
    )
    if association_id is not None:
        statement = statement.where(Fine.association_id == association_id)
    return [FineFigures(*(row[:2]), *(int(value) for value in row[2:])) for row in db.session.execute(statement)]
