"""GET /api/v1/cessions and /cessions/{id}: the ceded vehicles, as the cession pages show them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import extract
from sqlalchemy.orm import selectinload

from mobility.api.blueprint import blp, current_api_user, roles_allowed
from mobility.api.errors import ApiError
from mobility.api.schemas.cessions import CessionPageQuerySchema, CessionPageSchema, CessionSchema
from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role
from mobility.cession import services
from mobility.cession.models import Cession
from mobility.core.time import today
from mobility.core.db import commit_keeping_loaded
from mobility.extensions import db


def _cession_staff_only() -> str:
    return _("Seuls les administrateurs et les associations voient les cessions.")


def _as_answer(cession: Cession, day) -> dict:
    return {
        "id": cession.id,
        "reference": cession.reference,
        "convention": cession.convention,
        "association": cession.association,
        "state": cession.state,
        "decision_reference": cession.decision_reference,
        "decided_on": cession.decided_on,
        "plate": cession.plate,
        "vin": cession.vin,
        "make": cession.make,
        "model": cession.model,
        "category": cession.category,
        "energy": cession.energy,
        "first_registered_on": cession.first_registered_on,
        "odometer_km": cession.odometer_km,
        "value_cents": cession.value_cents,
        "ceded_on": cession.ceded_on,
        "ceded_at_time": cession.ceded_at_time,
        "vehicle_id": cession.vehicle.id if cession.vehicle is not None else None,
        "paperwork": services.paperwork_status(cession, day),
    }


@blp.route("/cessions", methods=["GET"])
@blp.errors(403, 422)
@blp.doc(operationId="list_cessions", tags=["cessions"])
@roles_allowed(Role.FLEET, Role.ADMIN, message=_cession_staff_only)
@blp.arguments(CessionPageQuerySchema, location="query")
@blp.response(200, CessionPageSchema, description="Une page des cessions visibles, filtrées.")
def cessions(query):
    """Les cessions : toutes pour un administrateur, celles de son association sinon"""
    statement = services.visible_cessions(current_api_user()).options(selectinload(Cession.vehicle))
    if query.get("convention") is not None:
        statement = statement.where(Cession.convention_id == query["convention"])
    if query.get("state") is not None:
        statement = statement.where(Cession.state == query["state"])
    if query.get("year") is not None:
        statement = statement.where(extract("year", Cession.ceded_on) == query["year"])
    per_page = query["per_page"]
    page = db.paginate(statement, page=query["page"], per_page=per_page, max_per_page=per_page, error_out=False)
    day = today()
    return {
        "count": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "cessions": [_as_answer(cession, day) for cession in page.items],
    }


@blp.route("/cessions/<int:cession_id>", methods=["GET"])
@blp.errors(403)
@blp.doc(operationId="get_cession", tags=["cessions"])
@roles_allowed(Role.FLEET, Role.ADMIN, message=_cession_staff_only)
@blp.response(200, CessionSchema, description="Une cession, avec ses pièces et leurs échéances.")
def cession(cession_id: int):
    """Une cession : identité du véhicule, décision, valeur, pièces du dossier"""
    user = current_api_user()
    found = services.get_visible_cession(cession_id, user)
    if found is None:
        raise ApiError(404)
    record(AuditAction.READ, "cession", found.id, actor=user)
    commit_keeping_loaded()
    return _as_answer(found, today())
