"""GET /api/v1/incidents: an association's incidents (its own), a référent's people's."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from mobility.api.blueprint import blp, current_api_user, roles_allowed
from mobility.api.schemas.incidents import IncidentPageQuerySchema, IncidentPageSchema
from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role
from mobility.extensions import db
from mobility.incidents.access import visible_incidents
from mobility.incidents.models import Incident


def _incident_readers_only() -> str:
    return _("Les incidents sont réservés à l'association du véhicule et au référent de la personne ; "
             "les administrateurs en ont les chiffres dans les indicateurs.")


def _as_answer(incident: Incident) -> dict:
    unavailability = incident.unavailability
    return {
        "id": incident.id,
        "reference": incident.reference,
        "kind": incident.kind,
        "status": incident.status,
        "occurred_at": incident.occurred_at,
        "vehicle": incident.vehicle,
        "booking_reference": incident.booking.reference if incident.booking is not None else None,
        "stops_vehicle": incident.stops_vehicle,
        "other_party_involved": incident.other_party_involved,
        "off_road_until": unavailability.ends_at if unavailability is not None else None,
        "repaired_at": incident.repaired_at,
        "claim": incident.claim,
    }


@blp.route("/incidents", methods=["GET"])
@blp.errors(403, 422)
@blp.doc(operationId="list_incidents", tags=["incidents"])
@roles_allowed(Role.FLEET, Role.REFERENT, message=_incident_readers_only)
@blp.arguments(IncidentPageQuerySchema, location="query")
@blp.response(200, IncidentPageSchema, description="Une page des incidents visibles, du plus récent au plus ancien.")
def incidents(query):
    """Les incidents : ceux des véhicules de son association, ou des personnes dont on est le référent"""
    user = current_api_user()
    statement = visible_incidents(user).options(
        selectinload(Incident.vehicle), selectinload(Incident.booking), selectinload(Incident.claim),
        selectinload(Incident.unavailability),
    )
    if query.get("status") is not None:
        statement = statement.where(Incident.status == query["status"])
    if query.get("kind") is not None:
        statement = statement.where(Incident.kind == query["kind"])
    statement = statement.order_by(Incident.occurred_at.desc(), Incident.id.desc())
    per_page = query["per_page"]
    page = db.paginate(statement, page=query["page"], per_page=per_page, max_per_page=per_page, error_out=False)
    for incident in page.items:
        record(AuditAction.READ, "incident", incident.id, actor=user)
    db.session.commit()
    return {
        "count": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "incidents": [_as_answer(incident) for incident in page.items],
    }
