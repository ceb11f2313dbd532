"""Loading what a fleet page is about, checked per object: someone else's site is a 404."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from mobility.fleet import services
from mobility.fleet.models import Site


def site_or_404(site_id: int) -> Site:
    site = services.get_visible_site(site_id, current_user)
    if site is None:
        abort(404)
    return site
