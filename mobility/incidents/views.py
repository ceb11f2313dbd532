"""Pages of incidents and claims: fleet staff record and follow them; a person reports one from
their phone for their own rental in progress; their référent reads them. Admins get figures
only (mobility.reporting), never these pages. Every page loads its incident through
access.incident_or_404 and records the read in the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Organisation, Role
from mobility.booking import access as booking_access
from mobility.booking.models import Booking, BookingStatus
from mobility.booking.services.replacement import replacement_candidates
from mobility.core.forms import optional_int
from mobility.core.time import PARIS, today
from mobility.core.views import PAGE_REFUSALS, save_or_show
from mobility.extensions import db
from mobility.fleet.services import get_visible_vehicle, visible_vehicles
from mobility.auth.permissions import role_required
from mobility.core.db import commit_keeping_loaded
from mobility.incidents import access, services
from mobility.incidents.forms import (
    BeneficiaryIncidentForm,
    ClaimForm,
    CloseForm,
    OffRoadForm,
    PolicyForm,
    StaffIncidentForm,
)
from mobility.incidents.lifecycle import IncidentAction, can
from mobility.incidents.models import ConditionPhoto, Incident
from mobility.incidents.photos import photo_path, read_uploads

bp = Blueprint("incidents", __name__, url_prefix="/sinistres")

READERS = (Role.FLEET, Role.REFERENT, Role.BENEFICIARY)


def _status() -> int:
    return 422 if request.method == "POST" else 200


def _moment(form) -> datetime:
    return datetime.combine(form.occurred_on.data, form.occurred_time.data, tzinfo=PARIS)


def _report(form) -> services.IncidentReport:
    return services.IncidentReport(
        kind=form.kind.data,
        occurred_at=_moment(form),
        place=form.place.data,
        description=form.description.data,
        other_party_involved=bool(form.other_party_involved.data),
        police_report_reference=form.police_report_reference.data,
        stops_vehicle=bool(form.stops_vehicle.data),
    )


def _off_road(form, booking: Booking | None) -> services.OffRoad:
    continuation = services.Continuation(form.continuation.data) if form.continuation.data else None
    replacement = None
    if continuation is services.Continuation.REPLACE and form.replacement_vehicle_id.data is not None:
        replacement = get_visible_vehicle(form.replacement_vehicle_id.data, current_user)
    return services.OffRoad(until_on=form.until_on.data, continuation=continuation, replacement=replacement)


def _emergency_phone(association_id: int) -> str | None:
    association = db.session.get(Organisation, association_id)
    return association.emergency_phone if association is not None else None


@bp.get("/")
@role_required(Role.FLEET, Role.REFERENT)
def index():
    incidents = list(db.session.scalars(access.visible_incidents(current_user).order_by(Incident.occurred_at.desc())))
    for incident in incidents:
        record(AuditAction.READ, "incident", incident.id)
    fleet = current_user.role == Role.FLEET
    due = services.claims_due(current_user.organisation_id, today()) if fleet else []
    rentals = list(db.session.scalars(
        booking_access.visible_bookings(current_user)
        .where(Booking.status == BookingStatus.IN_PROGRESS)
        .order_by(Booking.starts_at)
    )) if fleet else []
    vehicles = list(db.session.scalars(visible_vehicles(current_user))) if fleet else []
    db.session.commit()
    return render_template("incidents/index.html", incidents=incidents, due=due, rentals=rentals, vehicles=vehicles)


@bp.route("/nouveau", methods=["GET", "POST"])
@role_required(Role.FLEET)
def new():
    """Staff record an incident of one of their vehicles, during a rental or not."""
    booking_id = optional_int(request.args.get("location"))
    booking = booking_access.booking_or_404(booking_id, current_user) if booking_id else None
    vehicle_id = booking.vehicle_id if booking is not None else optional_int(request.args.get("vehicule"))
    vehicle = get_visible_vehicle(vehicle_id, current_user) if vehicle_id else None
    if vehicle is None:
        abort(404)
    form = StaffIncidentForm()
    in_progress = booking is not None and booking.status == BookingStatus.IN_PROGRESS
    form.set_replacements(replacement_candidates(booking) if in_progress else [])
    if form.validate_on_submit():

        def save():
            photos = read_uploads(request.files.getlist("photos"))
            off_road = _off_road(form, booking) if form.stops_vehicle.data else None
            return services.report_incident(vehicle, booking, _report(form), photos, current_user, off_road=off_road)

        incident = save_or_show(form, save)
        if incident:
            flash(_("Incident %(reference)s enregistré.", reference=incident.reference), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    return render_template("incidents/new.html", form=form, vehicle=vehicle, booking=booking,
                           in_progress=in_progress), _status()


@bp.route("/signaler", methods=["GET", "POST"])
@role_required(Role.BENEFICIARY)
def report():
    """The person reports an incident of their rental in progress, from their phone."""
    booking = services.current_rental_of(current_user)
    if booking is None:
        if request.method == "POST":
            # The rental ended meanwhile: back to the page that says so, never a page from a POST.
            return redirect(url_for("incidents.report"), 303)
        return render_template("incidents/report_none.html"), 200
    form = BeneficiaryIncidentForm()
    if form.validate_on_submit():

        def save():
            photos = read_uploads(request.files.getlist("photos"))
            return services.report_incident(booking.vehicle, booking, _report(form), photos, current_user)

        incident = save_or_show(form, save)
        if incident:
            return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    return render_template(
        "incidents/report.html", form=form, booking=booking, emergency_phone=_emergency_phone(booking.association_id)
    ), _status()


@bp.get("/<int:incident_id>")
@role_required(*READERS)
def show(incident_id: int):
    incident = access.incident_or_404(incident_id, current_user)
    record(AuditAction.READ, "incident", incident.id)
    commit_keeping_loaded()  # only the access-log row was written
    manage = access.may_manage(current_user, incident)
    return render_template(
        "incidents/show.html",
        incident=incident,
        manage=manage,
        can=lambda action: manage and can(incident, action, current_user.role),
        Action=IncidentAction,
        deadline=incident.claim.deadline_on if incident.claim else services.deadline_for(incident),
        emergency_phone=_emergency_phone(incident.association_id),
        close_form=CloseForm(),
    )


def _managed_or_404(incident_id: int) -> Incident:
    incident = access.incident_or_404(incident_id, current_user)
    if not access.may_manage(current_user, incident):
        abort(404)
    record(AuditAction.READ, "incident", incident.id)
    return incident


@bp.route("/<int:incident_id>/immobiliser", methods=["GET", "POST"])
@role_required(Role.FLEET)
def off_road(incident_id: int):
    incident = _managed_or_404(incident_id)
    booking = incident.booking
    in_progress = booking is not None and booking.status == BookingStatus.IN_PROGRESS and booking.vehicle_id == incident.vehicle_id
    form = OffRoadForm()
    form.set_replacements(replacement_candidates(booking) if in_progress else [])
    if form.validate_on_submit():
        if save_or_show(form, lambda: services.take_off_road(incident, _off_road(form, booking), current_user),
                        refusals=PAGE_REFUSALS):
            flash(_("Le véhicule est immobilisé : il ne peut plus être réservé."), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    return render_template("incidents/off_road.html", form=form, incident=incident, in_progress=in_progress), _status()


@bp.post("/<int:incident_id>/repare")
@role_required(Role.FLEET)
def repaired(incident_id: int):
    incident = _managed_or_404(incident_id)
    if save_or_show(None, lambda: services.mark_repaired(incident, current_user), refusals=PAGE_REFUSALS):
        flash(_("Le véhicule est de nouveau disponible."), "success")
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


@bp.post("/<int:incident_id>/clore")
@role_required(Role.FLEET)
def close(incident_id: int):
    incident = _managed_or_404(incident_id)
    form = CloseForm()
    if form.validate_on_submit() and save_or_show(
        None, lambda: services.close(incident, current_user, form.reason.data), refusals=PAGE_REFUSALS
    ):
        flash(_("L'incident est clos."), "success")
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("incidents.show", incident_id=incident.id), 303)


@bp.route("/<int:incident_id>/declaration", methods=["GET", "POST"])
@role_required(Role.FLEET)
def claim(incident_id: int):
    incident = _managed_or_404(incident_id)
    existing = incident.claim
    form = ClaimForm(obj=existing)
    if request.method == "GET":
        form.deductible_borne_by.data = (
            existing.deductible_borne_by if existing else services.policy_of(incident.association_id).deductible_borne_by
        )
        if existing is not None:
            form.repair_cost.data = _euros(existing.repair_cost_cents)
            form.deductible.data = _euros(existing.deductible_cents)
    if form.validate_on_submit():
        details = services.ClaimDetails(
            insurer_reference=form.insurer_reference.data,
            declared_on=form.declared_on.data,
            expert_visit_on=form.expert_visit_on.data,
            repair_cost_cents=form.repair_cost.cents,
            deductible_cents=form.deductible.cents,
            deductible_borne_by=form.deductible_borne_by.data,
            notes=form.notes.data,
        )
        if save_or_show(form, lambda: services.record_claim(incident, details, current_user, today())):
            flash(_("La déclaration de sinistre est enregistrée."), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id), 303)
    db.session.commit()
    return render_template(
        "incidents/claim.html", form=form, incident=incident, deadline=services.deadline_for(incident)
    ), _status()


def _euros(cents: int | None) -> str | None:
    if cents is None:
        return None
    return f"{cents // 100},{cents % 100:02d}" if cents % 100 else str(cents // 100)


@bp.route("/reglages", methods=["GET", "POST"])
@role_required(Role.FLEET)
def policy():
    association = db.session.get(Organisation, current_user.organisation_id)
    rules = services.policy_of(association.id)
    form = PolicyForm()
    if request.method == "GET":
        form.emergency_phone.data = association.emergency_phone
        form.claim_working_days.data = rules.claim_working_days
        form.deductible_borne_by.data = rules.deductible_borne_by
    if form.validate_on_submit():
        if save_or_show(form, lambda: services.update_policy(
            association, emergency_phone=form.phone(), claim_working_days=form.claim_working_days.data,
            deductible_borne_by=form.deductible_borne_by.data, actor=current_user,
        )):
            flash(_("Les règles de l'association sont enregistrées."), "success")
            return redirect(url_for("incidents.policy"), 303)
    return render_template("incidents/policy.html", form=form), _status()


@bp.get("/photos/<int:photo_id>")
@role_required(*READERS)
def photo(photo_id: int):
    """A photo, to whoever may see its incident, or its handover's rental as fleet staff."""
    item = db.session.get(ConditionPhoto, photo_id)
    if item is None:
        abort(404)
    allowed = False
    if item.incident_id is not None:
        allowed = db.session.scalar(
            access.visible_incidents(current_user).where(Incident.id == item.incident_id).with_only_columns(Incident.id)
        ) is not None
    if not allowed and item.handover_id is not None and current_user.role == Role.FLEET:
        allowed = booking_access.get_visible_booking(item.handover.booking_id, current_user) is not None
    path = photo_path(item)
    if not allowed or not path.is_file():
        abort(404)
    record(AuditAction.READ, "condition_photo", item.id)
    db.session.commit()
    response = send_file(path, mimetype="image/jpeg", max_age=0, download_name=item.original_filename)
    response.headers["Cache-Control"] = "no-store"
    return response
