"""Dashboards (plan, association, prescriber), objectives and the exports page.

Who sees what: an admin the whole plan, and any organisation's dashboard; fleet staff their
association's; a référent their organisation's. Anyone else, and any other organisation, 404.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Organisation, OrganisationKind, Role
from mobility.auth.permissions import role_required
from mobility.core.time import today
from mobility.core.views import save_or_show
from mobility.extensions import db
from mobility.reporting import dashboard, objectives, services
from mobility.reporting.fines import fine_figures
from mobility.reporting.dimensions import Filters
from mobility.reporting.exports import EXPORTS, ExportSettings
from mobility.reporting.formats import Format
from mobility.reporting.forms import ExportForm, ObjectiveForm, PeriodForm
from mobility.reporting.incidents import incident_figures

bp = Blueprint("reporting", __name__, url_prefix="/tableau-de-bord")


def _default_period() -> tuple[date, date]:
    day = today()
    return date(day.year, 1, 1), day


def _period_form(form_class=PeriodForm):
    form = form_class(formdata=request.args if request.args else None)
    if not request.args:
        form.du.data, form.au.data = _default_period()
    return form


def _scope_of_current_user() -> dashboard.Scope:
    if current_user.role is Role.ADMIN:
        return dashboard.Scope(dashboard.ScopeKind.PLAN)
    if current_user.role is Role.FLEET:
        return dashboard.Scope(dashboard.ScopeKind.ASSOCIATION, current_user.organisation)
    return dashboard.Scope(dashboard.ScopeKind.PRESCRIBER, current_user.organisation)


def _organisation_scope_or_404(organisation_id: int) -> dashboard.Scope:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    if organisation.kind is OrganisationKind.ASSOCIATION:
        return dashboard.Scope(dashboard.ScopeKind.ASSOCIATION, organisation)
    return dashboard.Scope(dashboard.ScopeKind.PRESCRIBER, organisation)


def _render_dashboard(scope: dashboard.Scope):
    form = _period_form()
    if request.args and not form.validate():
        return render_template("reporting/dashboard.html", form=form, board=None, scope=scope), 422
    board = dashboard.build(scope, Filters(form.du.data, form.au.data), today())
    return render_template("reporting/dashboard.html", form=form, board=board, scope=scope)


@bp.route("")
@role_required(Role.ADMIN, Role.FLEET, Role.REFERENT)
def index():
    return _render_dashboard(_scope_of_current_user())


@bp.route("/amendes")
@role_required(Role.ADMIN, Role.FLEET)
def fines():
    """Fines per association and the share designated in time: admins all, an association its own."""
    form = _period_form()
    if request.args and not form.validate():
        return render_template("reporting/fines.html", form=form, rows=None), 422
    association_id = current_user.organisation_id if current_user.role is Role.FLEET else None
    rows = fine_figures(form.du.data, form.au.data, today(), association_id)
    return render_template("reporting/fines.html", form=form, rows=rows)


@bp.route("/organisations/<int:organisation_id>")
@role_required(Role.ADMIN)
def organisation(organisation_id: int):
    return _render_dashboard(_organisation_scope_or_404(organisation_id))


@bp.route("/objectifs", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def objectives_page():
    year = request.args.get("annee", type=int) or today().year
    if not 2000 <= year <= 2100:
        abort(404)
    form = ObjectiveForm()
    form.set_organisations(objectives.prescribers())
    if request.method == "GET":
        form.year.data = year
    status = 200
    if form.validate_on_submit():
        saved = save_or_show(
            form,
            lambda: objectives.set_objective(
                form.organisation_id.data, form.year.data, form.indicator.data, form.target.data, current_user
            ),
        )
        if saved:
            flash(_("Objectif enregistré."), "success")
            return redirect(url_for("reporting.objectives_page", annee=form.year.data))
        status = 422
    elif request.method == "POST":
        status = 422
    progress = objectives.progress(year, today())
    return render_template("reporting/objectives.html", form=form, year=year, progress=progress), status


@bp.route("/objectifs/<int:objective_id>/supprimer", methods=["POST"])
@role_required(Role.ADMIN)
def delete_objective(objective_id: int):
    # The CSRF token is checked by CSRFProtect, as for every POST.
    year = request.args.get("annee", type=int) or today().year
    if save_or_show(None, lambda: objectives.delete_objective(objective_id)):
        flash(_("Objectif supprimé."), "success")
    return redirect(url_for("reporting.objectives_page", annee=year))


@bp.route("/exports")
@role_required(Role.ADMIN)
def exports():
    form = _period_form(ExportForm)
    folders = services.nightly_folders(current_app.config["EXPORT_DIR"])
    if "export" in request.args:
        if form.validate():
            return _download(form)
        return render_template("reporting/exports.html", form=form, folders=folders, exports=EXPORTS), 422
    return render_template("reporting/exports.html", form=form, folders=folders, exports=EXPORTS)


def _download(form: ExportForm):
    fmt = Format(form.format.data)
    filters = Filters(form.du.data, form.au.data)
    built = services.build_export(form.export.data, fmt, filters, ExportSettings.from_config(current_app.config), today())
    record(AuditAction.EXPORT, "export", 0, fields=(form.export.data, fmt.value))
    db.session.commit()
    response = current_app.response_class(stream_with_context(built.chunks), mimetype=built.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response


@bp.route("/exports/schemas/<name>.schema.json")
@role_required(Role.ADMIN)
def schema(name: str):
    if name not in EXPORTS:
        abort(404)
    built = services.build_schema(name, today())
    response = current_app.response_class(b"".join(built.chunks), mimetype=built.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response


@bp.route("/exports/nuit/<day>/<filename>")
@role_required(Role.ADMIN)
def nightly_file(day: str, filename: str):
    # Only a file the listing shows: never a path built from the URL.
    for folder_day, files in services.nightly_folders(current_app.config["EXPORT_DIR"]):
        if folder_day.isoformat() == day:
            for path in files:
                if path.name == filename:
                    record(AuditAction.EXPORT, "export", 0, fields=(filename,))
                    db.session.commit()
                    return send_file(Path(path), as_attachment=True, download_name=filename)
    abort(404)


@bp.route("/sinistres")
@role_required(Role.ADMIN, Role.FLEET)
def incidents():
    """Incidents per 1,000 rental-days and days off the road: the plan's (admins) or one
    association's (its staff); figures only, never an incident or a person."""
    form = _period_form()
    if request.args and not form.validate():
        return render_template("reporting/incidents.html", form=form, figures=None), 422
    association_id = current_user.organisation_id if current_user.role is Role.FLEET else None
    figures = incident_figures(Filters(form.du.data, form.au.data, association_id=association_id))
    return render_template("reporting/incidents.html", form=form, figures=figures)
