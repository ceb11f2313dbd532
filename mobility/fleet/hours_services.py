"""Writing a site's opening hours and closing periods (the rules: fleet.opening_hours)."""

from __future__ import annotations

from datetime import date, time

from flask_babel import gettext as _

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import User
from mobility.core.db import ConstraintViolated, savepoint
from mobility.extensions import db
from mobility.fleet.models import Site
from mobility.fleet.opening_hours import SiteClosure, SiteOpeningHours
from mobility.fleet.services import FleetError


def current_week(site: Site) -> dict[int, dict[str, time | None]]:
    rows = db.session.scalars(db.select(SiteOpeningHours).where(SiteOpeningHours.site_id == site.id))
    return {
        row.weekday: {
            "morning_opens": row.morning_opens,
            "morning_closes": row.morning_closes,
            "afternoon_opens": row.afternoon_opens,
            "afternoon_closes": row.afternoon_closes,
        }
        for row in rows
    }


def set_site_hours(site: Site, week: dict[int, dict[str, time | None]], actor: User) -> None:
    """Replace the site's weekly hours; a weekday whose ranges are all empty is closed."""
    try:
        with savepoint():
            db.session.execute(db.delete(SiteOpeningHours).where(SiteOpeningHours.site_id == site.id))
            for weekday, parts in sorted(week.items()):
                if parts.get("morning_opens") is None and parts.get("afternoon_opens") is None:
                    continue
                db.session.add(SiteOpeningHours(site_id=site.id, weekday=weekday, **parts))
    except ConstraintViolated:
        # The form checks each range first; the database's CHECKs are the last word.
        raise FleetError(
            _("Ces horaires ne sont pas possibles : chaque plage finit après son début, et le matin avant l'après-midi.")
        ) from None
    record(AuditAction.UPDATE, "site", site.id, actor=actor, fields=("opening_hours",))


def closures_of(site: Site, from_day: date | None = None) -> list[SiteClosure]:
    query = db.select(SiteClosure).where(SiteClosure.site_id == site.id)
    if from_day is not None:
        query = query.where(SiteClosure.ends_on >= from_day)
    return list(db.session.scalars(query.order_by(SiteClosure.starts_on)))


def add_closure(site: Site, starts_on: date, ends_on: date, reason: str, actor: User) -> SiteClosure:
    reason = (reason or "").strip()
    if not reason:
        raise FleetError(_("Dites pourquoi le site est fermé (par exemple : congés de l'équipe)."), field="reason")
    if ends_on < starts_on:
        raise FleetError(_("Le dernier jour doit être le premier jour ou après."), field="ends_on")
    closure = SiteClosure(site_id=site.id, starts_on=starts_on, ends_on=ends_on, reason=reason, created_by_id=actor.id)
    db.session.add(closure)
    db.session.flush()
    record(AuditAction.CREATE, "site_closure", closure.id, actor=actor)
    return closure


def closure_of(site: Site, closure_id: int) -> SiteClosure | None:
    closure = db.session.get(SiteClosure, closure_id)
    return closure if closure is not None and closure.site_id == site.id else None


def delete_closure(closure: SiteClosure, actor: User) -> None:
    record(AuditAction.DELETE, "site_closure", closure.id, actor=actor)
    db.session.delete(closure)
    db.session.flush()
