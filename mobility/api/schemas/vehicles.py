"""Vehicles: the fleet list of /vehicles and the summary shown in availability and bookings."""

from __future__ import annotations

from marshmallow import Schema, fields, post_dump

from mobility.api.schemas.base import BasinCode, EnumValue, QueryInteger, QuerySchema, viewer
from mobility.auth.models import Role
from mobility.booking import privacy
from mobility.fleet.models import Energy, Gearbox, VehicleCategory, VehicleOrigin, VehicleStatus

IDENTITY_FIELDS = (
    "plate",
    "vin",
    "first_registered_on",
    "insurance_expires_on",
    "technical_inspection_due_on",
)


VEHICLES_PER_PAGE = 100
VEHICLES_MAX_PER_PAGE = 200
MAX_PAGE = 100_000


class VehicleFiltersSchema(QuerySchema):
    basin = BasinCode(metadata={"description": "Véhicules des sites de ce bassin."})
    category = EnumValue(VehicleCategory, blank_allowed=True)
    status = EnumValue(VehicleStatus, blank_allowed=True)
    page = QueryInteger(minimum=1, maximum=MAX_PAGE, load_default=1, metadata={"description": "Numéro de page, 1 d'abord."})
    per_page = QueryInteger(
        minimum=1,
        maximum=VEHICLES_MAX_PER_PAGE,
        load_default=VEHICLES_PER_PAGE,
        metadata={"description": "Véhicules par page (100 par défaut, 200 au plus)."},
    )


class VehicleAssociationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class VehicleSiteSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    commune = fields.String(required=True, attribute="commune.name")
    commune_insee = fields.String(required=True)
    basin = fields.String(required=True, attribute="basin.code")
    active = fields.Boolean(required=True)


class VehicleSchema(Schema):
    """A vehicle of the fleet; its plate, VIN and paper dates for its own association's staff."""

    id = fields.Integer(required=True)
    make = fields.String(required=True)
    model = fields.String(required=True)
    category = EnumValue(VehicleCategory, required=True)
    energy = EnumValue(Energy, required=True)
    gearbox = EnumValue(Gearbox, required=True)
    seats = fields.Integer(required=True)
    origin = EnumValue(VehicleOrigin, required=True)
    status = EnumValue(VehicleStatus, required=True)
    association = fields.Nested(VehicleAssociationSchema, required=True)
    site = fields.Nested(VehicleSiteSchema, required=True)
    plate = fields.String()
    vin = fields.String(allow_none=True)
    first_registered_on = fields.Date(allow_none=True)
    insurance_expires_on = fields.Date(allow_none=True)
    technical_inspection_due_on = fields.Date(allow_none=True)

    @post_dump
    def identity_for_fleet_staff_only(self, data, **kwargs):
        # Only fleet staff list vehicles with their identity, and only their association's.
        user = viewer()
        if user is None or user.role is not Role.FLEET:
            for name in IDENTITY_FIELDS:
                data.pop(name, None)
        return data


class VehicleListSchema(Schema):
    count = fields.Integer(required=True, metadata={"description": "Véhicules filtrés, toutes pages comprises."})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    has_next = fields.Boolean(required=True, metadata={"description": "Une page suivante existe."})
    vehicles = fields.List(fields.Nested(VehicleSchema), required=True)


class SummarySiteSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    commune = fields.String(required=True, attribute="commune_insee", metadata={"description": "Code INSEE."})


class VehicleSummarySchema(Schema):
    """A vehicle as offered for a period: its plate for those who keep it."""

    id = fields.Integer(required=True)
    category = EnumValue(VehicleCategory, required=True)
    make = fields.String(required=True)
    model = fields.String(required=True)
    gearbox = EnumValue(Gearbox, required=True)
    energy = EnumValue(Energy, required=True)
    seats = fields.Integer(required=True)
    site = fields.Nested(SummarySiteSchema, required=True)
    basin = fields.String(required=True, attribute="site.basin.code")
    plate = fields.String()

    @post_dump(pass_original=True)
    def plate_for_those_who_keep_the_fleet(self, data, vehicle, **kwargs):
        if not privacy.plate_shown(viewer(), vehicle):
            data.pop("plate", None)
        return data
