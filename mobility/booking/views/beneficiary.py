"""The request form and "Mes locations" with the waiting queue.

A beneficiary asks for themself; a référent asks for a person their organisation follows, on
the same pages (the form speaks of "la personne"). The request is made in two steps: see the
price, then send.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.services import get_visible_beneficiary, own_file, visible_beneficiaries
from mobility.booking import access, listing, privacy, services
from mobility.booking.eligibility import NotEligible
from mobility.booking.eligibility_settings import eligibility_settings
from mobility.booking.forms.requests import BeneficiaryChoiceForm, RequestForm
from mobility.booking.lifecycle import IllegalMove
from mobility.booking.models import BookingStatus, WaitingEntry, WaitingStatus
from mobility.booking.person import current_booking
from mobility.booking.services import BookingError, VehicleTaken
from mobility.booking.views.common import form_status, save_on_page, today, worded
from mobility.core.boundary import page_number, parse_bounded_int
from mobility.core.paging import fetch_page
from mobility.core.views import show_error
from mobility.extensions import db
from mobility.fleet.models import Vehicle
from mobility.fleet.opening_hours import basin_hours_text, offered_slots
from mobility.territory import cached

OPEN_WAITING = (WaitingStatus.WAITING, WaitingStatus.OFFERED)


# --- Request form -------------------------------------------------------------------------------


def _requested_person() -> Beneficiary | None:
    """Whom the request is for: the beneficiary themself, or a person the référent's organisation follows."""
    if current_user.role is Role.BENEFICIARY:
        return own_file(current_user)
    beneficiary_id = parse_bounded_int(request.args.get("beneficiaire"), minimum=1)
    person = get_visible_beneficiary(beneficiary_id, current_user) if beneficiary_id else None
    if person is None:
        abort(404)
    return person


def _person_args(person: Beneficiary) -> dict:
    """The query string that names the person in a référent's URLs (none for a beneficiary)."""
    return {"beneficiaire": person.id} if current_user.role is Role.REFERENT else {}


def _request_form(person: Beneficiary, formdata=None) -> RequestForm:
    """The request form; from `formdata` (a request kept in the session) when given, else from
    the POST, else with the defaults."""
    form = RequestForm(formdata=formdata, meta={"csrf": False}) if formdata is not None else RequestForm()
    categories = eligibility_settings().offered_categories
    defaults = (services.default_pickup_time(), services.default_return_time())
    form.set_choices(categories, cached.basins(), today(), defaults, offered_slots())
    if current_user.role is Role.REFERENT:
        form.speak_of_the_person()
    if request.method == "GET" and formdata is None:
        form.basin_id.data = person.commune.basin_id
        form.pickup_time.data = defaults[0].strftime("%H:%M")
        form.return_time.data = defaults[1].strftime("%H:%M")
        if len(categories) == 1:
            form.category.data = categories[0]
    # The hours next to the time fields, so that the choice can be right without a script.
    basin_id = form.basin_id.data if isinstance(form.basin_id.data, int) else person.commune.basin_id
    hours = basin_hours_text(basin_id)
    if hours:
        form.pickup_time.description = hours
        form.return_time.description = _("Pendant les horaires du site, comme la prise du véhicule.")
    return form


@dataclass
class RequestPage:
    """What the request page shows besides the form."""

    refusals: list
    preview: services.Preview | None = None
    # Nothing free, or lost at the last moment: what is still possible.
    alternatives: services.Alternatives | None = None
    alternatives_message: str | None = None


def _render_request(person: Beneficiary, form: RequestForm, page: RequestPage, status: int):
    # Only a valid form reaches a preview or alternatives: its values can be posted again.
    checked = page.preview is not None or page.alternatives is not None
    return (
        render_template(
            "booking/request.html",
            person=person,
            form=form,
            page=page,
            values=form.values() if checked else {},
            period=form.details().period() if checked else None,
            person_args=_person_args(person),
            for_someone_else=current_user.role is Role.REFERENT,
            offer_hours=services.offer_hours(),
            active_booking=current_booking(person),
        ),
        status,
    )


def _choose_beneficiary():
    form = BeneficiaryChoiceForm(formdata=None)
    form.set_choices(db.session.scalars(visible_beneficiaries(current_user)))
    return render_template("booking/choose_beneficiary.html", form=form)


@role_required(Role.BENEFICIARY, Role.REFERENT)
def request_form():
    if current_user.role is Role.REFERENT and not request.args.get("beneficiaire"):
        # Whom for is chosen with a GET: a POST here has nothing to send.
        return (
            _choose_beneficiary()
            if request.method == "GET"
            else redirect(url_for("booking.request_form"), 303)
        )
    person = _requested_person()
    if person is None:
        return render_template("booking/no_file.html")
    if request.method == "GET" and request.args.get("etape") in KEPT_STEPS:
        return _kept_request(person, request.args["etape"])
    form = _request_form(person)
    page = RequestPage(refusals=[])
    if not form.validate_on_submit():
        return _render_request(person, form, page, form_status())
    step = request.form.get("step", "preview")
    if step == "send":
        return _send_request(person, form)
    # The price, or the form to change: shown at an address of their own, answered to a GET,
    # so that Back and reload never offer to send a form again. The request waits in the
    # session (not in the address: its purpose would end up in access logs).
    session[KEPT_REQUEST] = {"person": person.id, "values": form.values()}
    step = "modifier" if step == "edit" else "prix"
    return redirect(url_for("booking.request_form", etape=step, **_person_args(person)), 303)


# Steps shown again with GET from the request kept in the session.
KEPT_STEPS = ("prix", "modifier")
KEPT_REQUEST = "booking_request"


def _kept_request(person: Beneficiary, step: str):
    kept = session.get(KEPT_REQUEST)
    if not kept or kept.get("person") != person.id:
        # Nothing kept for this person (another browser, an old address): the empty form.
        return redirect(url_for("booking.request_form", **_person_args(person)))
    form = _request_form(person, formdata=MultiDict(kept["values"]))
    page = RequestPage(refusals=[])
    if not form.validate() or step == "modifier":
        return _render_request(person, form, page, 200)
    return _show_preview(person, form, page)


def _show_preview(person: Beneficiary, form: RequestForm, page: RequestPage):
    try:
        preview = services.preview(person, form.details())
    except BookingError as exc:
        show_error(form, exc.message, exc.field)
        return _render_request(person, form, page, 422)
    if preview.refusals:
        page.refusals = worded(preview.refusals)
        return _render_request(person, form, page, 422)
    page.preview = preview
    if preview.vehicle is None:
        page.alternatives = preview.alternatives
        page.alternatives_message = _(
            "Aucun véhicule de ce type n'est libre sur ces dates dans ce bassin. Voici ce qui reste possible."
        )
    return _render_request(person, form, page, 200)


def _send_request(person: Beneficiary, form: RequestForm):
    """Send the request: everything is checked again, the vehicle may have gone since the preview."""
    page = RequestPage(refusals=[])
    try:
        booking = services.request_booking(person, form.details(), current_user)
    except NotEligible as exc:
        db.session.rollback()
        page.refusals = worded(exc.refusals)
        return _render_request(person, form, page, 422)
    except VehicleTaken as exc:
        db.session.rollback()
        page.alternatives = exc.alternatives
        # Whatever was free at the preview has just been taken: say so, whichever refusal it was.
        page.alternatives_message = _(
            "Le véhicule vient d'être réservé par quelqu'un d'autre sur cette période. "
            "Voici ce qui reste libre."
        )
        return _render_request(person, form, page, 409)
    except (BookingError, IllegalMove) as exc:
        db.session.rollback()
        show_error(form, exc.message, getattr(exc, "field", None))
        return _render_request(person, form, page, 422)
    db.session.commit()
    if booking.status is BookingStatus.REQUESTED:
        flash(
            _(
                "Votre demande %(reference)s est envoyée. Votre référent doit la valider avant le %(date)s ; "
                "vous recevrez un message.",
                reference=booking.reference,
                date=format_datetime(booking.expires_at, "d MMMM y, HH:mm"),
            ),
            "success",
        )
    else:
        flash(
            _(
                "La location %(reference)s est enregistrée et validée : "
                "l'association va confirmer le véhicule.",
                reference=booking.reference,
            ),
            "success",
        )
    return redirect(url_for("booking.show", booking_id=booking.id))


@role_required(Role.BENEFICIARY, Role.REFERENT)
def join_queue():
    person = _requested_person()
    if person is None:
        abort(404)
    form = _request_form(person)
    page = RequestPage(refusals=[])
    if not form.validate_on_submit():
        return _render_request(person, form, page, 422)
    try:
        entry = services.join_queue(person, form.details(), current_user)
    except NotEligible as exc:
        db.session.rollback()
        page.refusals = worded(exc.refusals)
        return _render_request(person, form, page, 422)
    except BookingError as exc:
        db.session.rollback()
        show_error(form, exc.message, exc.field)
        return _render_request(person, form, page, 422)
    db.session.commit()
    position = services.queue_position(entry)
    if current_user.role is Role.BENEFICIARY:
        message = _("Votre demande est dans la file d'attente, en position %(position)s.", position=position)
    else:
        message = _(
            "La demande de %(name)s est dans la file d'attente, en position %(position)s.",
            name=person.display_name,
            position=position,
        )
    flash(message + " " + _("Un message est envoyé dès qu'un véhicule se libère."), "success")
    return redirect(url_for("booking.index"))


# --- My bookings and the waiting queue ----------------------------------------------------------


def _visible_waiting_entries():
    query = select(WaitingEntry).where(WaitingEntry.status.in_(OPEN_WAITING))
    if current_user.role is Role.ADMIN:
        return query
    query = query.join(Beneficiary, Beneficiary.id == WaitingEntry.beneficiary_id)
    if current_user.role is Role.REFERENT:
        return query.where(Beneficiary.organisation_id == current_user.organisation_id)
    return query.where(Beneficiary.user_id == current_user.id)


@role_required(Role.BENEFICIARY, Role.REFERENT, Role.ADMIN)
def index():
    staff = current_user.role is not Role.BENEFICIARY
    form = filters = None
    if staff:
        form = listing.BookingFilterForm(
            request.args, sites=listing.filter_sites(current_user), user=current_user
        )
        filters = listing.read_filters(form)
    filters = filters or listing.BookingFilters()
    bookings = fetch_page(
        listing.searched_bookings(current_user, filters),
        page=page_number(request.args.get("page")),
        per_page=listing.PER_PAGE,
    )
    entries = list(
        db.session.scalars(
            _visible_waiting_entries()
            .options(
                selectinload(WaitingEntry.beneficiary),
                selectinload(WaitingEntry.basin),
                selectinload(WaitingEntry.offered_vehicle).selectinload(Vehicle.site),
            )
            .order_by(WaitingEntry.created_at, WaitingEntry.id)
        )
    )
    positions = services.queue_positions(entries)
    return render_template(
        "booking/index.html",
        page=bookings,
        form=form,
        filters=filters,
        entries=entries,
        positions=positions,
        for_staff=staff,
        person_fields=privacy.visible_person_fields(privacy.audience_of(current_user)),
    )


@role_required(Role.BENEFICIARY, Role.REFERENT)
def accept_offer(entry_id: int):
    entry = access.waiting_entry_or_404(entry_id, current_user)
    try:
        booking = services.accept_offer(entry, current_user)
    except NotEligible as exc:
        db.session.rollback()
        for refusal in worded(exc.refusals):
            flash(f"{refusal.message} {refusal.what_to_do}", "error")
        return redirect(url_for("booking.index"))
    except VehicleTaken:
        # The service has put the entry back in the queue at its place: keep that.
        db.session.commit()
        flash(
            _(
                "Le véhicule proposé vient d'être réservé par quelqu'un d'autre. "
                "Vous gardez votre place dans la file d'attente."
            ),
            "error",
        )
        return redirect(url_for("booking.index"))
    except BookingError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("booking.index"))
    db.session.commit()
    flash(
        _("La proposition est acceptée : la location %(reference)s est créée.", reference=booking.reference),
        "success",
    )
    return redirect(url_for("booking.show", booking_id=booking.id))


@role_required(Role.BENEFICIARY, Role.REFERENT)
def withdraw(entry_id: int):
    entry = access.waiting_entry_or_404(entry_id, current_user)
    if save_on_page(None, lambda: services.withdraw_from_queue(entry, current_user)):
        flash(_("La demande est retirée de la file d'attente."), "success")
    return redirect(url_for("booking.index"))


def register(bp: Blueprint) -> None:
    """Put these pages on the booking blueprint."""
    bp.add_url_rule("/demander", view_func=request_form, methods=["GET", "POST"])
    bp.add_url_rule("/file-attente", view_func=join_queue, methods=["POST"])
    bp.add_url_rule("/", view_func=index, methods=["GET"])
    bp.add_url_rule("/file-attente/<int:entry_id>/accepter", view_func=accept_offer, methods=["POST"])
    bp.add_url_rule("/file-attente/<int:entry_id>/retirer", view_func=withdraw, methods=["POST"])
