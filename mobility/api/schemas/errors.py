"""The one error envelope of /api: {"error": {"status", "message", "fields", …}}."""

from __future__ import annotations

from marshmallow import Schema, fields

from mobility.api.schemas.vehicles import VehicleSummarySchema


class RefusalSchema(Schema):
    """One eligibility rule that refuses, worded for the référent, with what to do about it."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    what_to_do = fields.String(required=True)


class FreeDatesSchema(Schema):
    start = fields.Date(required=True, attribute="starts_on")
    end = fields.Date(required=True, attribute="ends_on")


class FreeElsewhereSchema(Schema):
    basin = fields.String(required=True, attribute="basin.code")
    name = fields.String(required=True, attribute="basin.name")
    free = fields.Integer(required=True)


class AlternativesSchema(Schema):
    """What is still free when the vehicle asked was just taken."""

    vehicles = fields.List(fields.Nested(VehicleSummarySchema), required=True)
    dates = fields.List(fields.Nested(FreeDatesSchema), required=True)
    basins = fields.List(fields.Nested(FreeElsewhereSchema), required=True)


class ErrorBodySchema(Schema):
    status = fields.Integer(required=True, metadata={"description": "Le code HTTP."})
    message = fields.String(required=True, metadata={"description": "Le message, en français."})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Les champs refusés, chacun avec ses messages."},
    )
    refusals = fields.List(
        fields.Nested(RefusalSchema), metadata={"description": "422 d'éligibilité : chaque raison."}
    )
    alternatives = fields.Nested(AlternativesSchema, metadata={"description": "409 : ce qui reste libre."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)
