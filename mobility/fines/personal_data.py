"""The fines' part of a person's data (beneficiaries.ports.PersonalDataSource): the avis for
which the records name the person as the driver, with what was done and when."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.ports import DataSection
from mobility.extensions import db
from mobility.fines.models import Fine

STAFF_RECORD = "Names the association's staff member who recorded the avis or moved it; a beneficiary account never does."


class FinesPersonalData:
    def sections(self, beneficiary: Beneficiary) -> list[DataSection]:
        fines = db.session.scalars(
            select(Fine).where(Fine.beneficiary_id == beneficiary.id).order_by(Fine.offence_at, Fine.id)
        )
        return [
            DataSection(
                key="fines",
                title=_("Amendes où vous êtes désigné ou à désigner comme conducteur"),
                labels={
                    "reference": _("Dossier"),
                    "offence_at": _("Infraction le"),
                    "place": _("Lieu"),
                    "kind": _("Nature"),
                    "amount_cents": _("Montant (centimes)"),
                    "designation_due_on": _("À désigner avant le"),
                    "status": _("État"),
                    "designated_on": _("Désignation faite le"),
                    "history": _("Historique"),
                },
                items=[
                    {
                        "reference": fine.reference,
                        "offence_at": fine.offence_at,
                        "place": fine.place,
                        "kind": fine.kind.label,
                        "amount_cents": fine.amount_cents,
                        "designation_due_on": fine.designation_due_on,
                        "status": fine.status.label,
                        "designated_on": fine.designated_on,
                        "history": [
                            f"{move.occurred_at.isoformat(timespec='minutes')} : {move.to_status.label}"
                            for move in fine.transitions
                        ],
                    }
                    for fine in fines
                ],
                empty=_("Aucune amende."),
                covers=("fine.beneficiary_id",),
            )
        ]

    def left_out(self) -> dict[str, str]:
        return {"fine.created_by_id": STAFF_RECORD, "fine_transition.actor_id": STAFF_RECORD}
