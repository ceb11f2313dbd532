"""Who sees which site: the one rule, for the fleet pages, the planning and the bookings' fleet
lists. Fleet staff see their association's sites, admins every site, anyone else none."""

from __future__ import annotations

from sqlalchemy import Select, select

from mobility.auth.models import Role, User
from mobility.extensions import db
from mobility.fleet.models import Site


def visible_sites(user: User, *, active_only: bool = False) -> Select:
    query = select(Site).order_by(Site.name)
    if active_only:
        query = query.where(Site.active)
    if not user.is_authenticated:
        return query.where(False)
    if user.role is Role.ADMIN:
        return query
    if user.role is Role.FLEET:
        return query.where(Site.association_id == user.organisation_id)
    return query.where(False)


def get_visible_site(site_id: int, user: User) -> Site | None:
    return db.session.scalar(visible_sites(user).where(Site.id == site_id))
