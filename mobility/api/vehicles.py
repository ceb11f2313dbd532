"""Vehicles as the API shows them: who sees which, the filters, and the JSON shape."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mobility.auth.models import Role, User
from mobility.extensions import db
from mobility.fleet.models import Site, Vehicle, VehicleCategory, VehicleStatus
from mobility.territory.models import EmploymentBasin


class VehicleFilterError(Exception):
    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("invalid filters")
        self.fields = fields


@dataclass(frozen=True)
class VehicleFilters:
    basin: EmploymentBasin | None = None
    category: VehicleCategory | None = None
    status: VehicleStatus | None = None


def _enum_value(enum_class, raw: str, field: str, fields: dict):
    if not raw:
        return None
    try:
        return enum_class(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_class)
        fields[field] = [_("Valeur inconnue. Valeurs possibles : %(values)s.", values=allowed)]
        return None


def parse_filters(basin: str = "", category: str = "", status: str = "") -> VehicleFilters:
    """Filters from query-string values; every bad one is named in VehicleFilterError.fields."""
    fields: dict[str, list[str]] = {}
    basin_row = None
    basin = (basin or "").strip()
    if basin:
        basin_row = db.session.scalar(select(EmploymentBasin).where(EmploymentBasin.code == basin))
        if basin_row is None:
            codes = ", ".join(row.code for row in EmploymentBasin.all_ordered())
            fields["basin"] = [_("Bassin inconnu. Valeurs possibles : %(values)s.", values=codes)]
    parsed_category = _enum_value(VehicleCategory, (category or "").strip(), "category", fields)
    parsed_status = _enum_value(VehicleStatus, (status or "").strip(), "status", fields)
    if fields:
        raise VehicleFilterError(fields)
    return VehicleFilters(basin=basin_row, category=parsed_category, status=parsed_status)


def shows_identity(user: User) -> bool:
    """Plates and VINs are for the association's own staff, who keep the vehicles."""
    return user.role is Role.FLEET


def visible_vehicles(user: User, filters: VehicleFilters) -> list[Vehicle]:
    """Fleet staff: their association's vehicles. Référents and admins: every association's.

    Anyone else sees nothing (the API refuses beneficiaries before getting here).
    """
    query = select(Vehicle).join(Site, Site.id == Vehicle.site_id).options(joinedload(Vehicle.association))
    if user.role is Role.FLEET:
        query = query.where(Vehicle.association_id == user.organisation_id)
    elif user.role not in (Role.REFERENT, Role.ADMIN):
        return []
    if filters.basin is not None:
        query = query.where(Site.basin_id == filters.basin.id)
    if filters.category is not None:
        query = query.where(Vehicle.category == filters.category)
    if filters.status is not None:
        query = query.where(Vehicle.status == filters.status)
    query = query.order_by(Site.name, Vehicle.make, Vehicle.model, Vehicle.id)
    return list(db.session.scalars(query).unique())


def _day(value):
    return value.isoformat() if value is not None else None


def vehicle_json(vehicle: Vehicle, *, with_identity: bool) -> dict:
    site = vehicle.site
    data = {
        "id": vehicle.id,
        "make": vehicle.make,
        "model": vehicle.model,
        "category": vehicle.category.value,
        "energy": vehicle.energy.value,
        "gearbox": vehicle.gearbox.value,
        "seats": vehicle.seats,
        "origin": vehicle.origin.value,
        "status": vehicle.status.value,
        "association": {"id": vehicle.association_id, "name": vehicle.association.name},
        "site": {
            "id": site.id,
            "name": site.name,
            "commune": site.commune.name,
            "commune_insee": site.commune_insee,
            "basin": site.basin.code,
            "active": site.active,
        },
    }
    if with_identity:
        data.update(
            plate=vehicle.plate,
            vin=vehicle.vin,
            first_registered_on=_day(vehicle.first_registered_on),
            insurance_expires_on=_day(vehicle.insurance_expires_on),
            technical_inspection_due_on=_day(vehicle.technical_inspection_due_on),
        )
    return data
