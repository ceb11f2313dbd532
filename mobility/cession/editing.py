"""Changing a convention or a cession after its creation (admins), within what its state allows.

The rules:

- A cession's facts (decision, vehicle identity, value, cession date and hour) may be corrected
  while it is `proposed`, `accepted` or `transferred`. Once `registered` (the new certificate
  is in the association's name) and in every later or ended state, they are locked: the
  registration certificate, the Cerfa and the fleet vehicle now carry them. Its convention
  never changes (the convention's limits were counted with it): decline it and propose again.
- A convention's reference, signature date, obligations and price decision may always be
  corrected. Its association and its form (free or priced) change only while no cession
  was made under it. Its period must still hold every cession made under it, and its maximum
  may not go below the vehicles already ceded or proposed.
- Each change is checked as at creation (dates, VIN, convention limits), saves nothing on a
  refusal, and writes one `update` row in the audit trail naming the fields that changed.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.cession.models import Cession, CessionState, Convention, ConventionKind
from mobility.cession.services import (
    CESSION_FIELDS,
    CONVENTION_FIELDS,
    _check_convention,
    _check_facts,
    _check_period_and_value,
)
from mobility.core.errors import Conflict, Refused
from mobility.core.time import today as today_in_france
from mobility.extensions import db
from mobility.fleet.models import Vehicle

S = CessionState
EDITABLE_STATES = frozenset({S.PROPOSED, S.ACCEPTED, S.TRANSFERRED})
# Fields of a convention fixed once a cession was made under it.
CONVENTION_FIELDS_FIXED_BY_CESSIONS = ("association_id", "kind")


def facts_editable(cession: Cession) -> bool:
    return cession.state in EDITABLE_STATES


def update_cession(cession: Cession, data: dict, actor: User, today: date | None = None) -> tuple[str, ...]:
    """Correct a cession's facts; the names of the fields that changed (audited)."""
    today = today or today_in_france()
    if not facts_editable(cession):
        raise Refused(
            _(
                "Cette cession est « %(state)s » : son identité et ses dates sont celles du certificat "
                "d'immatriculation et ne se modifient plus.",
                state=cession.state.label,
            )
        )
    _check_facts(data, today)
    _check_period_and_value(cession.convention, data)
    if db.session.scalar(select(Cession.id).where(Cession.vin == data["vin"], Cession.id != cession.id)) is not None:
        raise Conflict(_("Ce numéro VIN est déjà celui d'une autre cession : un véhicule n'est cédé qu'une fois."), "vin")
    owner = db.session.scalar(select(Vehicle.association_id).where(Vehicle.vin == data["vin"]))
    if owner is not None and owner != cession.association_id:
        raise Conflict(_("Ce numéro VIN est celui d'un véhicule d'une autre association."), "vin")
    changed = tuple(name for name in CESSION_FIELDS if getattr(cession, name) != data[name])
    for name in changed:
        setattr(cession, name, data[name])
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Ce numéro VIN est déjà celui d'une autre cession : un véhicule n'est cédé qu'une fois."), "vin") from exc
    if changed:
        record(AuditAction.UPDATE, "cession", cession.id, actor=actor, fields=changed)
    return changed


def _cessions_under(convention: Convention):
    return select(Cession).where(Cession.convention_id == convention.id, Cession.state != S.DECLINED)


def update_convention(convention: Convention, data: dict, actor: User) -> tuple[str, ...]:
    """Correct a convention; the names of the fields that changed (audited)."""
    _check_convention(data, convention.id)
    if data["kind"] is ConventionKind.FREE:
        data = {**data, "price_decision_reference": None}
    made = db.session.execute(
        select(func.count(Cession.id), func.min(Cession.ceded_on), func.max(Cession.ceded_on)).where(
            Cession.id.in_(_cessions_under(convention).with_only_columns(Cession.id))
        )
    ).one()
    count, first, last = made
    if count:
        for name in CONVENTION_FIELDS_FIXED_BY_CESSIONS:
            if data[name] != getattr(convention, name):
                raise Refused(
                    _("Des cessions ont été faites sous cette convention : son association et sa forme ne changent plus."),
                    name,
                )
        if data["starts_on"] > first or data["ends_on"] < last:
            raise Refused(
                _(
                    "Des cessions ont été faites sous cette convention du %(first)s au %(last)s : sa période doit les couvrir.",
                    first=first.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y"),
                ),
                "starts_on" if data["starts_on"] > first else "ends_on",
            )
        if data["max_vehicles"] < count:
            raise Refused(
                _("%(count)s véhicule(s) sont déjà cédés ou proposés sous cette convention : le maximum ne peut pas être inférieur.",
                  count=count),
                "max_vehicles",
            )
    changed = tuple(name for name in CONVENTION_FIELDS if getattr(convention, name) != data[name])
    for name in changed:
        setattr(convention, name, data[name])
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Une convention porte déjà cette référence."), "reference") from exc
    if changed:
        record(AuditAction.UPDATE, "convention", convention.id, actor=actor, fields=changed)
    return changed
