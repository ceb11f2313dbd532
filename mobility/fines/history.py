"""The fleet's VehicleRecords port, answered with fines: the vehicle page lists its fines."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from mobility.core.time import today
from mobility.fines.services import fines_of_vehicle
from mobility.fleet.models import Vehicle
from mobility.fleet.ports import VehicleRecord
from mobility.fines.rules import fines_settings


class FineHistory:
    def heading(self) -> str:
        return _("Amendes")

    def records_of(self, vehicle: Vehicle) -> list[VehicleRecord]:
        day = today()
        soon = fines_settings().due_soon_days
        return [
            VehicleRecord(
                reference=fine.reference,
                url=url_for("fines.show", fine_id=fine.id),
                occurred_at=fine.offence_at,
                summary=fine.kind.label,
                status_label=fine.status.label,
                flagged=fine.designation_pending() and fine.days_left(day) <= soon,
            )
            for fine in fines_of_vehicle(vehicle)
        ]
