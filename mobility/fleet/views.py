"""Fleet pages for association staff: vehicles, sites, odometer, unavailability, maintenance, documents.

Every object is loaded through a loader scoped on the user's association: anything else 404s.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_login import current_user

from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.core.time import day_span
from mobility.core.time import today as today_of_france
from mobility.core.views import save_or_show, show_refusal
from mobility.core.boundary import parse_bounded_int
from mobility.extensions import db
from mobility.fleet.ports import plugged
from mobility.fleet import documents, hours_views, services
from mobility.fleet.loaders import site_or_404
from mobility.fleet.forms import (
    DocumentForm,
    MaintenanceForm,
    OdometerForm,
    SiteForm,
    UnavailabilityForm,
    VehicleForm,
)
from mobility.fleet.models import (
    OdometerSource,
    Site,
    Unavailability,
    Vehicle,
    VehicleCategory,
    VehicleDocument,
    VehicleStatus,
)
from mobility.territory import cached

bp = Blueprint("fleet", __name__, url_prefix="/flotte")
# The site's hours pages: a module of their own, named here.
hours_views.register(bp)


def _status() -> int:
    """A form shown again after a POST was refused: 422 Unprocessable Content."""
    return 422 if request.method == "POST" else 200


# --- Loaders (per-object permission checks live here, and only here) ----------------------------


def vehicle_or_404(vehicle_id: int) -> Vehicle:
    """The vehicle if it belongs to the current user's association; 404 otherwise."""
    vehicle = services.get_visible_vehicle(vehicle_id, current_user)
    if vehicle is None:
        abort(404)
    return vehicle


def unavailability_or_404(vehicle: Vehicle, unavailability_id: int) -> Unavailability:
    unavailability = db.session.get(Unavailability, unavailability_id)
    if unavailability is None or unavailability.vehicle_id != vehicle.id:
        abort(404)
    return unavailability


def document_or_404(vehicle: Vehicle, document_id: int) -> VehicleDocument:
    document = db.session.get(VehicleDocument, document_id)
    if document is None or document.vehicle_id != vehicle.id:
        abort(404)
    return document


@bp.app_template_filter("cents_as_euros")
def cents_as_euros(cents: int | None) -> str:
    if cents is None:
        return "—"
    return format_currency(cents / 100, "EUR")


# --- Vehicles -----------------------------------------------------------------------------------


def _enum_arg(enum_class, name):
    try:
        return enum_class(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/vehicules")
@role_required(Role.FLEET)
def vehicles():
    sites = services.sites_of(current_user)
    site_id = parse_bounded_int(request.args.get("site"), minimum=1)
    if site_id not in {site.id for site in sites}:
        site_id = None
    category = _enum_arg(VehicleCategory, "categorie")
    status = _enum_arg(VehicleStatus, "etat")
    page = db.paginate(
        services.visible_vehicles(current_user, site_id=site_id, category=category, status=status),
        per_page=25,
        error_out=False,
    )
    filters = {
        "site": site_id or "",
        "categorie": category.value if category else "",
        "etat": status.value if status else "",
    }
    return render_template(
        "fleet/vehicles.html",
        page=page,
        sites=sites,
        filters=filters,
        categories=list(VehicleCategory),
        statuses=list(VehicleStatus),
        today=today_of_france(),
    )


def _vehicle_form(vehicle: Vehicle | None = None) -> VehicleForm:
    form = VehicleForm(obj=vehicle)
    sites = services.sites_of(current_user, active_only=True)
    if vehicle is not None and not vehicle.site.active:
        sites.append(vehicle.site)
    form.set_choices(sites)
    if vehicle is not None:
        del form.initial_km
    elif request.method == "GET" and len(sites) == 1:
        form.site_id.data = sites[0].id
    return form


def _vehicle_data(form: VehicleForm) -> dict:
    return {name: form[name].data for name in services.VEHICLE_FIELDS}


@bp.route("/vehicules/nouveau", methods=["GET", "POST"])
@role_required(Role.FLEET)
def vehicle_create():
    form = _vehicle_form()
    if form.validate_on_submit():
        vehicle = save_or_show(
            form,
            lambda: services.create_vehicle(_vehicle_data(form), current_user, initial_km=form.initial_km.data),
        )
        if vehicle:
            flash(_("Le véhicule %(plate)s est enregistré.", plate=vehicle.plate), "success")
            return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id))
    has_sites = bool(form.site_id.choices[1:])
    return render_template("fleet/vehicle_form.html", form=form, vehicle=None, has_sites=has_sites), _status()


@bp.route("/vehicules/<int:vehicle_id>")
@role_required(Role.FLEET)
def vehicle(vehicle_id: int):
    vehicle = vehicle_or_404(vehicle_id)
    today = today_of_france()
    return render_template(
        "fleet/vehicle.html",
        vehicle=vehicle,
        alerts=vehicle.alerts(today),
        totals=services.maintenance_totals(vehicle),
        current_km=vehicle.current_odometer_km,
        today=today,
        **_latest_uses(vehicle),
        events=sorted(
            (event for source in plugged().vehicle_events for event in source.events_of(vehicle)),
            key=lambda event: event.on,
            reverse=True,
        ),
        warnings=[warning for source in plugged().vehicle_events for warning in source.warnings_of(vehicle)],
    )


# The vehicle page shows this many of its latest rentals (the bookings list has them all).
VEHICLE_PAGE_USES = 20


def _latest_uses(vehicle) -> dict:
    uses, total = [], 0
    for history in plugged().vehicle_histories:
        found, count = history.uses_of(vehicle, VEHICLE_PAGE_USES)
        uses += found
        total += count
    return {"uses": uses, "use_count": total}


@bp.route("/vehicules/<int:vehicle_id>/modifier", methods=["GET", "POST"])
@role_required(Role.FLEET)
def vehicle_edit(vehicle_id: int):
    vehicle = vehicle_or_404(vehicle_id)
    form = _vehicle_form(vehicle)
    if form.validate_on_submit():
        if save_or_show(form, lambda: services.update_vehicle(vehicle, _vehicle_data(form), current_user)):
            flash(_("Le véhicule %(plate)s est enregistré.", plate=vehicle.plate), "success")
            return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id))
    return render_template("fleet/vehicle_form.html", form=form, vehicle=vehicle, has_sites=True), _status()


def _sub_form_page(template: str, vehicle_id: int, form, action):
    """Shared flow of the vehicle's small forms: validate, call the service, commit once."""
    vehicle = vehicle_or_404(vehicle_id)
    if form.validate_on_submit():
        message = save_or_show(form, lambda: action(vehicle, form))
        if message:
            flash(message, "success")
            return redirect(url_for("fleet.vehicle", vehicle_id=vehicle_id))
    return render_template(
        template, form=form, vehicle=vehicle, current_km=vehicle.current_odometer_km
    ), _status()


@bp.route("/vehicules/<int:vehicle_id>/kilometrage", methods=["GET", "POST"])
@role_required(Role.FLEET)
def odometer_add(vehicle_id: int):
    form = OdometerForm()
    if request.method == "GET":
        form.read_on.data = today_of_france()

    def action(vehicle, form):
        try:
            services.record_odometer(
                vehicle,
                form.read_on.data,
                form.km.data,
                OdometerSource.MANUAL,
                current_user,
                implausible_confirmed=form.km_confirmed.data,
            )
        except services.ImplausibleOdometer:
            form.implausible_asked = True  # the page shows the question's checkbox
            raise
        return _("Le relevé de %(km)s km est enregistré.", km=form.km.data)

    return _sub_form_page("fleet/odometer_form.html", vehicle_id, form, action)


@bp.route("/vehicules/<int:vehicle_id>/indisponibilites/nouvelle", methods=["GET", "POST"])
@role_required(Role.FLEET)
def unavailability_add(vehicle_id: int):
    form = UnavailabilityForm()

    def action(vehicle, form):
        starts_at, ends_at = day_span(form.first_day.data, form.last_day.data)
        services.add_unavailability(
            vehicle, starts_at, ends_at, form.kind.data, form.reason.data, current_user
        )
        return _("La période d'indisponibilité est enregistrée.")

    return _sub_form_page("fleet/unavailability_form.html", vehicle_id, form, action)


@bp.route("/vehicules/<int:vehicle_id>/indisponibilites/<int:unavailability_id>/supprimer", methods=["POST"])
@role_required(Role.FLEET)
def unavailability_delete(vehicle_id: int, unavailability_id: int):
    vehicle = vehicle_or_404(vehicle_id)
    unavailability = unavailability_or_404(vehicle, unavailability_id)
    services.delete_unavailability(unavailability, current_user)
    db.session.commit()
    flash(_("La période d'indisponibilité est supprimée."), "success")
    return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id))


@bp.route("/vehicules/<int:vehicle_id>/entretiens/nouveau", methods=["GET", "POST"])
@role_required(Role.FLEET)
def maintenance_add(vehicle_id: int):
    form = MaintenanceForm()
    if request.method == "GET":
        form.done_on.data = today_of_france()

    def action(vehicle, form):
        try:
            services.add_maintenance(
                vehicle,
                done_on=form.done_on.data,
                kind=form.kind.data,
                odometer_km=form.odometer_km.data,
                cost_cents=form.cost_cents,
                garage=form.garage.data,
                notes=form.notes.data,
                actor=current_user,
                km_confirmed=form.km_confirmed.data,
            )
        except services.ImplausibleOdometer:
            form.implausible_asked = True  # the page shows the question's checkbox
            raise
        return _("L'intervention est ajoutée au carnet d'entretien.")

    return _sub_form_page("fleet/maintenance_form.html", vehicle_id, form, action)


# --- Documents ----------------------------------------------------------------------------------


@bp.route("/vehicules/<int:vehicle_id>/documents/nouveau", methods=["GET", "POST"])
@role_required(Role.FLEET)
def document_add(vehicle_id: int):
    vehicle = vehicle_or_404(vehicle_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            document = documents.store_document(
                vehicle,
                kind=form.kind.data,
                stream=upload.stream,
                filename=upload.filename,
                expires_on=form.expires_on.data,
                actor=current_user,
            )
        except services.FleetError as exc:
            db.session.rollback()
            vehicle = vehicle_or_404(vehicle_id)
            show_refusal(form, exc)
        else:
            try:
                db.session.commit()
            except Exception:
                documents.discard_file(document)
                raise
            flash(_("Le document « %(name)s » est enregistré.", name=document.original_filename), "success")
            return redirect(url_for("fleet.vehicle", vehicle_id=vehicle_id))
    return (
        render_template(
            "fleet/document_form.html", form=form, vehicle=vehicle, current_km=vehicle.current_odometer_km
        ),
        _status(),
    )


@bp.route("/vehicules/<int:vehicle_id>/documents/<int:document_id>")
@role_required(Role.FLEET)
def document_download(vehicle_id: int, document_id: int):
    vehicle = vehicle_or_404(vehicle_id)
    document = document_or_404(vehicle, document_id)
    path = documents.document_path(document)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.original_filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/vehicules/<int:vehicle_id>/documents/<int:document_id>/supprimer", methods=["POST"])
@role_required(Role.FLEET)
def document_delete(vehicle_id: int, document_id: int):
    vehicle = vehicle_or_404(vehicle_id)
    document = document_or_404(vehicle, document_id)
    name = document.original_filename
    documents.delete_document(document, current_user)
    db.session.commit()
    documents.discard_file(document)
    flash(_("Le document « %(name)s » est supprimé.", name=name), "success")
    return redirect(url_for("fleet.vehicle", vehicle_id=vehicle.id))


# --- Sites --------------------------------------------------------------------------------------


@bp.route("/sites")
@role_required(Role.FLEET)
def sites():
    return render_template("fleet/sites.html", sites=services.sites_with_vehicle_counts(current_user))


def _site_form(site: Site | None = None) -> SiteForm:
    form = SiteForm(obj=site)
    form.set_choices(cached.communes(), cached.basins())
    return form


def _site_data(form: SiteForm) -> dict:
    return {name: form[name].data for name in services.SITE_FIELDS}


@bp.route("/sites/nouveau", methods=["GET", "POST"])
@role_required(Role.FLEET)
def site_create():
    form = _site_form()
    if form.validate_on_submit():
        site = save_or_show(form, lambda: services.create_site(_site_data(form), current_user))
        if site:
            flash(_("Le site « %(name)s » est enregistré.", name=site.name), "success")
            return redirect(url_for("fleet.sites"))
    return render_template("fleet/site_form.html", form=form, site=None), _status()


@bp.route("/sites/<int:site_id>/modifier", methods=["GET", "POST"])
@role_required(Role.FLEET)
def site_edit(site_id: int):
    site = site_or_404(site_id)
    form = _site_form(site)
    if form.validate_on_submit():
        if save_or_show(form, lambda: services.update_site(site, _site_data(form), current_user)):
            flash(_("Le site « %(name)s » est enregistré.", name=site.name), "success")
            return redirect(url_for("fleet.sites"))
    return render_template("fleet/site_form.html", form=form, site=site), _status()


@bp.route("/sites/<int:site_id>/supprimer", methods=["POST"])
@role_required(Role.FLEET)
def site_delete(site_id: int):
    site = site_or_404(site_id)
    name = site.name
    try:
        services.delete_site(site, current_user)
    except services.FleetError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("fleet.site_edit", site_id=site_id))
    db.session.commit()
    flash(_("Le site « %(name)s » est supprimé.", name=name), "success")
    return redirect(url_for("fleet.sites"))


@bp.route("/sites/<int:site_id>/renouveler-lien-agenda", methods=["POST"])
@role_required(Role.FLEET)
def site_regenerate_ics_token(site_id: int):
    site = site_or_404(site_id)
    services.regenerate_ics_token(site, current_user)
    db.session.commit()
    flash(
        _(
            "Le lien d'agenda du site « %(name)s » est renouvelé : l'ancien ne fonctionne plus.",
            name=site.name,
        ),
        "success",
    )
    return redirect(url_for("fleet.site_edit", site_id=site_id))

