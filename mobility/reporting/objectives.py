"""Yearly objectives: set by admins, shown against what was done and the share of the year gone."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from mobility.auth.models import Organisation, OrganisationKind, User
from mobility.booking.models import OutcomeCheckpoint
from mobility.core.errors import Invalid, NotFound
from mobility.extensions import db
from mobility.reporting import indicators
from mobility.reporting.dimensions import Filters
from mobility.reporting.models import Objective, ObjectiveIndicator

I = ObjectiveIndicator


@dataclass
class Progress:
    objective: Objective
    done: int
    year_share: float  # share of the year elapsed, 0..1

    @property
    def done_share(self) -> float:
        return self.done / self.objective.target

    @property
    def expected(self) -> int:
        return round(self.objective.target * self.year_share)

    @property
    def on_track(self) -> bool:
        return self.done >= self.expected


def prescribers() -> list[Organisation]:
    """Organisations that follow people: objectives are theirs."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind.in_((OrganisationKind.PRESCRIBER, OrganisationKind.DEPARTEMENT)))
            .order_by(Organisation.name)
        )
    )


def set_objective(organisation_id: int, year: int, indicator: ObjectiveIndicator, target: int, actor: User) -> Objective:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind is OrganisationKind.ASSOCIATION:
        raise Invalid(_("Choisissez une organisation prescriptrice."), field="organisation_id")
    if target < 1:
        raise Invalid(_("L'objectif doit être d'au moins 1."), field="target")
    objective = db.session.scalar(
        select(Objective).where(
            Objective.organisation_id == organisation_id, Objective.year == year, Objective.indicator == indicator
        )
    )
    if objective is None:
        objective = Objective(organisation_id=organisation_id, year=year, indicator=indicator, target=target)
        db.session.add(objective)
    objective.target = target
    objective.updated_by_id = actor.id
    db.session.flush()
    return objective


def delete_objective(objective_id: int) -> None:
    objective = db.session.get(Objective, objective_id)
    if objective is None:
        raise NotFound(_("Cet objectif n'existe pas."))
    db.session.delete(objective)
    db.session.flush()


def objectives_of(year: int, organisation_id: int | None = None) -> list[Objective]:
    statement = select(Objective).join(Organisation).where(Objective.year == year)
    if organisation_id is not None:
        statement = statement.where(Objective.organisation_id == organisation_id)
    return list(db.session.scalars(statement.order_by(Organisation.name, Objective.indicator)))


def year_share(year: int, today: date) -> float:
    first, last = date(year, 1, 1), date(year, 12, 31)
    if today < first:
        return 0.0
    if today >= last:
        return 1.0
    return ((today - first).days + 1) / ((last - first).days + 1)


def _done(indicator: ObjectiveIndicator, filters: Filters) -> int:
    if indicator is I.PEOPLE_REFERRED:
        return indicators.requests(filters).total.values["people"]
    if indicator is I.POSITIVE_OUTCOMES:
        return indicators.outcomes(filters, OutcomeCheckpoint.AT_END).total.values["positive"]
    rentals = indicators.rentals(filters).total.values
    return {I.PEOPLE_WITH_RENTAL: rentals["people"], I.RENTALS: rentals["rentals"], I.RENTAL_DAYS: rentals["days"]}[indicator]


def progress(year: int, today: date, organisation_id: int | None = None) -> list[Progress]:
    """Each objective of the year with what its organisation did from 1 January to today."""
    share = year_share(year, today)
    period = Filters(date(year, 1, 1), min(max(today, date(year, 1, 1)), date(year, 12, 31)))
    results = []
    for objective in objectives_of(year, organisation_id):
        scoped = replace(period, prescriber_id=objective.organisation_id)
        results.append(Progress(objective, _done(objective.indicator, scoped), share))
    return results
