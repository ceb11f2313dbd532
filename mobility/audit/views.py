from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobility.audit.models import AuditAction, AuditEvent
from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.core.boundary import page_number, parse_bounded_int
from mobility.core.paging import fetch_page

bp = Blueprint("audit", __name__, url_prefix="/admin/journal")


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    object_type = request.args.get("objet", "").strip()[:40]
    object_id = parse_bounded_int(request.args.get("id"), minimum=1)
    action = request.args.get("action", "")
    actor_id = parse_bounded_int(request.args.get("acteur"), minimum=1)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    if action in {a.value for a in AuditAction}:
        query = query.where(AuditEvent.action == AuditAction(action))
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    # Newest first on the index audit_event(occurred_at, id) (or the filter's own), never counted.
    page = fetch_page(query, page=page_number(request.args.get("page")), per_page=50)
    return render_template(
        "audit/index.html",
        page=page,
        actions=list(AuditAction),
        filters={"objet": object_type, "id": object_id or "", "action": action, "acteur": actor_id or ""},
        shown_filters={
            name: value
            for name, value in {
                "objet": object_type,
                "id": object_id,
                "action": action,
                "acteur": actor_id,
            }.items()
            if value
        },
    )
