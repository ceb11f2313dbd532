"""Scheduled work of incidents (mobility/scheduler.py says when).

Retention follows the person's file: once the retention job has anonymised a file, the free
text of the incidents of that person's rentals (place, account, police reference, reasons) and
their photos go too; the facts the plan counts (kind, dates, vehicle, claim amounts) stay.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.extensions import db
from mobility.incidents.models import ConditionPhoto, Incident, IncidentTransition
from mobility.incidents.photos import photo_path
from mobility.incidents.services import claims_due
from mobility.notify.digests import DigestSection
from mobility.notify.services import external_url

SCRUBBED = "-"


def scrub_anonymised(now: datetime, wet: bool = True) -> dict:
    incident_ids = list(
        db.session.scalars(
            select(Incident.id)
            .join(Beneficiary, Beneficiary.id == Incident.beneficiary_id)
            .where(Beneficiary.anonymised_on.is_not(None), Incident.description != SCRUBBED)
            .order_by(Incident.id)
            .limit(500)
        )
    )
    if not wet or not incident_ids:
        return {"rows": len(incident_ids), "detail": "" if wet else "(dry run)"}
    photos = list(db.session.scalars(select(ConditionPhoto).where(ConditionPhoto.incident_id.in_(incident_ids))))
    paths = [photo_path(photo) for photo in photos]
    for photo in photos:
        db.session.delete(photo)
    db.session.execute(
        update(Incident)
        .where(Incident.id.in_(incident_ids))
        .values(description=SCRUBBED, place=SCRUBBED, police_report_reference=None)
    )
    db.session.execute(update(IncidentTransition).where(IncidentTransition.incident_id.in_(incident_ids)).values(reason=None))
    for incident_id in incident_ids:
        record(AuditAction.ANONYMISE, "incident", incident_id)
    db.session.flush()
    # The scheduler commits the work with its run mark. Should that commit fail, the rows come
    # back without their files: the photo page answers 404 and the next run deletes them again.
    for path in paths:
        path.unlink(missing_ok=True)
    return {"rows": len(incident_ids), "detail": f"incidents={len(incident_ids)} photos={len(paths)}"}


def claims_section(user: User, today: date) -> DigestSection | None:
    """The insurance claims of the staff member's association to declare soon, or late."""
    if user.role is not Role.FLEET:
        return None
    claims = claims_due(user.organisation_id, today)
    if not claims:
        return None
    with force_locale(user.locale or "fr"):
        lines = []
        for due in claims:
            day = due.deadline_on.strftime("%d/%m/%Y")
            when = (
                _("en retard, à déclarer avant le %(day)s", day=day)
                if due.late
                else _("à déclarer avant le %(day)s", day=day)
            )
            lines.append(f"{due.incident.reference} ({due.incident.vehicle.plate}, {due.incident.kind.label}) : {when}")
        return DigestSection(
            title=_("Sinistres à déclarer à l'assureur dans les deux jours ouvrés ou en retard :"),
            lines=tuple(lines),
            link=external_url("incidents.index"),
        )
