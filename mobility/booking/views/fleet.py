"""Fleet staff's booking pages: the list, confirm, hand over, take back, no-show, cancel, payments.

Every booking is loaded through access.booking_or_404 (the association's bookings for fleet
staff, all for admins): anything else is "not found". Fleet staff get the handover facts of
the person (name, phone, driving rights checked or not), never the purpose of the rental,
an employer or anything social.

Views parse the form, call one service, commit once and say so; a refusal is rolled back and
shown next to its field. A move the booking's status does not allow is explained on the
booking page, never an error page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.booking import access, lifecycle, listing, privacy, queries, services
from mobility.booking.forms.fleet import (
    FUEL_LABELS,
    CancelForm,
    CheckOutForm,
    ConfirmForm,
    HandoverForm,
    NoShowForm,
    PaymentForm,
    ReturnForm,
    ReversalForm
)
from mobility.booking.lifecycle import Action, IllegalMove
from mobility.booking.models import Booking, BookingStatus, PaymentKind
from mobility.booking.ports import plugged as plugged_booking_ports
from mobility.booking.views.common import form_status, today
from mobility.core.boundary import page_number
from mobility.core.db import commit_keeping_loaded
from mobility.core.paging import fetch_page
from mobility.core.templating import money
from mobility.core.time import local, utcnow
from mobility.core.views import save_or_show
from mobility.extensions import db
from mobility.fleet.models import Vehicle
from mobility.fleet.services import ImplausibleOdometer
from mobility.territory.geography import distance_km

STAFF = (Role.FLEET, Role.ADMIN)


@role_required(*STAFF)
def index():
    """Every booking of the association's vehicles, as far back as the data goes, a page at a time."""
    form = listing.BookingFilterForm(request.args, sites=listing.filter_sites(current_user), user=current_user)
    filters = listing.read_filters(form)
    page = fetch_page(
        listing.searched_bookings(current_user, filters),
        page=page_number(request.args.get("page")),
        per_page=listing.PER_PAGE,
    )
    return render_template(
        "booking/fleet/index.html",
        page=page,
        form=form,
        filters=filters,
        counts=queries.status_counts(current_user),
        # Names and phones for those who hand vehicles over; admins read no names.
        handover_facts="display_name" in privacy.visible_person_fields(privacy.audience_of(current_user)),
        now=utcnow(),
    )


# --- Helpers of the action pages ----------------------------------------------------------------


def _booking_or_404(booking_id: int) -> Booking:
    return access.booking_or_404(booking_id, current_user)


def _not_allowed(booking: Booking, action: Action) -> IllegalMove:
    if booking.status == BookingStatus.APPROVED and action in (Action.CHECK_OUT, Action.NO_SHOW):
        return IllegalMove(
            _(
                "La location %(reference)s n'est pas encore confirmée : confirmez-la d'abord.",
                reference=booking.reference,
            )
        )
    return IllegalMove(
        _(
            "Action impossible : la location %(reference)s est « %(status)s » (%(action)s n'est pas permis à ce stade).",
            reference=booking.reference,
            status=booking.status.label,
            action=action.label.lower(),
        )
    )


def _require(booking: Booking, action: Action) -> None:
    """Refuse at once a page whose move the booking's status does not allow (see _illegal_move)."""
    if not lifecycle.can(booking, action, current_user.role):
        raise _not_allowed(booking, action)


def _illegal_move(exc: IllegalMove):
    """The booking moved on (or never could): say why on the booking page, never an error page."""
    db.session.rollback()
    flash(exc.message, "error")
    booking_id = (request.view_args or {}).get("booking_id")
    target = url_for("booking.show", booking_id=booking_id) if booking_id else url_for("booking_fleet.index")
    return redirect(target, 303)


def _to_booking(booking_id: int):
    return redirect(url_for("booking.show", booking_id=booking_id))


def _km(km: int) -> str:
    return format_decimal(km)


# --- Confirm ------------------------------------------------------------------------------------


@role_required(*STAFF)
def confirm(booking_id: int):
    booking = _booking_or_404(booking_id)
    _require(booking, Action.CONFIRM)
    form = ConfirmForm()
    person_commune = booking.beneficiary.commune_insee
    form.set_choices(
        booking.vehicle,
        services.swap_candidates(booking),
        lambda vehicle: distance_km(person_commune, vehicle.site.commune_insee),
    )
    if request.method == "GET":
        form.vehicle_id.data = booking.vehicle_id
    if form.validate_on_submit():

        def save():
            chosen = form.vehicle_id.data
            vehicle = db.session.get(Vehicle, chosen) if chosen is not None else None
            if vehicle is None:
                raise services.BookingError(
                    _("Ce véhicule ne peut pas être proposé pour cette location."), field="vehicle_id"
                )
            return services.confirm(booking, current_user, vehicle, bool(form.site_change_confirmed.data))

        if save_or_show(form, save):
            flash(
                _(
                    "La location %(reference)s est confirmée avec le véhicule %(vehicle)s.",
                    reference=booking.reference,
                    vehicle=booking.vehicle.label,
                ),
                "success",
            )
            return _to_booking(booking.id)
    return (
        render_template("booking/fleet/confirm.html", form=form, booking=booking, site=booking.site),
        form_status(),
    )


# --- Check-out and return -----------------------------------------------------------------------


def _record_condition(handover, new_damage: str | None = None) -> list[str]:
    """The photos of the handover and, at a return, a new damage: kept by the floors plugged in
    (the incidents), in the same transaction. Returns the references of incidents opened."""
    photos = request.files.getlist("photos")
    opened = []
    for condition in plugged_booking_ports().handover_conditions:
        reference = condition.record_condition(handover, photos, new_damage, current_user)
        if reference:
            opened.append(reference)
    return opened


def _with_condition(booking: Booking, handing, *, at_return: bool, new_damage: str | None = None):
    def save():
        handing()
        db.session.flush()
        handover = booking.return_handover if at_return else booking.check_out
        return _record_condition(handover, new_damage) or True

    return save


def _handover_details(form: HandoverForm) -> services.HandoverDetails:
    values = {name: form[name].data for name in HandoverForm.CHECKLIST}
    return services.HandoverDetails(
        odometer_km=form.odometer_km.data,
        fuel_eighths=form.fuel_eighths.data,
        damage_notes=form.damage_notes.data,
        deposit_received=bool(form.deposit_received.data) if "deposit_received" in form else False,
        contract_signed=bool(form.contract_signed.data) if "contract_signed" in form else False,
        incident_report=form.incident_report.data if "incident_report" in form else None,
        deposit_method=form.deposit_method.data if "deposit_method" in form else None,
        deposit_receipt_number=form.deposit_receipt_number.data if "deposit_receipt_number" in form else None,
        odometer_confirmed=bool(form.odometer_confirmed.data),
        **values,
    )


def _asking_about_the_odometer(form: HandoverForm, handover):
    """Run the handover; when the fleet asks whether an implausible reading is right, the form
    shows the question's checkbox."""

    def run():
        try:
            return handover()
        except ImplausibleOdometer:
            form.implausible_asked = True
            raise

    return run


@role_required(*STAFF)
def check_out(booking_id: int):
    booking = _booking_or_404(booking_id)
    _require(booking, Action.CHECK_OUT)
    form = CheckOutForm()
    last_km = booking.vehicle.current_odometer_km
    form.odometer_km.description = (
        _("Dernier relevé : %(km)s km. Le compteur ne peut pas indiquer moins.", km=_km(last_km))
        if last_km is not None
        else _("Aucun relevé pour ce véhicule : saisissez ce qu'affiche le compteur.")
    )
    if form.validate_on_submit():
        details = _handover_details(form)
        if save_or_show(
            form,
            _with_condition(
                booking,
                _asking_about_the_odometer(form, lambda: services.check_out(booking, details, current_user)),
                at_return=False,
            ),
        ):
            flash(
                _(
                    "Le véhicule %(plate)s est remis : la location %(reference)s est en cours.",
                    plate=booking.vehicle.plate,
                    reference=booking.reference,
                ),
                "success",
            )
            return _to_booking(booking.id)
    return render_template("booking/fleet/check_out.html", form=form, booking=booking), form_status()


@role_required(*STAFF)
def return_vehicle(booking_id: int):
    booking = _booking_or_404(booking_id)
    _require(booking, Action.RETURN)
    form = ReturnForm()
    departure = booking.check_out
    last_km = max(
        (
            km
            for km in (booking.vehicle.current_odometer_km, departure.odometer_km if departure else None)
            if km is not None
        ),
        default=None,
    )
    if departure is not None:
        form.odometer_km.description = _(
            "Au départ : %(km)s km. Le compteur ne peut pas indiquer moins.", km=_km(departure.odometer_km)
        )
        if last_km != departure.odometer_km:
            form.odometer_km.description += " " + _("Dernier relevé : %(km)s km.", km=_km(last_km))
    elif last_km is not None:
        form.odometer_km.description = _(
            "Dernier relevé : %(km)s km. Le compteur ne peut pas indiquer moins.", km=_km(last_km)
        )
    if form.validate_on_submit():
        details = _handover_details(form)
        new_damage = form.damage_notes.data if form.new_damage.data else None
        returning = _asking_about_the_odometer(form, lambda: services.return_vehicle(booking, details, current_user))
        saved = save_or_show(form, _with_condition(booking, returning, at_return=True, new_damage=new_damage))
        if saved:
            if isinstance(saved, list):
                flash(_("Sinistre ouvert pour le dégât nouveau : %(references)s.", references=", ".join(saved)), "info")
            flash(
                _(
                    "Le retour du véhicule %(plate)s est enregistré : la location %(reference)s est terminée.",
                    plate=booking.vehicle.plate,
                    reference=booking.reference,
                ),
                "success",
            )
            return _to_booking(booking.id)
    conditions = plugged_booking_ports().handover_conditions
    departure_photos = [p for c in conditions for p in c.photos_of(departure)] if departure is not None else []
    return (
        render_template("booking/fleet/return.html", form=form, booking=booking, departure_photos=departure_photos),
        form_status(),
    )


# --- No-show and cancel -------------------------------------------------------------------------


@role_required(*STAFF)
def no_show(booking_id: int):
    booking = _booking_or_404(booking_id)
    _require(booking, Action.NO_SHOW)
    form = NoShowForm()
    if form.validate_on_submit() and save_or_show(
        form, lambda: services.record_no_show(booking, current_user, form.reason.data)
    ):
        flash(
            _(
                "La location %(reference)s est notée « personne non présentée » ; son référent est prévenu. "
                "Le véhicule est de nouveau libre.",
                reference=booking.reference,
            ),
            "success",
        )
        return _to_booking(booking.id)
    return render_template("booking/fleet/no_show.html", form=form, booking=booking), form_status()


@role_required(*STAFF)
def cancel(booking_id: int):
    booking = _booking_or_404(booking_id)
    _require(booking, Action.CANCEL)
    form = CancelForm()
    if form.validate_on_submit() and save_or_show(
        form, lambda: services.cancel(booking, current_user, form.reason.data)
    ):
        flash(
            _(
                "La location %(reference)s est annulée ; la personne et son référent sont prévenus.",
                reference=booking.reference,
            ),
            "success",
        )
        return _to_booking(booking.id)
    return render_template("booking/fleet/cancel.html", form=form, booking=booking), form_status()


# --- Payments -----------------------------------------------------------------------------------


def _reversal_form(booking: Booking, formdata=None) -> ReversalForm:
    """The entries that can still be reversed: not reversals, not already reversed."""
    form = ReversalForm(formdata=formdata, prefix="reversal")
    form.entry_id.choices = [SelectChoice("", _("— Choisir —"))] + [
        SelectChoice(
            str(entry.id),
            _(
                "%(day)s — %(kind)s, %(amount)s, reçu n° %(receipt)s",
                day=format_date(entry.paid_on, "short"),
                kind=entry.kind.label,
                amount=money(abs(entry.amount_cents)),
                receipt=entry.receipt_number,
            ),
        )
        for entry in booking.payments
        if entry.kind != PaymentKind.REVERSAL and entry.reversed_by is None
    ]
    return form


def _payments_page(booking: Booking, form: PaymentForm, reversal_form: ReversalForm):
    return render_template(
        "booking/fleet/payments.html", form=form, reversal_form=reversal_form, booking=booking
    ), form_status()


@role_required(*STAFF)
def payments(booking_id: int):
    booking = _booking_or_404(booking_id)
    form = PaymentForm()
    if request.method == "GET":
        form.paid_on.data = local(utcnow()).date()
    if form.validate_on_submit():
        payment = save_or_show(
            form,
            lambda: services.record_payment(
                booking,
                form.kind.data,
                form.amount_cents,
                form.method.data,
                form.paid_on.data,
                form.receipt_number.data,
                current_user,
            ),
        )
        if payment:
            flash(
                _(
                    "Le paiement est enregistré : %(kind)s, %(amount)s, reçu n° %(receipt)s.",
                    kind=payment.kind.label,
                    amount=money(abs(payment.amount_cents)),
                    receipt=payment.receipt_number,
                ),
                "success",
            )
            return redirect(url_for("booking_fleet.payments", booking_id=booking.id))
    return _payments_page(booking, form, _reversal_form(booking))


@role_required(*STAFF)
def reverse_payment(booking_id: int):
    """A mistaken entry is never edited: it is cancelled by the opposite entry, with a reason."""
    booking = _booking_or_404(booking_id)
    form = _reversal_form(booking, formdata=request.form)
    if form.validate():
        reversal = save_or_show(
            form, lambda: services.reverse_payment(booking, form.entry_id.data, form.reason.data, current_user)
        )
        if reversal:
            flash(
                _("L'écriture est annulée par une écriture de %(amount)s.", amount=money(reversal.amount_cents)),
                "success",
            )
            return redirect(url_for("booking_fleet.payments", booking_id=booking.id))
    payment_form = PaymentForm(formdata=None)
    payment_form.paid_on.data = local(utcnow()).date()
    return _payments_page(booking, payment_form, form)


# --- Printable contract -------------------------------------------------------------------------


@role_required(*STAFF)
def contract(booking_id: int):
    """The rental contract to print and sign at the handover: the parties, the vehicle, the terms."""
    booking = _booking_or_404(booking_id)
    record(AuditAction.READ, "booking", booking.id, actor=current_user)
    commit_keeping_loaded()
    return render_template("booking/fleet/contract.html", booking=booking, today=today())


# --- For other pages' templates: the booking page's fleet panel, the vehicle page ---------------


@dataclass(frozen=True)
class FleetAction:
    label: str
    url: str
    primary: bool = False


ACTION_PAGES = (
    (Action.CONFIRM, "booking_fleet.confirm", True),
    (Action.CHECK_OUT, "booking_fleet.check_out", True),
    (Action.RETURN, "booking_fleet.return_vehicle", True),
    (Action.NO_SHOW, "booking_fleet.no_show", False),
    (Action.CANCEL, "booking_fleet.cancel", False),
)
ACTION_LINK_LABELS = {
    Action.CONFIRM: lambda: _("Confirmer la location"),
    Action.CHECK_OUT: lambda: _("Remettre le véhicule"),
    Action.RETURN: lambda: _("Enregistrer le retour du véhicule"),
    Action.NO_SHOW: lambda: _("Noter que la personne ne s'est pas présentée"),
    Action.CANCEL: lambda: _("Annuler la location"),
}
CONTRACT_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS, BookingStatus.RETURNED)


def fleet_booking_actions(booking: Booking) -> list[FleetAction]:
    """What the current fleet or admin user can do next with this booking, as links."""
    if not current_user.is_authenticated or current_user.role not in STAFF:
        return []
    actions = [
        FleetAction(ACTION_LINK_LABELS[action](), url_for(endpoint, booking_id=booking.id), primary)
        for action, endpoint, primary in ACTION_PAGES
        if lifecycle.can(booking, action, current_user.role)
    ]
    if booking.status in CONTRACT_STATUSES:
        actions.append(
            FleetAction(
                _("Imprimer le contrat de location"), url_for("booking_fleet.contract", booking_id=booking.id)
            )
        )
    actions.append(
        FleetAction(_("Paiements et caution"), url_for("booking_fleet.payments", booking_id=booking.id))
    )
    return actions


def fuel_level(eighths: int | None) -> str:
    if eighths is None:
        return "—"
    return str(FUEL_LABELS.get(eighths, eighths))


def booking_now() -> datetime:
    """Now, for templates that flag late returns."""
    return utcnow()


def register(bp: Blueprint) -> None:
    """Put the fleet staff's booking pages, their error handler and template helpers on bp."""
    bp.add_url_rule("/", view_func=index, methods=["GET"])
    bp.register_error_handler(IllegalMove, _illegal_move)
    bp.add_url_rule("/<int:booking_id>/confirmer", view_func=confirm, methods=["GET", "POST"])
    bp.add_url_rule("/<int:booking_id>/remise", view_func=check_out, methods=["GET", "POST"])
    bp.add_url_rule("/<int:booking_id>/retour", view_func=return_vehicle, methods=["GET", "POST"])
    bp.add_url_rule("/<int:booking_id>/absent", view_func=no_show, methods=["GET", "POST"])
    bp.add_url_rule("/<int:booking_id>/annuler", view_func=cancel, methods=["GET", "POST"])
    bp.add_url_rule("/<int:booking_id>/paiements", view_func=payments, methods=["GET", "POST"])
    bp.add_url_rule("/<int:booking_id>/paiements/annulation", view_func=reverse_payment, methods=["POST"])
    bp.add_url_rule("/<int:booking_id>/contrat", view_func=contract, methods=["GET"])
    bp.add_app_template_global(fleet_booking_actions, "fleet_booking_actions")
    bp.add_app_template_filter(fuel_level, "fuel_level")
    bp.add_app_template_global(booking_now, "booking_now")
