"""The incidents' part of a person's data (beneficiaries.ports.PersonalDataSource): the
incidents during their rentals, reported by them or by the staff, with their photos and history."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.ports import DataSection
from mobility.extensions import db
from mobility.incidents.models import Incident

CLAIM_RECORD = "Names the association's staff member who opened the insurance claim; a beneficiary account never does."


class IncidentsPersonalData:
    def sections(self, beneficiary: Beneficiary) -> list[DataSection]:
        incidents = db.session.scalars(
            select(Incident).where(Incident.beneficiary_id == beneficiary.id).order_by(Incident.occurred_at, Incident.id)
        )
        return [
            DataSection(
                key="incidents",
                title=_("Incidents pendant vos locations"),
                labels={
                    "reference": _("Dossier"),
                    "kind": _("Nature"),
                    "occurred_at": _("Le"),
                    "place": _("Lieu"),
                    "description": _("Ce qui s'est passé"),
                    "police_report_reference": _("Procès-verbal ou constat"),
                    "reported_by": _("Signalé par"),
                    "photos": _("Photos"),
                    "status": _("État"),
                    "history": _("Historique"),
                },
                items=[
                    {
                        "reference": incident.reference,
                        "kind": incident.kind.label,
                        "occurred_at": incident.occurred_at,
                        "place": incident.place,
                        "description": incident.description,
                        "police_report_reference": incident.police_report_reference,
                        "reported_by": incident.reported_by.full_name if incident.reported_by else _("le service"),
                        "photos": len(incident.photos),
                        "status": incident.status.label,
                        "history": [
                            f"{move.occurred_at.isoformat(timespec='minutes')} : {move.to_status.label}"
                            for move in incident.transitions
                        ],
                    }
                    for incident in incidents
                ],
                empty=_("Aucun incident."),
                covers=(
                    "incident.beneficiary_id",
                    "incident.reported_by_id",
                    "incident_transition.actor_id",
                    "condition_photo.uploaded_by_id",
                ),
            )
        ]

    def left_out(self) -> dict[str, str]:
        return {"insurance_claim.created_by_id": CLAIM_RECORD}
