"""GET /api/v1/vehicles: the fleet, as each staff role may see it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mobility.api.blueprint import STAFF, blp, current_api_user, professionals_only, roles_allowed
from mobility.api.schemas.vehicles import VehicleFiltersSchema, VehicleListSchema
from mobility.auth.models import Role, User
from mobility.core.paging import fetch_page
from mobility.extensions import db
from mobility.fleet.models import Site, Vehicle


def visible_vehicles(user: User, filters: dict):
    """Fleet staff: their association's vehicles. Référents and admins: every association's.

    Anyone else sees nothing (beneficiaries are refused before getting here).
    """
    query = select(Vehicle).join(Site, Site.id == Vehicle.site_id).options(joinedload(Vehicle.association))
    if user.role is Role.FLEET:
        query = query.where(Vehicle.association_id == user.organisation_id)
    elif user.role not in (Role.REFERENT, Role.ADMIN):
        return query.where(False)
    if filters.get("basin") is not None:
        query = query.where(Site.basin_id == filters["basin"].id)
    if filters.get("category") is not None:
        query = query.where(Vehicle.category == filters["category"])
    if filters.get("status") is not None:
        query = query.where(Vehicle.status == filters["status"])
    return query.order_by(Site.name, Vehicle.make, Vehicle.model, Vehicle.id)


@blp.route("/vehicles", methods=["GET"])
@blp.errors(403, 422)
@blp.doc(operationId="list_vehicles", tags=["vehicles"])
@roles_allowed(*STAFF, message=professionals_only)
@blp.arguments(VehicleFiltersSchema, location="query")
@blp.response(200, VehicleListSchema, description="Les véhicules visibles, filtrés.")
def vehicles(filters):
    """Les véhicules : ceux de son association pour le personnel (avec plaque et VIN), tous sinon

    A page at a time (`page`, `per_page`); `count` is every vehicle the filters keep (a fleet is
    a few hundred vehicles: counting it is cheap, unlike a history).
    """
    query = visible_vehicles(current_api_user(), filters)
    found = fetch_page(query, page=filters["page"], per_page=filters["per_page"])
    count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return {
        "count": count,
        "page": found.page,
        "per_page": found.per_page,
        "has_next": found.has_next,
        "vehicles": found.items,
    }
