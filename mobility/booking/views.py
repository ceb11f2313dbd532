"""Booking pages for beneficiaries, référents and everyone's booking page.

- the request form (a beneficiary for themself, a référent for a person their organisation
  follows), in two steps: see the price, then send;
- "Mes locations" with the waiting queue;
- the booking page and its actions, the printable summary and the calendar file;
- the référents' approval queue.

Every booking is loaded through access.booking_or_404: someone else's booking is "not found".
Services flush; these views commit once after a success and roll back on a refusal.
"""

from __future__ import annotations

from functools import partial

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.labels import role_label
from mobility.auth.models import Role, User
from mobility.auth.permissions import role_required
from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.services import get_visible_beneficiary, own_file, visible_beneficiaries
from mobility.core.views import PAGE_REFUSALS, save_or_show, show_error
from mobility.booking import access, listing, privacy, queries, services
from mobility.booking.eligibility import NotEligible, eligibility_settings
from mobility.booking.forms import (
    BeneficiaryChoiceForm,
    CancelForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    OutcomeForm,
    RejectForm,
    RequestForm,
)
from mobility.booking.lifecycle import Action, IllegalMove, can
from mobility.booking.person import current_booking
from mobility.booking.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    Extension,
    WaitingEntry,
    WaitingStatus,
    local,
)
from mobility.booking.services import BookingError, VehicleTaken
from mobility.core.time import utcnow
from mobility.core.boundary import page_number, parse_bounded_int
from mobility.core.db import commit_keeping_loaded
from mobility.core.paging import fetch_page
from mobility.extensions import db
from mobility.booking.planning import calendar_state
from mobility.fleet.ics import CalendarEvent, render_calendar
from mobility.fleet.models import Vehicle
from mobility.territory import cached
from mobility.fleet.opening_hours import basin_hours_text, hours_text, offered_slots

# These pages also show an illegal move (a booking changed meanwhile) on the form.
save_on_page = partial(save_or_show, refusals=PAGE_REFUSALS)

bp = Blueprint("booking", __name__, url_prefix="/locations")

DECIDERS = (Role.REFERENT, Role.ADMIN)
# Once the association has confirmed, the person may know which car it is.
OPEN_WAITING = (WaitingStatus.WAITING, WaitingStatus.OFFERED)
# How long the pickup and return events last in the calendar file.
CALENDAR_EVENT_MINUTES = 30


def _worded(refusals: list) -> list:
    """Reasons in the second person for the beneficiary, about "la personne" for staff."""
    staff = current_user.role != Role.BENEFICIARY
    return [refusal.worded_for(staff) for refusal in refusals]


def _today():
    return local(utcnow()).date()


def _status() -> int:
    """A form shown again after a POST was refused: 422 Unprocessable Content."""
    return 422 if request.method == "POST" else 200


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
    form.set_choices(categories, cached.basins(), _today(), defaults, offered_slots())
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


@bp.route("/demander", methods=["GET", "POST"])
@role_required(Role.BENEFICIARY, Role.REFERENT)
def request_form():
    if current_user.role is Role.REFERENT and not request.args.get("beneficiaire"):
        # Whom for is chosen with a GET: a POST here has nothing to send.
        return _choose_beneficiary() if request.method == "GET" else redirect(url_for("booking.request_form"), 303)
    person = _requested_person()
    if person is None:
        return render_template("booking/no_file.html")
    if request.method == "GET" and request.args.get("etape") in KEPT_STEPS:
        return _kept_request(person, request.args["etape"])
    form = _request_form(person)
    page = RequestPage(refusals=[])
    if not form.validate_on_submit():
        return _render_request(person, form, page, _status())
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
        page.refusals = _worded(preview.refusals)
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
        page.refusals = _worded(exc.refusals)
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


@bp.route("/file-attente", methods=["POST"])
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
        page.refusals = _worded(exc.refusals)
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


@bp.get("/")
@role_required(Role.BENEFICIARY, Role.REFERENT, Role.ADMIN)
def index():
    staff = current_user.role is not Role.BENEFICIARY
    form = filters = None
    if staff:
        form = listing.BookingFilterForm(request.args, sites=listing.filter_sites(current_user), user=current_user)
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


@bp.post("/file-attente/<int:entry_id>/accepter")
@role_required(Role.BENEFICIARY, Role.REFERENT)
def accept_offer(entry_id: int):
    entry = access.waiting_entry_or_404(entry_id, current_user)
    try:
        booking = services.accept_offer(entry, current_user)
    except NotEligible as exc:
        db.session.rollback()
        for refusal in _worded(exc.refusals):
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


@bp.post("/file-attente/<int:entry_id>/retirer")
@role_required(Role.BENEFICIARY, Role.REFERENT)
def withdraw(entry_id: int):
    entry = access.waiting_entry_or_404(entry_id, current_user)
    if save_on_page(None, lambda: services.withdraw_from_queue(entry, current_user)):
        flash(_("La demande est retirée de la file d'attente."), "success")
    return redirect(url_for("booking.index"))


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


def _reject_form(booking: Booking, formdata=None) -> RejectForm:
    # One prefix per booking: the approval queue shows several of these forms on one page.
    return RejectForm(prefix=f"reject-{booking.id}", formdata=formdata)


def _decision_form(extension: Extension, formdata=None) -> ExtensionDecisionForm:
    return ExtensionDecisionForm(prefix=f"decision-{extension.id}", formdata=formdata)


def _outcome_form(booking: Booking, formdata=None) -> OutcomeForm | None:
    due = services.due_checkpoints(booking, _today())
    if current_user.role not in DECIDERS or not due:
        return None
    form = OutcomeForm(prefix="outcome", formdata=formdata)
    form.set_checkpoints(due)
    return form


def _render_show(booking: Booking, status: int = 200, **failed_forms):
    """The booking page; a form refused on POST comes back in failed_forms, with its errors."""
    role = current_user.role
    pending = booking.pending_extension
    forms = {
        # Fleet staff and admins cancel from the fleet panel, which asks for the reason on its own page.
        "cancel_form": CancelForm(prefix="cancel", formdata=None)
        if can(booking, Action.CANCEL, role) and role in (Role.BENEFICIARY, Role.REFERENT)
        else None,
        "reject_form": _reject_form(booking) if can(booking, Action.REJECT, role) else None,
        "extension_form": ExtensionRequestForm(prefix="extension", formdata=None)
        if _may_request_extension(booking)
        else None,
        "decision_form": _decision_form(pending) if pending is not None and role in DECIDERS else None,
        "outcome_form": _outcome_form(booking),
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


@bp.get("/<int:booking_id>")
@login_required
def show(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    record(AuditAction.READ, "booking", booking.id, actor=current_user)
    commit_keeping_loaded()
    return _render_show(booking)


def _back_to(booking: Booking) -> str:
    """Where an action sends the user back: the approval queue when it was made from there."""
    if request.form.get("from") == "approvals":
        return url_for("booking.approvals")
    return url_for("booking.show", booking_id=booking.id)


@bp.route("/<int:booking_id>/annuler", methods=["GET", "POST"])
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
    return render_template("booking/cancel.html", booking=booking, form=form), _status()


@bp.post("/<int:booking_id>/valider")
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


@bp.post("/<int:booking_id>/refuser")
@role_required(*DECIDERS)
def reject(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    form = _reject_form(booking, formdata=request.form)
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
    return _render_show(booking, 422, reject_form=form)


@bp.post("/<int:booking_id>/prolongation")
@role_required(Role.BENEFICIARY, Role.REFERENT, Role.ADMIN)
def request_extension(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    form = ExtensionRequestForm(prefix="extension")
    if form.validate_on_submit() and save_on_page(
        form, lambda: services.request_extension(booking, form.new_ends_on.data, current_user)
    ):
        flash(_("La demande de prolongation est envoyée au référent."), "success")
        return redirect(url_for("booking.show", booking_id=booking.id))
    return _render_show(booking, 422, extension_form=form)


@bp.post("/prolongations/<int:extension_id>/decision")
@role_required(*DECIDERS)
def decide_extension(extension_id: int):
    extension = access.extension_or_404(extension_id, current_user)
    booking = extension.booking
    form = _decision_form(extension, formdata=request.form)
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
    return _render_show(booking, 422, decision_form=form)


@bp.post("/<int:booking_id>/suite")
@role_required(*DECIDERS)
def record_outcome(booking_id: int):
    booking = access.booking_or_404(booking_id, current_user)
    form = _outcome_form(booking, formdata=request.form)
    if form is None:
        flash(_("Aucune suite n'est à noter pour cette location en ce moment."), "error")
        return redirect(url_for("booking.show", booking_id=booking.id))
    if form.validate_on_submit() and save_on_page(
        form,
        lambda: services.record_outcome(booking, form.checkpoint_member, form.result.data, current_user),
    ):
        flash(_("La suite de la location est notée."), "success")
        return redirect(url_for("booking.show", booking_id=booking.id))
    return _render_show(booking, 422, outcome_form=form)


# --- Printable summary and calendar -------------------------------------------------------------


@bp.get("/<int:booking_id>/recapitulatif")
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


@bp.get("/<int:booking_id>/calendrier.ics")
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


# --- Référents' approval queue ------------------------------------------------------------------


# The approval page shows the first outcomes to record; the rest are on their own pages.
OUTCOMES_PREVIEW = 10


def _outcomes_due_page(page: int, per_page: int):
    """A page of returned rentals with a follow-up to record now, with the checkpoints due."""
    today = _today()
    found = fetch_page(queries.outcomes_due(current_user, today), page=page, per_page=per_page)
    rows = [(booking, services.due_checkpoints(booking, today)) for booking in found.items]
    return found, rows


def _render_approvals(status: int = 200, reject_forms=None, decision_forms=None):
    requests_page = fetch_page(
        queries.requests_to_approve(current_user), page=page_number(request.args.get("page")), per_page=listing.PER_PAGE
    )
    requests = requests_page.items
    outcomes_page, outcomes_due = _outcomes_due_page(1, OUTCOMES_PREVIEW)
    extensions = queries.pending_extensions(current_user)
    reject_forms = {booking.id: _reject_form(booking) for booking in requests} | (reject_forms or {})
    decision_forms = {ext.id: _decision_form(ext) for ext in extensions} | (decision_forms or {})
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


@bp.get("/a-valider")
@role_required(*DECIDERS)
def approvals():
    return _render_approvals()


@bp.get("/suites-a-noter")
@role_required(*DECIDERS)
def outcomes_due():
    found, rows = _outcomes_due_page(page_number(request.args.get("page")), listing.PER_PAGE)
    return render_template("booking/outcomes_due.html", page=found, rows=rows)
