"""Incidents: what happened to a vehicle during a rental, and its insurance claim. No free text
(place, description) and no person: the rental's reference says whose it was to those who may know."""

from __future__ import annotations

from marshmallow import Schema, fields

from mobility.api.schemas.base import EnumValue, QueryInteger, QuerySchema
from mobility.api.schemas.beneficiaries import MAX_PAGE
from mobility.incidents.models import DeductibleBearer, IncidentKind, IncidentStatus

INCIDENTS_PER_PAGE = 50
INCIDENTS_MAX_PER_PAGE = 100


class IncidentPageQuerySchema(QuerySchema):
    page = QueryInteger(minimum=1, maximum=MAX_PAGE, load_default=1)
    per_page = QueryInteger(minimum=1, maximum=INCIDENTS_MAX_PER_PAGE, load_default=INCIDENTS_PER_PAGE)
    status = EnumValue(IncidentStatus, blank_allowed=True)
    kind = EnumValue(IncidentKind, blank_allowed=True)


class IncidentVehicleSchema(Schema):
    id = fields.Integer(required=True)
    plate = fields.String(required=True)


class ClaimSchema(Schema):
    reference = fields.String(required=True, metadata={"example": "D-000001"})
    insurer_reference = fields.String(required=True, allow_none=True)
    declared_on = fields.Date(required=True, allow_none=True)
    deadline_on = fields.Date(required=True, metadata={"description": "Dernier jour pour déclarer (jours ouvrés)."})
    expert_visit_on = fields.Date(required=True, allow_none=True)
    repair_cost_cents = fields.Integer(required=True, allow_none=True)
    deductible_cents = fields.Integer(required=True, allow_none=True)
    deductible_borne_by = EnumValue(DeductibleBearer, required=True)


class IncidentSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True, metadata={"example": "S-000001"})
    kind = EnumValue(IncidentKind, required=True)
    status = EnumValue(IncidentStatus, required=True)
    status_label = fields.String(required=True, attribute="status.label")
    occurred_at = fields.AwareDateTime(required=True)
    vehicle = fields.Nested(IncidentVehicleSchema, required=True)
    booking_reference = fields.String(required=True, allow_none=True)
    stops_vehicle = fields.Boolean(required=True)
    other_party_involved = fields.Boolean(required=True)
    off_road_until = fields.AwareDateTime(required=True, allow_none=True)
    repaired_at = fields.AwareDateTime(required=True, allow_none=True)
    claim = fields.Nested(ClaimSchema, required=True, allow_none=True)


class IncidentPageSchema(Schema):
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    incidents = fields.List(fields.Nested(IncidentSchema), required=True)
