"""Everyone's booking page: the booking, its log, the forms of the moves the viewer may make,
cancelling, asking for an extension, the printable summary and the calendar file.

Every booking is loaded through access.booking_or_404: someone else's booking is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload, undefer

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.labels import role_label
from mobility.auth.models import Role, User
from mobility.auth.permissions import role_required
from mobility.booking import access, privacy, services
from mobility.booking.forms.requests import (
    CancelForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    OutcomeForm,
    RejectForm,
)
from mobility.booking.lifecycle import Action, can
from mobility.booking.models import Booking, BookingStatus, BookingTransition, Extension, Payment
from mobility.booking.planning import calendar_state
from mobility.booking.views.common import DECIDERS, form_status, save_on_page, today
from mobility.core.db import commit_keeping_loaded
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.fleet.ics import CalendarEvent, render_calendar
from mobility.fleet.models import Vehicle
from mobility.fleet.opening_hours import hours_text

# How long the pickup and return events last in the calendar file.
CALENDAR_EVENT_MINUTES = 30


# --- The booking page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    label: str
    status: BookingStatus
    who: str
    occurred_at: datetime
    reason: str | None


def _who(actor: User | None, viewer: User) -> str:
    """Who made a move, as the viewer should read it: a beneficiary sees roles, not staff names."""
    if actor is None:
        return _("le service, automatiquement")
    if actor.id == viewer.id:
        return _("vous")
    if viewer.role is Role.BENEFICIARY:
        if actor.role is Role.REFERENT:
            return _("votre référent (%(organisation)s)", organisation=actor.organisation.name)
        if actor.role is Role.FLEET:
            return _("l'association %(organisation)s", organisation=actor.organisation.name)
        if actor.role is Role.ADMIN:
            return _("l'équipe du Département")
        return role_label(actor.role)
    return _("%(name)s (%(role)s)", name=actor.full_name, role=role_label(actor.role))


def _timeline(booking: Booking) -> list[TimelineEntry]:
    transitions = db.session.scalars(
        select(BookingTransition)
        .where(BookingTransition.booking_id == booking.id)
        .options(selectinload(BookingTransition.actor))
        .order_by(BookingTransition.occurred_at, BookingTransition.id)
    )
    return [
        TimelineEntry(
            label=Action(t.action).label,
            status=t.to_status,
            who=_who(t.actor, current_user),
            occurred_at=t.occurred_at,
            reason=t.reason,
        )
        for t in transitions
    ]


def _plate_shown(booking: Booking) -> bool:
    return privacy.plate_shown(current_user, booking.vehicle, booking)


def _may_request_extension(booking: Booking) -> bool:
    return (
        booking.status is BookingStatus.IN_PROGRESS
        and booking.pending_extension is None
        and current_user.role in (Role.BENEFICIARY, Role.REFERENT, Role.ADMIN)
    )


def reject_form_for(booking: Booking, formdata=None) -> RejectForm:
    # One prefix per booking: the approval queue shows several of these forms on one page.
    return RejectForm(prefix=f"reject-{booking.id}", formdata=formdata)


def decision_form_for(extension: Extension, formdata=None) -> ExtensionDecisionForm:
    return ExtensionDecisionForm(prefix=f"decision-{extension.id}", formdata=formdata)


def outcome_form_for(booking: Booking, formdata=None) -> OutcomeForm | None:
    due = services.due_checkpoints(booking, today())
    if current_user.role not in DECIDERS or not due:
        return None
    form = OutcomeForm(prefix="outcome", formdata=formdata)
    form.set_checkpoints(due)
    return form


def render_show(booking: Booking, status: int = 200, **failed_forms):
    """The booking page; a form refused on POST comes back in failed_forms, with its errors."""
    role = current_user.role
    pending = booking.pending_extension
    forms = {
        # Fleet staff and admins cancel from the fleet panel, which asks for the reason on its own page.
        "cancel_form": CancelForm(prefix="cancel", formdata=None)
        if can(booking, Action.CANCEL, role) and role in (Role.BENEFICIARY, Role.REFERENT)
        else None,
        "reject_form": reject_form_for(booking) if can(booking, Action.REJECT, role) else None,
        "extension_form": ExtensionRequestForm(prefix="extension", formdata=None)
        if _may_request_extension(booking)
        else None,
        "decision_form": decision_form_for(pending) if pending is not None and role in DECIDERS else None,
        "outcome_form": outcome_form_for(booking),
    }
    forms.update(failed_forms)
    return (
        render_template(
            "booking/show.html",
            booking=booking,
            timeline=_timeline(booking),
            booking_fields=privacy.booking_fields_for(current_user),
            show_plate=_plate_shown(booking),
            may_approve=can(booking, Action.APPROVE, role),
            pending_extension=pending,
            **forms,
        ),
        status,
    )


# What the booking page shows, loaded with the booking: its person, vehicle and site joined,
# what was paid in the same statement, and each list of rows in one selectin load (the
# ledger's entries with the entries they cancel or are cancelled by).
PAGE_LOADS = (
    joinedload(Booking.beneficiary),
    joinedload(Booking.vehicle).joinedload(Vehicle.site),
    undefer(Booking.paid_cents),
    undefer(Booking.deposit_held_cents),
    selectinload(Booking.payments).options(joinedload(Payment.reverses), joinedload(Payment.reversed_by)),
    selectinload(Booking.extensions),
    selectinload(Booking.outcomes),
)


@login_required
def show(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user, *PAGE_LOADS)
    record(AuditAction.READ, "booking", booking.id, actor=current_user)
    commit_keeping_loaded()
    return render_show(booking)


@login_required
def cancel(booking_id: int):
    """Cancelling asks first: the booking page links here, this page says what cancelling
    means and sends the confirmed form. A POST without the confirmation changes nothing."""
    booking = access.booking_or_404(booking_id, current_user)
    form = CancelForm(prefix="cancel")
    if request.method == "POST":
        if request.form.get("confirmed") != "yes":
            return redirect(url_for("booking.cancel", booking_id=booking.id), 303)
        if form.validate_on_submit() and save_on_page(
            form, lambda: services.cancel(booking, current_user, form.reason.data)
        ):
            flash(_("La location %(reference)s est annulée.", reference=booking.reference), "success")
            return redirect(url_for("booking.show", booking_id=booking.id))
    elif not can(booking, Action.CANCEL, current_user.role):
        flash(_("Cette location ne peut plus être annulée."), "error")
        return redirect(url_for("booking.show", booking_id=booking.id))
    return render_template("booking/cancel.html", booking=booking, form=form), form_status()


@role_required(Role.BENEFICIARY, Role.REFERENT, Role.ADMIN)
def request_extension(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    form = ExtensionRequestForm(prefix="extension")
    if form.validate_on_submit() and save_on_page(
        form, lambda: services.request_extension(booking, form.new_ends_on.data, current_user)
    ):
        flash(_("La demande de prolongation est envoyée au référent."), "success")
        return redirect(url_for("booking.show", booking_id=booking.id))
    return render_show(booking, 422, extension_form=form)


# --- Printable summary and calendar -------------------------------------------------------------


@login_required
def summary(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    record(AuditAction.READ, "booking", booking.id, actor=current_user)
    commit_keeping_loaded()
    return render_template("booking/summary.html", booking=booking, show_plate=_plate_shown(booking))


def _calendar_events(booking: Booking) -> list[CalendarEvent]:
    site = booking.site
    location = f"{site.name}, {site.address}, {site.commune.name}"
    details = "\n".join(
        part
        for part in (
            _("Location %(reference)s", reference=booking.reference),
            _("Horaires du site : %(hours)s", hours=hours_text(site)),
            _("Téléphone du site : %(phone)s", phone=site.phone) if site.phone else "",
        )
        if part
    )
    length = timedelta(minutes=CALENDAR_EVENT_MINUTES)
    # One UID per appointment for the booking's whole life; SEQUENCE from its log; cancelled
    # (refused, expired, not turned up for) as STATUS:CANCELLED, so the person's agenda follows.
    state = calendar_state(booking)
    return [
        CalendarEvent(
            uid=f"booking-{booking.id}-pickup@mobilite-emploi-loiret",
            starts_at=booking.starts_at,
            ends_at=booking.starts_at + length,
            summary=_("Prendre le véhicule (location %(reference)s)", reference=booking.reference),
            description=details,
            location=location,
            **state,
        ),
        CalendarEvent(
            uid=f"booking-{booking.id}-return@mobilite-emploi-loiret",
            starts_at=booking.ends_at,
            ends_at=booking.ends_at + length,
            summary=_("Rendre le véhicule (location %(reference)s)", reference=booking.reference),
            description=details,
            location=location,
            **state,
        ),
    ]


@login_required
def calendar(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    body = render_calendar(
        _calendar_events(booking),
        name=_("Location %(reference)s", reference=booking.reference),
        now=utcnow(),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="location-{booking.reference}.ics"'
    return response


def register(bp: Blueprint) -> None:
    """Put these pages on the booking blueprint."""
    bp.add_url_rule("/<int:booking_id>", view_func=show, methods=["GET"])
    bp.add_url_rule("/<int:booking_id>/annuler", view_func=cancel, methods=["GET", "POST"])
    bp.add_url_rule("/<int:booking_id>/prolongation", view_func=request_extension, methods=["POST"])
    bp.add_url_rule("/<int:booking_id>/recapitulatif", view_func=summary, methods=["GET"])
    bp.add_url_rule("/<int:booking_id>/calendrier.ics", view_func=calendar, methods=["GET"])
