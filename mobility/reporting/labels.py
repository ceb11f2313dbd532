"""Labels for the keys that came back from a grouped query (a few rows of reference tables)."""

from __future__ import annotations

from sqlalchemy import select

from mobility.auth.models import Organisation
from mobility.extensions import db
from mobility.fleet.models import Site
from mobility.reporting.dimensions import Breakdown, PrescriberKind, period_label
from mobility.territory.models import EmploymentBasin

_NAMED = {
    Breakdown.BASIN: (EmploymentBasin, EmploymentBasin.name),
    Breakdown.PRESCRIBER: (Organisation, Organisation.name),
    Breakdown.ASSOCIATION: (Organisation, Organisation.name),
    Breakdown.SITE: (Site, Site.name),
}


def label_keys(breakdown: Breakdown | None, keys) -> dict:
    keys = list(keys)
    if breakdown is None:
        return {key: "Total" for key in keys}
    if breakdown.is_period:
        return {key: period_label(breakdown, key) for key in keys}
    if breakdown in _NAMED:
        model, name = _NAMED[breakdown]
        names = dict(db.session.execute(select(model.id, name).where(model.id.in_(keys))).all()) if keys else {}
        return {key: names.get(key, str(key)) for key in keys}
    if breakdown is Breakdown.PRESCRIBER_KIND:
        return {key: PrescriberKind(key).label for key in keys}
    if breakdown is Breakdown.AGE_BAND:
        return {key: str(key) for key in keys}
    return {key: key.label for key in keys}  # category, purpose: labelled enums
