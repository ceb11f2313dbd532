"""GET /api/v1/fines: an association's token lists its own fines (others: 403)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from mobility.api.blueprint import blp, current_api_user, roles_allowed
from mobility.api.schemas.fines import FinePageQuerySchema, FinePageSchema
from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role
from mobility.core.time import today
from mobility.extensions import db
from mobility.fines import services
from mobility.fines.models import Fine


def _association_only() -> str:
    return _("Seules les associations voient leurs amendes par l'API.")


def _as_answer(fine: Fine, day) -> dict:
    return {
        "id": fine.id,
        "reference": fine.reference,
        "vehicle_id": fine.vehicle_id,
        "plate": fine.vehicle.plate,
        "notice_number": fine.notice_number,
        "offence_at": fine.offence_at,
        "place": fine.place,
        "kind": fine.kind,
        "kind_label": fine.kind.label,
        "requires_designation": fine.requires_designation,
        "amount_cents": fine.amount_cents,
        "notice_sent_on": fine.notice_sent_on,
        "designation_due_on": fine.designation_due_on,
        "days_left": fine.days_left(day),
        "finding": fine.finding,
        "status": fine.status,
        "status_label": fine.status.label,
        "booking_id": fine.booking_id,
        "beneficiary_id": fine.beneficiary_id,
        "designation_reference": fine.designation_reference,
        "designated_on": fine.designated_on,
    }


@blp.route("/fines", methods=["GET"])
@blp.errors(403, 422)
@blp.doc(operationId="list_fines", tags=["fines"])
@roles_allowed(Role.FLEET, message=_association_only)
@blp.arguments(FinePageQuerySchema, location="query")
@blp.response(200, FinePageSchema, description="Une page des amendes de l'association, la plus récente d'abord.")
def fines(query):
    """Les amendes des véhicules de son association ; chaque amende lue est inscrite au journal d'accès"""
    user = current_api_user()
    statement = services.visible_fines(user).options(selectinload(Fine.vehicle))
    if query.get("status") is not None:
        statement = statement.where(Fine.status == query["status"])
    statement = statement.order_by(Fine.offence_at.desc(), Fine.id.desc())
    per_page = query["per_page"]
    page = db.paginate(statement, page=query["page"], per_page=per_page, max_per_page=per_page, error_out=False)
    for fine in page.items:
        record(AuditAction.READ, "fine", fine.id, actor=user, fields=("api",))
    db.session.commit()
    day = today()
    return {
        "count": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "fines": [_as_answer(fine, day) for fine in page.items],
    }
