"""Fine pages: the association's fleet staff record and follow avis de contravention; the
référents of the person's organisation read them. Admins and everyone else get 404 (admins
see the figures on the dashboard). Every read of a fine is an audit row.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.core.db import commit_keeping_loaded
from mobility.core.time import today as today_in_france
from mobility.core.views import PAGE_REFUSALS, save_or_show
from mobility.extensions import db
from mobility.fines import lifecycle, services
from mobility.fines.forms import DesignateForm, FineForm, IdentifyForm, MoveForm
from mobility.fines.models import Fine, FineAction
from mobility.fleet.models import Vehicle

bp = Blueprint("fines", __name__, url_prefix="/amendes")

READERS = (Role.FLEET, Role.REFERENT)
SIMPLE_ACTIONS = {"contester": FineAction.CONTEST, "payer": FineAction.PAY, "clore": FineAction.CLOSE}


def fine_or_404(fine_id: int) -> Fine:
    fine = services.get_visible_fine(fine_id, current_user)
    if fine is None:
        abort(404)
    return fine


def _status() -> int:
    return 422 if request.method == "POST" else 200


def _own_vehicles():
    return db.session.scalars(
        select(Vehicle).where(Vehicle.association_id == current_user.organisation_id).order_by(Vehicle.plate)
    ).all()


@bp.route("/")
@role_required(*READERS)
def index():
    fines = db.session.scalars(
        services.visible_fines(current_user)
        .options(selectinload(Fine.vehicle))
        .order_by(Fine.designation_due_on.desc(), Fine.id.desc())
    ).all()
    return render_template("fines/index.html", fines=fines, today=today_in_france())


@bp.route("/nouvelle", methods=["GET", "POST"])
@role_required(Role.FLEET)
def create():
    form = FineForm()
    form.set_choices(_own_vehicles())
    if request.method == "GET" and request.args.get("vehicule", "").isdigit():
        form.vehicle_id.data = int(request.args["vehicule"][:9])
    if form.validate_on_submit():
        fine = save_or_show(form, lambda: services.record_fine(form.data_for_service(), current_user))
        if fine:
            flash(_("Avis %(reference)s enregistré.", reference=fine.reference), "success")
            return redirect(url_for("fines.show", fine_id=fine.id))
    return render_template("fines/form.html", form=form), _status()


def _show(fine: Fine, status: int = 200, **forms):
    record(AuditAction.READ, "fine", fine.id, actor=current_user)
    commit_keeping_loaded()  # only the access-log row was written
    fleet = current_user.role is Role.FLEET
    answer = services.driver_at(fine) if fleet else None
    identify = forms.get("identify") or IdentifyForm()
    if answer is not None:
        identify.set_choices(answer.candidates)
    return render_template(
        "fines/show.html",
        fine=fine,
        answer=answer,
        today=today_in_france(),
        actions=lifecycle.allowed_actions(fine, current_user.role),
        identify_form=identify,
        designate_form=forms.get("designate") or DesignateForm(),
        move_form=forms.get("move") or MoveForm(),
        simple_actions={action: slug for slug, action in SIMPLE_ACTIONS.items()},
        fleet=fleet,
    ), status


@bp.route("/<int:fine_id>")
@role_required(*READERS)
def show(fine_id: int):
    return _show(fine_or_404(fine_id))


@bp.route("/<int:fine_id>/conducteur", methods=["POST"])
@role_required(Role.FLEET)
def identify(fine_id: int):
    fine = fine_or_404(fine_id)
    form = IdentifyForm()
    form.set_choices(services.candidate_bookings(fine))
    if form.validate_on_submit():
        if save_or_show(form, lambda: services.identify_driver(fine, form.booking_id.data, current_user), PAGE_REFUSALS):
            flash(_("Conducteur identifié : préparez la désignation."), "success")
            return redirect(url_for("fines.show", fine_id=fine.id))
    return _show(fine_or_404(fine_id), 422, identify=form)


@bp.route("/<int:fine_id>/designer", methods=["POST"])
@role_required(Role.FLEET)
def designate(fine_id: int):
    fine = fine_or_404(fine_id)
    form = DesignateForm()
    if form.validate_on_submit():
        saved = save_or_show(
            form,
            lambda: services.designate(
                fine, form.reference.data, form.designated_on.data, current_user, today_in_france()
            ),
            PAGE_REFUSALS,
        )
        if saved:
            flash(_("Désignation enregistrée."), "success")
            return redirect(url_for("fines.show", fine_id=fine.id))
    return _show(fine_or_404(fine_id), 422, designate=form)


@bp.route("/<int:fine_id>/<any(contester, payer, clore):slug>", methods=["POST"])
@role_required(Role.FLEET)
def move(fine_id: int, slug: str):
    fine = fine_or_404(fine_id)
    form = MoveForm()
    if form.validate_on_submit():
        action = SIMPLE_ACTIONS[slug]
        if save_or_show(form, lambda: services.simple_move(fine, action, current_user, form.reason.data), PAGE_REFUSALS):
            flash(_("%(action)s : c'est enregistré.", action=action.label), "success")
            return redirect(url_for("fines.show", fine_id=fine.id))
    return _show(fine_or_404(fine_id), 422, move=form)


@bp.route("/<int:fine_id>/designation")
@role_required(Role.FLEET)
def designation(fine_id: int):
    """One printable page with what the designation form asks; printed, never e-mailed."""
    fine = fine_or_404(fine_id)
    if fine.beneficiary is None:
        abort(404)
    record(AuditAction.READ, "fine", fine.id, actor=current_user, fields=("designation",))
    commit_keeping_loaded()  # only the access-log row was written
    facts = services.designation_facts(fine.beneficiary)
    return render_template(
        "fines/designation.html",
        fine=fine,
        facts=facts,
        missing=[fact.label for fact in facts if fact.value is None],
        today=today_in_france(),
    )
