"""The fleet's VehicleEvents port, answered with fines: the vehicle page lists its fines."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from mobility.core.time import today
from mobility.fines.rules import fines_settings
from mobility.fines.services import fines_of_vehicle
from mobility.fleet.models import Vehicle
from mobility.fleet.ports import VehicleEvent


class FineHistory:
    def events_of(self, vehicle: Vehicle) -> list[VehicleEvent]:
        return [
            VehicleEvent(
                kind_label=_("Amende"),
                reference=fine.reference,
                url=url_for("fines.show", fine_id=fine.id),
                on=fine.offence_at,
                status_label=fine.status.label,
                detail=fine.kind.label,
            )
            for fine in fines_of_vehicle(vehicle)
        ]

    def warnings_of(self, vehicle: Vehicle) -> list[str]:
        day = today()
        soon = fines_settings().due_soon_days
        return [
            _("Amende %(reference)s : conducteur à désigner avant le %(day)s.",
              reference=fine.reference, day=fine.designation_due_on.strftime("%d/%m/%Y"))
            for fine in fines_of_vehicle(vehicle)
            if fine.designation_pending() and fine.days_left(day) <= soon
        ]
