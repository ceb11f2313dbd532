"""Fines: the avis de contravention of an association's vehicles, with their designation."""

from __future__ import annotations

from marshmallow import Schema, fields

from mobility.api.schemas.base import EnumValue, ParisMoment, QueryInteger, QuerySchema
from mobility.api.schemas.beneficiaries import MAX_PAGE
from mobility.fines.models import DriverFinding, FineStatus, OffenceKind

FINES_PER_PAGE = 50
FINES_MAX_PER_PAGE = 100


class FinePageQuerySchema(QuerySchema):
    page = QueryInteger(minimum=1, maximum=MAX_PAGE, load_default=1)
    per_page = QueryInteger(minimum=1, maximum=FINES_MAX_PER_PAGE, load_default=FINES_PER_PAGE)
    status = EnumValue(FineStatus, blank_allowed=True)


class FineSchema(Schema):
    """A fine. The driver is a file number (`beneficiary_id`), never a name."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True, metadata={"example": "AM-00001"})
    vehicle_id = fields.Integer(required=True)
    plate = fields.String(required=True)
    notice_number = fields.String(required=True, metadata={"description": "Numéro de l'avis (10 chiffres)."})
    offence_at = ParisMoment(required=True, metadata={"description": "Date et heure de l'infraction, heure de Paris."})
    place = fields.String(required=True)
    kind = EnumValue(OffenceKind, required=True)
    kind_label = fields.String(required=True)
    requires_designation = fields.Boolean(required=True)
    amount_cents = fields.Integer(required=True, metadata={"description": "Montant en centimes d'euro."})
    notice_sent_on = fields.Date(required=True)
    designation_due_on = fields.Date(required=True, metadata={"description": "45 jours après l'envoi (L121-6)."})
    days_left = fields.Integer(required=True, metadata={"description": "Jours restants (négatif : en retard)."})
    finding = EnumValue(DriverFinding, required=True)
    status = EnumValue(FineStatus, required=True)
    status_label = fields.String(required=True)
    booking_id = fields.Integer(required=True, allow_none=True)
    beneficiary_id = fields.Integer(required=True, allow_none=True)
    designation_reference = fields.String(required=True, allow_none=True)
    designated_on = fields.Date(required=True, allow_none=True)


class FinePageSchema(Schema):
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    fines = fields.List(fields.Nested(FineSchema), required=True)
