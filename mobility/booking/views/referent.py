"""The référents' pages: the approval queue, approving or refusing a request, deciding on an
extension, and the follow-ups (outcomes) to record.

Admins decide too (DECIDERS). Services flush; these views commit once after a success.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from mobility.auth.permissions import role_required
from mobility.booking import access, listing, privacy, queries, services
from mobility.booking.models import Booking
from mobility.booking.views.booking_page import (
    decision_form_for,
    outcome_form_for,
    reject_form_for,
    render_show,
)
from mobility.booking.views.common import DECIDERS, save_on_page, today
from mobility.core.boundary import page_number
from mobility.core.paging import fetch_page

# --- Decisions ---------------------------------------------------------------------------------


def _back_to(booking: Booking) -> str:
    """Where an action sends the user back: the approval queue when it was made from there."""
    if request.form.get("from") == "approvals":
        return url_for("booking.approvals")
    return url_for("booking.show", booking_id=booking.id)


@role_required(*DECIDERS)
def approve(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    if save_on_page(None, lambda: services.approve(booking, current_user)):
        flash(
            _(
                "La demande %(reference)s est validée : l'association va confirmer le véhicule.",
                reference=booking.reference,
            ),
            "success",
        )
    return redirect(_back_to(booking))


@role_required(*DECIDERS)
def reject(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    form = reject_form_for(booking, formdata=request.form)
    if form.validate_on_submit() and save_on_page(
        form, lambda: services.reject(booking, current_user, form.reason.data)
    ):
        flash(
            _(
                "La demande %(reference)s est refusée ; la personne est prévenue.",
                reference=booking.reference,
            ),
            "success",
        )
        return redirect(_back_to(booking))
    if request.form.get("from") == "approvals":
        return _render_approvals(422, reject_forms={booking.id: form})
    return render_show(booking, 422, reject_form=form)


@role_required(*DECIDERS)
def decide_extension(extension_id: int):
    extension = access.extension_or_404(extension_id, current_user)
    booking = extension.booking
    form = decision_form_for(extension, formdata=request.form)
    approve_it = form.decision.data == "approve"
    if form.validate_on_submit() and save_on_page(
        form, lambda: services.decide_extension(extension, approve_it, current_user, form.reason.data)
    ):
        if approve_it:
            message = _(
                "La prolongation est acceptée : retour le %(date)s.",
                date=format_date(booking.ends_on, "long"),
            )
        else:
            message = _("La prolongation est refusée ; la personne est prévenue.")
        flash(message, "success")
        return redirect(_back_to(booking))
    if request.form.get("from") == "approvals":
        return _render_approvals(422, decision_forms={extension.id: form})
    return render_show(booking, 422, decision_form=form)


@role_required(*DECIDERS)
def record_outcome(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    form = outcome_form_for(booking, formdata=request.form)
    if form is None:
        flash(_("Aucune suite n'est à noter pour cette location en ce moment."), "error")
        return redirect(url_for("booking.show", booking_id=booking.id))
    if form.validate_on_submit() and save_on_page(
        form,
        lambda: services.record_outcome(booking, form.checkpoint_member, form.result.data, current_user),
    ):
        flash(_("La suite de la location est notée."), "success")
        return redirect(url_for("booking.show", booking_id=booking.id))
    return render_show(booking, 422, outcome_form=form)


# --- Référents' approval queue ------------------------------------------------------------------


# The approval page shows the first outcomes to record; the rest are on their own pages.
OUTCOMES_PREVIEW = 10


def _outcomes_due_page(page: int, per_page: int):
    """A page of returned rentals with a follow-up to record now, with the checkpoints due."""
    day = today()
    found = fetch_page(queries.outcomes_due(current_user, day), page=page, per_page=per_page)
    rows = [(booking, services.due_checkpoints(booking, day)) for booking in found.items]
    return found, rows


def _render_approvals(status: int = 200, reject_forms=None, decision_forms=None):
    requests_page = fetch_page(
        queries.requests_to_approve(current_user),
        page=page_number(request.args.get("page")),
        per_page=listing.PER_PAGE,
    )
    requests = requests_page.items
    outcomes_page, outcomes_due = _outcomes_due_page(1, OUTCOMES_PREVIEW)
    extensions = queries.pending_extensions(current_user)
    reject_forms = {booking.id: reject_form_for(booking) for booking in requests} | (reject_forms or {})
    decision_forms = {ext.id: decision_form_for(ext) for ext in extensions} | (decision_forms or {})
    return (
        render_template(
            "booking/approvals.html",
            requests=requests,
            requests_page=requests_page,
            # Requests hold a vehicle: a few per vehicle at most, counted on the status index.
            requests_count=queries.awaiting_decision(current_user)["requests"],
            extensions=extensions,
            outcomes_due=outcomes_due,
            more_outcomes=outcomes_page.has_next,
            reject_forms=reject_forms,
            decision_forms=decision_forms,
            booking_fields=privacy.booking_fields_for(current_user),
        ),
        status,
    )


@role_required(*DECIDERS)
def approvals():
    return _render_approvals()


@role_required(*DECIDERS)
def outcomes_due():
    found, rows = _outcomes_due_page(page_number(request.args.get("page")), listing.PER_PAGE)
    return render_template("booking/outcomes_due.html", page=found, rows=rows)


def register(bp: Blueprint) -> None:
    """Put these pages on the booking blueprint."""
    bp.add_url_rule("/<int:booking_id>/valider", view_func=approve, methods=["POST"])
    bp.add_url_rule("/<int:booking_id>/refuser", view_func=reject, methods=["POST"])
    bp.add_url_rule(
        "/prolongations/<int:extension_id>/decision", view_func=decide_extension, methods=["POST"]
    )
    bp.add_url_rule("/<int:booking_id>/suite", view_func=record_outcome, methods=["POST"])
    bp.add_url_rule("/a-valider", view_func=approvals, methods=["GET"])
    bp.add_url_rule("/suites-a-noter", view_func=outcomes_due, methods=["GET"])
