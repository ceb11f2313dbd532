"""Labels for the keys that came back from a grouped query: basins and organisations from
the per-process reference cache, sites from a few rows of their table."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from mobility.auth.models import Organisation
from mobility.core.reference import forget, reference_data, register
from mobility.extensions import db
from mobility.fleet.models import Site
from mobility.reporting.dimensions import Breakdown, PrescriberKind, period_label, prescriber_kind_of
from mobility.territory import cached as territory


@dataclass(frozen=True)
class OrganisationLabel:
    name: str
    prescriber_kind: str


def _load_organisations() -> dict[int, OrganisationLabel]:
    rows = db.session.execute(select(Organisation.id, Organisation.name, prescriber_kind_of(Organisation)))
    return {id_: OrganisationLabel(name, kind) for id_, name, kind in rows}


register("reporting_organisations", (Organisation,), _load_organisations)


def organisations(needed=()) -> dict[int, OrganisationLabel]:
    """Every organisation's name and prescriber kind (the kind computed by the database, by
    the same expression the figures group on), cached per process and dropped on change.

    An organisation created since the cache was filled (in another worker, within the cache's
    delay) is among `needed` but not in the cache: then the cache is read again at once."""
    known = reference_data("reporting_organisations")
    if any(id_ not in known for id_ in needed):
        forget(Organisation)
        known = reference_data("reporting_organisations")
    return known


def label_keys(breakdown: Breakdown | None, keys) -> dict:
    keys = list(keys)
    if breakdown is None:
        return {key: "Total" for key in keys}
    if breakdown.is_period:
        return {key: period_label(breakdown, key) for key in keys}
    if breakdown is Breakdown.BASIN:
        names = {basin.id: basin.name for basin in territory.basins()}
        return {key: names.get(key, str(key)) for key in keys}
    if breakdown in (Breakdown.PRESCRIBER, Breakdown.ASSOCIATION):
        known = organisations(needed=keys)
        return {key: known[key].name if key in known else str(key) for key in keys}
    if breakdown is Breakdown.SITE:
        names = dict(db.session.execute(select(Site.id, Site.name).where(Site.id.in_(keys))).all()) if keys else {}
        return {key: names.get(key, str(key)) for key in keys}
    if breakdown is Breakdown.PRESCRIBER_KIND:
        return {key: PrescriberKind(key).label for key in keys}
    if breakdown is Breakdown.AGE_BAND:
        return {key: str(key) for key in keys}
    return {key: key.label for key in keys}  # category, purpose: labelled enums
