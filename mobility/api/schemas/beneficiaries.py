"""The people a référent's organisation follows, with what each may rent today."""

from __future__ import annotations

from marshmallow import Schema, fields

from mobility.api.schemas.base import AudienceSchema, QueryInteger, QuerySchema
from mobility.api.schemas.errors import RefusalSchema

BENEFICIARIES_PER_PAGE = 50
BENEFICIARIES_MAX_PER_PAGE = 100
MAX_PAGE = 100_000


class BeneficiaryPageQuerySchema(QuerySchema):
    page = QueryInteger(minimum=1, maximum=MAX_PAGE, load_default=1)
    per_page = QueryInteger(
        minimum=1, maximum=BENEFICIARIES_MAX_PER_PAGE, load_default=BENEFICIARIES_PER_PAGE
    )


class FollowedBeneficiarySchema(AudienceSchema):
    """A person followed; no name for admin tokens (the plan's tools never get names)."""

    privacy_subject = "person"

    id = fields.Integer(required=True)
    display_name = fields.String(metadata={"description": "Absent pour les administrateurs."})
    basin = fields.String(required=True, attribute="basin.code")
    holding_bookings = fields.Integer(required=True)
    eligible_categories = fields.List(fields.String(), required=True)
    refusals_by_category = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(RefusalSchema)), required=True
    )


class FollowedBeneficiaryPageSchema(Schema):
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    has_next = fields.Boolean(required=True, metadata={"description": "Une page suivante existe."})
    beneficiaries = fields.List(fields.Nested(FollowedBeneficiarySchema), required=True)
