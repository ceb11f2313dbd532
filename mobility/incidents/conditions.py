"""This floor's implementations of the ports of the floors below it (plugged by create_app):
the photos and new damage of a handover (booking.ports.HandoverCondition), and the vehicle
page's incidents, claims and repairs (fleet.ports.VehicleEvents)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from mobility.auth.models import User
from mobility.booking.models import Handover, HandoverKind
from mobility.booking.ports import PhotoView
from mobility.core.time import local_midnight, utcnow
from mobility.extensions import db
from mobility.fleet.models import MaintenanceKind, Vehicle
from mobility.fleet.ports import VehicleEvent
from mobility.incidents.models import ConditionPhoto, IncidentKind
from mobility.incidents.photos import read_uploads, store_photos
from mobility.incidents.rules import incident_settings
from mobility.incidents.services import IncidentReport, incidents_of_vehicle, report_incident, repeated_incidents


class IncidentConditions:
    """Handover photos, and the incident a new damage at the return opens in the same step."""

    def photos_of(self, handover: Handover) -> list[PhotoView]:
        photos = db.session.scalars(
            select(ConditionPhoto).where(ConditionPhoto.handover_id == handover.id).order_by(ConditionPhoto.id)
        )
        return [
            PhotoView(
                url=url_for("incidents.photo", photo_id=photo.id),
                alt=_("Photo %(number)s, %(moment)s", number=number, moment=handover.kind.label),
            )
            for number, photo in enumerate(photos, start=1)
        ]

    def record_condition(
        self, handover: Handover, photos: Sequence, new_damage: str | None, actor: User
    ) -> str | None:
        cleaned = read_uploads(photos)
        if new_damage and handover.kind == HandoverKind.RETURN:
            booking = handover.booking
            incident = report_incident(
                booking.vehicle,
                booking,
                IncidentReport(
                    kind=IncidentKind.OTHER,
                    occurred_at=handover.recorded_at or utcnow(),
                    place=_("Constaté au retour, %(site)s", site=booking.vehicle.site.name),
                    description=new_damage,
                ),
                [],
                actor,
                handover=handover,
                now=handover.recorded_at or utcnow(),
            )
            store_photos(cleaned, actor, incident_id=incident.id, handover_id=handover.id)
            return incident.reference
        store_photos(cleaned, actor, handover_id=handover.id)
        return None


class IncidentVehicleEvents:
    def events_of(self, vehicle: Vehicle) -> list[VehicleEvent]:
        events = []
        for incident in incidents_of_vehicle(vehicle):
            url = url_for("incidents.show", incident_id=incident.id)
            events.append(
                VehicleEvent(_("Incident : %(kind)s", kind=incident.kind.label), incident.reference, url,
                             incident.occurred_at, incident.status.label)
            )
            claim = incident.claim
            if claim is not None:
                status = (_("déclaré le %(day)s", day=claim.declared_on.strftime("%d/%m/%Y"))
                          if claim.declared_on else _("à déclarer avant le %(day)s", day=claim.deadline_on.strftime("%d/%m/%Y")))
                events.append(VehicleEvent(_("Déclaration de sinistre"), claim.reference, url, claim.created_at, status))
        for repair in vehicle.maintenance_records:
            if repair.kind == MaintenanceKind.REPAIR:
                events.append(
                    VehicleEvent(_("Réparation"), repair.garage or _("atelier non précisé"), None,
                                 local_midnight(repair.done_on), _("faite"))
                )
        return events

    def warnings_of(self, vehicle: Vehicle) -> list[str]:
        count = repeated_incidents(vehicle)
        if count is None:
            return []
        months = incident_settings().repeat_months
        return [
            ngettext(
                "Incidents répétés : %(num)d incidents en %(months)s mois. Vérifiez l'état du véhicule.",
                "Incidents répétés : %(num)d incidents en %(months)s mois. Vérifiez l'état du véhicule.",
                count,
                months=months,
            )
        ]
