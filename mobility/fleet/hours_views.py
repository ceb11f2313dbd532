"""/flotte/sites/<id>/horaires: a site's weekly hours and closing periods (its association's
fleet staff only; another association's site answers 404, as every fleet page)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.core.time import today as today_of_france
from mobility.core.views import save_or_show
from mobility.extensions import db
from mobility.fleet import hours_services
from mobility.fleet.hours_forms import PARTS, ClosureForm, SiteHoursForm
from mobility.fleet.opening_hours import WEEKDAYS, hours_text, public_holiday, schedule_of, weekday_name
from mobility.fleet.loaders import site_or_404


def _page(site, hours_form, closure_form, status=200):
    today = today_of_france()
    upcoming_holidays = [
        (day, name)
        for day, name in (
            (today + timedelta(days=offset), public_holiday(today + timedelta(days=offset))) for offset in range(366)
        )
        if name is not None
    ][:6]
    return (
        render_template(
            "fleet/site_hours.html",
            site=site,
            hours_form=hours_form,
            closure_form=closure_form,
            weekdays=[(weekday, weekday_name(weekday)) for weekday in WEEKDAYS],
            parts=PARTS,
            schedule=schedule_of(site.id),
            closures=hours_services.closures_of(site, today),
            holidays=upcoming_holidays,
        ),
        status,
    )


@role_required(Role.FLEET)
def site_hours(site_id: int):
    site = site_or_404(site_id)
    form = SiteHoursForm(prefix="hours")
    if request.method == "GET":
        form.fill(hours_services.current_week(site))
    elif form.validate_on_submit():
        if save_or_show(form, lambda: hours_services.set_site_hours(site, form.week(), current_user)):
            flash(_("Les horaires du site %(site)s sont enregistrés.", site=site.name), "success")
            return redirect(url_for("fleet.site_hours", site_id=site.id), 303)
    return _page(site, form, ClosureForm(prefix="closure", formdata=None), 422 if request.method == "POST" else 200)


@role_required(Role.FLEET)
def site_closure_add(site_id: int):
    site = site_or_404(site_id)
    form = ClosureForm(prefix="closure")
    if form.validate_on_submit():
        saved = save_or_show(
            form,
            lambda: hours_services.add_closure(
                site, form.starts_on.data, form.ends_on.data, form.reason.data, current_user
            ),
        )
        if saved:
            flash(_("La fermeture du site est enregistrée."), "success")
            return redirect(url_for("fleet.site_hours", site_id=site.id), 303)
    hours_form = SiteHoursForm(prefix="hours", formdata=None)
    hours_form.fill(hours_services.current_week(site))
    return _page(site, hours_form, form, 422)


@role_required(Role.FLEET)
def site_closure_delete(site_id: int, closure_id: int):
    site = site_or_404(site_id)
    closure = hours_services.closure_of(site, closure_id)
    if closure is None:
        abort(404)
    hours_services.delete_closure(closure, current_user)
    db.session.commit()
    flash(_("La fermeture est supprimée."), "success")
    return redirect(url_for("fleet.site_hours", site_id=site.id), 303)


def site_hours_text(site) -> str:
    """A site's hours as a person reads them (weekly hours, then the staff's remark)."""
    return hours_text(site)


def register(bp) -> None:
    """The site's hours pages, on the fleet's blueprint (endpoints fleet.site_hours, …)."""
    bp.add_url_rule("/sites/<int:site_id>/horaires", view_func=site_hours, methods=["GET", "POST"])
    bp.add_url_rule("/sites/<int:site_id>/fermetures", view_func=site_closure_add, methods=["POST"])
    bp.add_url_rule(
        "/sites/<int:site_id>/fermetures/<int:closure_id>/supprimer", view_func=site_closure_delete, methods=["POST"]
    )
    bp.add_app_template_global(site_hours_text, "site_hours")
