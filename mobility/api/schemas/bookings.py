"""Availability, a prescription, a booking and its cancelling."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, post_dump, validates_schema

from mobility.api.schemas.base import (
    AudienceSchema,
    BasinCode,
    Clock,
    DatabaseId,
    Day,
    EnumValue,
    InputSchema,
    ParisMoment,
    QuerySchema,
    Text,
    viewer,
)
from mobility.api.schemas.vehicles import SummarySiteSchema, VehicleSummarySchema
from mobility.booking import privacy
from mobility.booking.eligibility import Purpose
from mobility.booking.forms.requests import PURPOSE_DETAIL_MAX, REASON_MAX, REASON_TOO_LONG
from mobility.booking.models import BookingStatus
from mobility.fleet.models import VehicleCategory


class AvailabilityQuerySchema(QuerySchema):
    category = EnumValue(VehicleCategory, required=True)
    basin = BasinCode(
        metadata={"description": "Seulement ce bassin (les décomptes by_basin restent complets)."}
    )
    start = Day(required=True)
    end = Day(required=True)
    pickup_time = Clock(
        metadata={"description": "Heure de prise en charge (par défaut : réglage du service)."}
    )
    return_time = Clock(metadata={"description": "Heure de retour (par défaut : réglage du service)."})


class FreeInBasinSchema(Schema):
    basin = fields.String(required=True, attribute="basin.code")
    name = fields.String(required=True, attribute="basin.name")
    free = fields.Integer(required=True)


class AvailabilitySchema(Schema):
    category = EnumValue(VehicleCategory, required=True)
    basin = fields.String(required=True, allow_none=True, attribute="basin_code")
    start = ParisMoment(required=True)
    end = ParisMoment(required=True)
    days = fields.Integer(required=True)
    price_cents = fields.Integer(required=True, allow_none=True)
    deposit_cents = fields.Integer(required=True, allow_none=True)
    count = fields.Integer(required=True)
    by_basin = fields.List(fields.Nested(FreeInBasinSchema), required=True)
    vehicles = fields.List(fields.Nested(VehicleSummarySchema), required=True)


class BookingRequestSchema(InputSchema):
    """A référent asks for a vehicle for someone their organisation follows."""

    beneficiary_id = DatabaseId(required=True)
    category = EnumValue(VehicleCategory, required=True)
    basin = BasinCode(
        allow_none=True, metadata={"description": "Le bassin d'emploi voulu (ou bien vehicle_id)."}
    )
    vehicle_id = DatabaseId(
        allow_none=True, metadata={"description": "Un véhicule libre précis (ou bien basin)."}
    )
    start = Day(required=True)
    end = Day(required=True)
    purpose = EnumValue(Purpose, required=True)
    purpose_detail = Text(
        max_length=PURPOSE_DETAIL_MAX, allow_none=True, metadata={"description": "Employeur, formation…"}
    )
    pickup_time = Clock(allow_none=True)
    return_time = Clock(allow_none=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def basin_or_vehicle(self, data, original_data, **kwargs):
        def given(name):
            value = original_data.get(name) if isinstance(original_data, dict) else None
            return value is not None and not (isinstance(value, str) and not value.strip())

        if not given("basin") and not given("vehicle_id"):
            raise ValidationError(_("Choisissez un bassin d'emploi, ou un véhicule (vehicle_id)."), "basin")


class CancelSchema(InputSchema):
    empty_body_allowed = True  # a beneficiary cancels with no reason: an empty body is {}

    reason = Text(
        max_length=REASON_MAX,
        too_long=REASON_TOO_LONG,
        multiline=True,
        allow_none=True,
        metadata={"description": "Obligatoire pour le personnel : la personne la lira."},
    )


class BookingSchema(AudienceSchema):
    """A booking, with the fields the token's audience may read (mobility.booking.privacy)."""

    privacy_subject = "booking"

    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    status = EnumValue(BookingStatus, required=True)
    status_label = fields.String(required=True, attribute="status.label")
    beneficiary_id = fields.Integer(required=True)
    category = EnumValue(VehicleCategory, required=True)
    basin = fields.String(required=True, attribute="basin.code")
    site = fields.Nested(SummarySiteSchema, required=True, attribute="vehicle.site")
    vehicle = fields.Nested(VehicleSummarySchema, required=True)
    start = ParisMoment(required=True, attribute="starts_at")
    end = ParisMoment(required=True, attribute="ends_at")
    days = fields.Integer(required=True)
    purpose = EnumValue(Purpose, metadata={"description": "Absent pour le personnel des associations."})
    purpose_detail = fields.String(
        allow_none=True,
        metadata={"description": "Absent pour le personnel des associations et les administrateurs."},
    )
    price_cents = fields.Integer(required=True)
    deposit_cents = fields.Integer(required=True)
    expires_at = ParisMoment(required=True, allow_none=True)

    @post_dump(pass_original=True)
    def plate_once_confirmed(self, data, booking, **kwargs):
        # The vehicle alone cannot tell: the person's side sees the plate of their own booking's
        # car from confirmation on (mobility.booking.privacy.plate_shown).
        vehicle = data.get("vehicle")
        if vehicle is not None and privacy.plate_shown(viewer(), booking.vehicle, booking):
            vehicle["plate"] = booking.vehicle.plate
        return data
