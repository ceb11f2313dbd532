"""Cessions: the Département's vehicles handed to associations, with their paperwork."""

from __future__ import annotations

from marshmallow import Schema, fields

from mobility.api.schemas.base import EnumValue, QueryInteger, QuerySchema
from mobility.api.schemas.beneficiaries import MAX_PAGE
from mobility.core.boundary import MAX_DB_INT
from mobility.cession.models import CessionState, ConventionKind, PaperworkKind
from mobility.cession.rules import Status
from mobility.fleet.models import Energy, VehicleCategory

CESSIONS_PER_PAGE = 50
CESSIONS_MAX_PER_PAGE = 100


class CessionPageQuerySchema(QuerySchema):
    page = QueryInteger(minimum=1, maximum=MAX_PAGE, load_default=1)
    per_page = QueryInteger(minimum=1, maximum=CESSIONS_MAX_PER_PAGE, load_default=CESSIONS_PER_PAGE)
    convention = QueryInteger(minimum=1, maximum=MAX_DB_INT, metadata={"description": "Id d'une convention."})
    state = EnumValue(CessionState, blank_allowed=True)
    year = QueryInteger(minimum=1900, maximum=2200, metadata={"description": "Année de la cession."})


class CessionConventionSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    kind = EnumValue(ConventionKind, required=True)


class CessionAssociationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class PaperworkStatusSchema(Schema):
    kind = EnumValue(PaperworkKind, required=True)
    label = fields.String(required=True)
    status = EnumValue(Status, required=True)
    status_label = fields.String(required=True)
    reason = fields.String(required=True)
    deadline = fields.Date(required=True, allow_none=True)
    done_on = fields.Date(required=True, allow_none=True)
    days_late = fields.Integer(required=True)


class CessionSchema(Schema):
    """A cession: no person in it (the association is an organisation)."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True, metadata={"example": "CES-00001"})
    convention = fields.Nested(CessionConventionSchema, required=True)
    association = fields.Nested(CessionAssociationSchema, required=True)
    state = EnumValue(CessionState, required=True)
    state_label = fields.String(required=True, attribute="state.label")
    decision_reference = fields.String(required=True)
    decided_on = fields.Date(required=True)
    plate = fields.String(required=True)
    vin = fields.String(required=True)
    make = fields.String(required=True)
    model = fields.String(required=True)
    category = EnumValue(VehicleCategory, required=True)
    energy = EnumValue(Energy, required=True)
    first_registered_on = fields.Date(required=True)
    odometer_km = fields.Integer(required=True)
    value_cents = fields.Integer(required=True, metadata={"description": "Valeur en centimes d'euro."})
    ceded_on = fields.Date(required=True)
    ceded_at_time = fields.Time(required=True, allow_none=True, format="%H:%M")
    vehicle_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Le véhicule de la flotte, une fois en service."}
    )
    paperwork = fields.List(fields.Nested(PaperworkStatusSchema), required=True)


class CessionPageSchema(Schema):
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    cessions = fields.List(fields.Nested(CessionSchema), required=True)
