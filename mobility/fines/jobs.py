"""Scheduled work of the fines (mobility/scheduler.py says when).

- The association staff's daily deadlines digest gets a section listing the fines to designate
  within FINES_DUE_SOON_DAYS or late (a digest contributor, handed to the digest by the
  scheduler).
- Retention: a fine points to the person's file and copies nothing of it, so it becomes
  pseudonymous with the file. It is kept, pseudonymous, because the association must be able
  to show what it did with an avis it received as holder of the registration certificate
  (designation made, or fine paid) for as long as the offence or the non-designation fine can
  be pursued or recovered, and for its accounts. What staff wrote in its log (reasons) may
  name the person: it goes with the file, in the same retention run.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking import retention_jobs
from mobility.extensions import db
from mobility.fines.models import Fine, FineTransition
from mobility.fines.services import due_fines
from mobility.notify.digests import DigestSection
from mobility.notify.services import external_url


def deadlines_section(user: User, today: date) -> DigestSection | None:
    """The fines of the staff member's association to designate soon, or late."""
    if user.role is not Role.FLEET:
        return None
    fines = due_fines(user.organisation_id, today)
    if not fines:
        return None
    with force_locale(user.locale or "fr"):
        lines = []
        for fine in fines:
            left = fine.days_left(today)
            when = (
                ngettext("en retard de %(num)d jour", "en retard de %(num)d jours", -left)
                if left < 0
                else _("à désigner avant le %(day)s", day=fine.designation_due_on.strftime("%d/%m/%Y"))
            )
            lines.append(f"{fine.reference} — {fine.vehicle.plate} : {when}")
        return DigestSection(
            title=_("Amendes : conducteurs à désigner dans les 10 jours ou en retard :"),
            lines=tuple(lines),
            link=external_url("fines.index"),
        )


def scrub_anonymised_files() -> int:
    """Free text of the fines of anonymised files goes (the reasons of their log)."""
    anonymised = select(Beneficiary.id).where(Beneficiary.anonymised_on.is_not(None))
    fines = select(Fine.id).where(Fine.beneficiary_id.in_(anonymised))
    result = db.session.execute(
        update(FineTransition)
        .where(FineTransition.fine_id.in_(fines), FineTransition.reason.is_not(None))
        .values(reason=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def retention(now: datetime, wet: bool = True) -> dict:
    """The files' retention (booking floor), then what the fines hold of the files it anonymised."""
    summary = retention_jobs.retention(now, wet)
    scrubbed = scrub_anonymised_files()
    summary["detail"] = f"{summary.get('detail', '')} fine_reasons_scrubbed={scrubbed}".strip()
    return summary
