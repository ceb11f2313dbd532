"""Reporting: the plan's indicators for a period, and the exports' period."""

from __future__ import annotations

from marshmallow import Schema, fields

from mobility.api.schemas.base import BasinCode, Day, EnumValue, QuerySchema
from mobility.booking.models import OutcomeCheckpoint
from mobility.fleet.models import VehicleCategory
from mobility.reporting.dashboard import ScopeKind
from mobility.reporting.dimensions import PrescriberKind


class PeriodQuerySchema(QuerySchema):
    date_from = Day(data_key="from", metadata={"description": "Premier jour (par défaut le 1er janvier)."})
    date_to = Day(data_key="to", metadata={"description": "Dernier jour, inclus (par défaut aujourd'hui)."})


class IndicatorQuerySchema(PeriodQuerySchema):
    basin = BasinCode(metadata={"description": "Bassin d'emploi des personnes ou des sites."})
    category = EnumValue(VehicleCategory, blank_allowed=True)
    prescriber_kind = EnumValue(PrescriberKind, blank_allowed=True)


def _figures(description: str):
    return fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        required=True,
        metadata={"description": description},
    )


class IndicatorFamiliesSchema(Schema):
    requests = _figures("Demandes faites dans la période : reçues, accordées, refusées, expirées, annulées.")
    rentals = _figures("Locations commençant dans la période : nombre, personnes, jours, prix et payé par jour (centimes).")
    fleet_use = _figures("Jours réservés sur jours réservables (hors indisponibilités), et le taux.")
    waiting = _figures("Inscriptions en file d'attente dans la période, et celles qui ont eu un véhicule.")


class IndicatorsSchema(Schema):
    scope = EnumValue(ScopeKind, required=True, metadata={"description": "Le plan, une association ou un prescripteur."})
    organisation_id = fields.Integer(required=True, allow_none=True)
    date_from = fields.Date(required=True, data_key="from")
    date_to = fields.Date(required=True, data_key="to")
    indicators = fields.Nested(IndicatorFamiliesSchema, required=True)
    outcomes = fields.Dict(
        keys=EnumValue(OutcomeCheckpoint),
        values=fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True)),
        required=True,
        metadata={"description": "Suites des locations de la période, par point d'étape."},
    )
