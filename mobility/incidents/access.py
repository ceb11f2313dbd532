"""Who sees which incident, in one place for every page and the API.

- fleet staff: the incidents of their association's vehicles;
- a référent: the incidents of the people they are the référent of;
- a beneficiary: the incidents they reported or that happened during their own rentals;
- admins: none one by one (the plan's figures only, in mobility.reporting).
Anything else is "not found", so that ids reveal nothing. Every read is audited by the views.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, false, select

from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.extensions import db
from mobility.incidents.models import Incident


def visible_incidents(user: User) -> Select:
    query = select(Incident)
    if user.role == Role.FLEET:
        return query.where(Incident.association_id == user.organisation_id)
    if user.role == Role.REFERENT:
        return query.join(Beneficiary, Beneficiary.id == Incident.beneficiary_id).where(
            Beneficiary.referent_id == user.id
        )
    if user.role == Role.BENEFICIARY:
        return query.join(Beneficiary, Beneficiary.id == Incident.beneficiary_id).where(Beneficiary.user_id == user.id)
    return query.where(false())


def incident_or_404(incident_id: int, user: User) -> Incident:
    incident = db.session.scalar(visible_incidents(user).where(Incident.id == incident_id))
    if incident is None:
        abort(404)
    return incident


def may_manage(user: User, incident: Incident) -> bool:
    """Only the association's staff move an incident and handle its claim."""
    return user.role == Role.FLEET and incident.association_id == user.organisation_id
