"""Planning board pages, the site calendar feed (ICS) and its secret's renewal."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.core.time import today as today_of_france
from mobility.fleet import access, planning
from mobility.fleet.ics import render_calendar
from mobility.fleet.models import Site, VehicleCategory
from mobility.fleet.planning import MONTH, WEEK, Period
from mobility.notify.services import external_url
from mobility.territory import cached
from mobility.territory.models import EmploymentBasin

bp = Blueprint("planning", __name__, url_prefix="/flotte")


def _site_or_404(site_id: int) -> Site:
    """The site if the current user may see its planning; 404 otherwise, whether it exists or not."""
    site = access.get_visible_site(site_id, current_user)
    if site is None:
        abort(404)
    return site


def _period() -> Period:
    view = WEEK if request.args.get("vue") == WEEK else MONTH
    return Period.parse(view, request.args.get(view, ""), today_of_france())


def _category() -> VehicleCategory | None:
    try:
        return VehicleCategory(request.args.get("categorie", ""))
    except ValueError:
        return None


def period_title(period: Period) -> str:
    if period.view == MONTH:
        return format_date(period.first, "LLLL y")
    return _(
        "semaine du %(first)s au %(last)s",
        first=format_date(period.first, "d MMMM"),
        last=format_date(period.last, "d MMMM y"),
    )


def _week_within(period: Period) -> Period:
    """The week to switch to from a month: this week if the month is the current one."""
    today = today_of_france()
    return Period.week_of(today if period.first <= today <= period.last else period.first)


def day_headers(period: Period) -> list[tuple[str, str, bool]]:
    """(full date, column title, weekend) of each day, formatted once for every site's table."""
    week = period.view == WEEK
    return [
        (
            format_date(day, "full"),
            format_date(day, "EEE d MMM") if week else f"{format_date(day, 'EEEEE')} {day.day}",
            day.weekday() >= 5,
        )
        for day in period.days
    ]


def _render(sites: list[Site], *, site: Site | None, basin: EmploymentBasin | None):
    period = _period()
    category = _category()
    board = planning.build_board(sites, period, category)
    if site is not None:
        endpoint, values = "planning.site_board", {"site_id": site.id}
    else:
        endpoint, values = "planning.basin_board", {"basin_id": basin.id}
    filters = {"categorie": category.value} if category else {}
    return render_template(
        "fleet/planning.html",
        board=board,
        day_headers=day_headers(period),
        site=site,
        basin=basin,
        period_title=period_title(period),
        previous_url=url_for(endpoint, **values, **period.previous.query_args(), **filters),
        next_url=url_for(endpoint, **values, **period.next.query_args(), **filters),
        month_url=url_for(endpoint, **values, **Period.month_of(period.first).query_args(), **filters),
        week_url=url_for(endpoint, **values, **_week_within(period).query_args(), **filters),
        endpoint=endpoint,
        endpoint_values=values,
        categories=list(VehicleCategory),
        can_manage_calendar=site is not None and planning.can_manage_calendar(site, current_user),
        calendar_url=(
            external_url("planning.site_calendar", site_id=site.id, token=site.ics_token)
            if site is not None and planning.can_manage_calendar(site, current_user)
            else None
        ),
    )


@bp.route("/planning")
@role_required(Role.FLEET, Role.ADMIN)
def index():
    sites = list(db.session.scalars(access.visible_sites(current_user)))
    if len(sites) == 1:
        return redirect(url_for("planning.site_board", site_id=sites[0].id))
    basin_ids = {site.basin_id for site in sites}
    basins = [basin for basin in cached.basins() if basin.id in basin_ids]
    return render_template("fleet/planning_index.html", sites=sites, basins=basins)


@bp.route("/planning/sites/<int:site_id>")
@role_required(Role.FLEET, Role.ADMIN)
def site_board(site_id: int):
    site = _site_or_404(site_id)
    return _render([site], site=site, basin=None)


@bp.route("/planning/bassins/<int:basin_id>")
@role_required(Role.FLEET, Role.ADMIN)
def basin_board(basin_id: int):
    basin = db.get_or_404(EmploymentBasin, basin_id)
    sites = planning.sites_of_basin(basin, current_user)
    if not sites:
        abort(404)
    return _render(sites, site=None, basin=basin)


@bp.route("/sites/<int:site_id>/calendrier/<token>.ics")
def site_calendar(site_id: int, token: str):
    """The site's events for calendar applications. No login: the URL's secret is the key."""
    site = planning.site_by_calendar_token(site_id, token)
    if site is None:
        abort(404)
    now = utcnow()
    body = render_calendar(
        planning.site_calendar_events(site, now),
        name=_("Flotte — %(site)s", site=site.name),
        now=now,
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="site-{site.id}.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/sites/<int:site_id>/calendrier/renouveler", methods=["POST"])
@role_required(Role.FLEET, Role.ADMIN)
def renew_calendar_token(site_id: int):
    # CSRFProtect has already checked the form's token, as on every POST.
    site = _site_or_404(site_id)
    if not planning.can_manage_calendar(site, current_user):
        abort(404)
    planning.regenerate_calendar_token(site)
    db.session.commit()
    flash(
        _("Le lien du calendrier de « %(site)s » a été renouvelé : l'ancien lien ne fonctionne plus. "
          "Abonnez vos agendas au nouveau lien.", site=site.name),
        "success",
    )
    return redirect(url_for("planning.site_board", site_id=site.id))
