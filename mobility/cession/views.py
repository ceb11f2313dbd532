"""Cession pages: conventions and cessions for the Département's admins, and the
association's fleet staff following and completing their part.

Every object is loaded through a loader scoped on the user (admins: all; fleet staff: their
association's); anything else, and anyone else (référents, beneficiaries), gets 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.cession import documents, editing
from mobility.cession import register as cession_register
from mobility.cession import services
from mobility.cession.forms import (
    CessionForm,
    ConventionForm,
    InServiceForm,
    PaperworkForm,
    ReasonForm,
    ResaleAgreementForm,
)
from mobility.cession.models import Cession, CessionAction, CessionState, Convention, PaperworkKind
from mobility.core.boundary import parse_bounded_int
from mobility.core.errors import NotFound
from mobility.core.time import today as today_in_france
from mobility.core.views import PAGE_REFUSALS
from mobility.core.views import save_or_show as save_or_show_refusals
from mobility.extensions import db
from mobility.fleet import services as fleet_services



def save_or_show(form, save):
    """Cession pages show every refusal on their form, an illegal move included (a Conflict)."""
    return save_or_show_refusals(form, save, refusals=PAGE_REFUSALS)


bp = Blueprint("cession", __name__, url_prefix="/cessions")

STAFF = (Role.ADMIN, Role.FLEET)
# Moves made from the cession page with an optional or required reason.
SIMPLE_ACTIONS = {
    CessionAction.ACCEPT: lambda cession, actor, reason: services.accept(cession, actor),
    CessionAction.DECLINE: services.decline,
    CessionAction.TRANSFER: lambda cession, actor, reason: services.transfer(cession, actor),
    CessionAction.REGISTER: lambda cession, actor, reason: services.register(cession, actor),
    CessionAction.SCRAP: services.scrap,
    CessionAction.RESELL: services.resell,
}


def _status() -> int:
    return 422 if request.method == "POST" else 200


# --- Loaders (per-object permission checks live here, and only here) ----------------------------


def cession_or_404(cession_id: int) -> Cession:
    cession = services.get_visible_cession(cession_id, current_user)
    if cession is None:
        abort(404)
    return cession


def convention_or_404(convention_id: int) -> Convention:
    convention = services.get_visible_convention(convention_id, current_user)
    if convention is None:
        abort(404)
    return convention


def _uploaded(field):
    data = field.data
    return data if data is not None and getattr(data, "filename", None) else None


def _save_with_documents(form, save):
    """save_or_show, and no file left behind when the row it belongs to is not saved."""
    stored = []

    def keep(document):
        stored.append(document)
        return document

    result = save_or_show(form, lambda: save(keep))
    if result is None:
        for document in stored:
            documents.discard_file(document)
    return result


# --- Lists --------------------------------------------------------------------------------------


@bp.route("/")
@role_required(*STAFF)
def index():
    cessions = list(db.session.scalars(services.visible_cessions(current_user)))
    late = {entry.cession.id: entry.items for entry in services.late_paperwork(current_user)}
    return render_template("cession/index.html", cessions=cessions, late=late)


@bp.route("/conventions")
@role_required(*STAFF)
def conventions():
    rows = [(convention, services.convention_counts(convention))
            for convention in db.session.scalars(services.visible_conventions(current_user))]
    return render_template("cession/conventions.html", rows=rows)


@bp.route("/conventions/nouvelle", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def convention_create():
    form = ConventionForm()
    form.set_choices(services.associations())
    if form.validate_on_submit():
        data = {name: form[name].data for name in services.CONVENTION_FIELDS}

        def save(keep):
            upload = _uploaded(form.document)
            document = None
            if upload is not None:
                document = keep(documents.store_document(upload.stream, upload.filename, current_user, pdf_only=True))
            return services.create_convention(data, current_user, document)

        convention = _save_with_documents(form, save)
        if convention is not None:
            flash(_("Convention %(reference)s enregistrée.", reference=convention.reference), "success")
            return redirect(url_for("cession.convention", convention_id=convention.id))
    return render_template("cession/convention_form.html", form=form, convention=None), _status()


@bp.route("/conventions/<int:convention_id>")
@role_required(*STAFF)
def convention(convention_id: int):
    convention = convention_or_404(convention_id)
    return render_template(
        "cession/convention.html", convention=convention, counts=services.convention_counts(convention),
        cessions=convention.cessions,
    )


@bp.route("/conventions/<int:convention_id>/modifier", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def convention_edit(convention_id: int):
    convention = convention_or_404(convention_id)
    form = ConventionForm(obj=convention if request.method == "GET" else None)
    form.set_choices(services.associations())
    if request.method == "GET":
        form.association_id.data = convention.association_id
    if form.validate_on_submit():
        data = {name: form[name].data for name in services.CONVENTION_FIELDS}
        changed = save_or_show(form, lambda: editing.update_convention(convention, data, current_user))
        if changed is not None:
            flash(_("Convention %(reference)s modifiée.", reference=convention.reference), "success")
            return redirect(url_for("cession.convention", convention_id=convention.id))
    return render_template("cession/convention_form.html", form=form, convention=convention), _status()


@bp.route("/conventions/<int:convention_id>/document")
@role_required(*STAFF)
def convention_document(convention_id: int):
    convention = convention_or_404(convention_id)
    if convention.signed_document is None:
        abort(404)
    return _send(convention.signed_document, "convention", convention.id)


def _send(document, object_type: str, object_id: int):
    path = documents.document_path(document)
    if not path.exists():
        abort(404)
    record(AuditAction.READ, f"{object_type}_document", document.id, actor=current_user)
    db.session.commit()
    return send_file(path, mimetype=document.content_type, as_attachment=True, download_name=document.original_filename)


# --- Cessions -----------------------------------------------------------------------------------


@bp.route("/nouvelle", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def cession_create():
    form = CessionForm()
    form.set_choices(services.open_conventions())
    if request.method == "GET" and request.args.get("convention"):
        form.convention_id.data = parse_bounded_int(request.args.get("convention"), minimum=1)
    if form.validate_on_submit():
        cession = save_or_show(form, lambda: services.create_cession(form.data_for_service(), current_user))
        if cession is not None:
            flash(_("Cession %(reference)s proposée à l'association.", reference=cession.reference), "success")
            return redirect(url_for("cession.show", cession_id=cession.id))
    return render_template("cession/cession_form.html", form=form, cession=None), _status()


@bp.route("/<int:cession_id>/modifier", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def cession_edit(cession_id: int):
    cession = cession_or_404(cession_id)
    if not editing.facts_editable(cession):
        flash(_("Cette cession est « %(state)s » : son identité et ses dates ne se modifient plus.", state=cession.state.label), "error")
        return redirect(url_for("cession.show", cession_id=cession.id))
    form = CessionForm(obj=cession if request.method == "GET" else None)
    # Its convention never changes: the only choice offered, and the one used whatever is sent.
    form.set_choices([cession.convention])
    form.convention_id.data = cession.convention_id
    if request.method == "GET":
        form.value_cents.data = f"{cession.value_cents // 100},{cession.value_cents % 100:02d}"
    if form.validate_on_submit():
        data = form.data_for_service()
        changed = save_or_show(form, lambda: editing.update_cession(cession, data, current_user))
        if changed is not None:
            flash(_("Cession %(reference)s modifiée.", reference=cession.reference), "success")
            return redirect(url_for("cession.show", cession_id=cession.id))
    return render_template("cession/cession_form.html", form=form, cession=cession), _status()


def _show(cession: Cession, status: int = 200, **forms):
    today = today_in_france()
    paperwork = services.paperwork_status(cession, today)
    can_edit_paperwork = cession.state not in services.ENDED_STATES
    paperwork_forms = {}
    for item in paperwork:
        form = forms.get(f"paperwork_{item.kind.value}") or PaperworkForm(prefix=item.kind.value, formdata=None)
        paperwork_forms[item.kind] = form
    sites = fleet_services.sites_of(current_user, active_only=True)
    in_service_form = forms.get("in_service") or InServiceForm(formdata=None)
    in_service_form.set_choices(sites)
    return render_template(
        "cession/show.html",
        cession=cession,
        paperwork=paperwork,
        paperwork_forms=paperwork_forms,
        can_edit_paperwork=can_edit_paperwork,
        can_edit_facts=current_user.role is Role.ADMIN and editing.facts_editable(cession),
        actions=[action for action in services.allowed_actions(cession, current_user) if action in SIMPLE_ACTIONS],
        can_put_in_service=services.can(cession, CessionAction.PUT_IN_SERVICE, current_user),
        reason_form=forms.get("reason") or ReasonForm(formdata=None),
        in_service_form=in_service_form,
        resale_form=forms.get("resale") or ResaleAgreementForm(formdata=None),
        counts=services.convention_counts(cession.convention),
    ), status


@bp.route("/<int:cession_id>")
@role_required(*STAFF)
def show(cession_id: int):
    return _show(cession_or_404(cession_id))


@bp.route("/<int:cession_id>/pieces/<kind>", methods=["POST"])
@role_required(*STAFF)
def paperwork(cession_id: int, kind: str):
    cession = cession_or_404(cession_id)
    try:
        paperwork_kind = PaperworkKind(kind)
    except ValueError:
        abort(404)
    form = PaperworkForm(prefix=paperwork_kind.value)
    if form.validate_on_submit():
        def save(keep):
            upload = _uploaded(form.document)
            document = keep(documents.store_document(upload.stream, upload.filename, current_user)) if upload else None
            return services.record_paperwork(
                cession, paperwork_kind, form.done_on.data, current_user,
                certificate_number=form.certificate_number.data, document=document,
            )

        if _save_with_documents(form, save) is not None:
            flash(_("Pièce enregistrée : %(item)s.", item=paperwork_kind.label), "success")
            return redirect(url_for("cession.show", cession_id=cession.id, _anchor="pieces"))
    return _show(cession, 422, **{f"paperwork_{paperwork_kind.value}": form})


@bp.route("/<int:cession_id>/action/<action>", methods=["POST"])
@role_required(*STAFF)
def move(cession_id: int, action: str):
    cession = cession_or_404(cession_id)
    try:
        cession_action = CessionAction(action)
    except ValueError:
        abort(404)
    if cession_action not in SIMPLE_ACTIONS:
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        move_it = SIMPLE_ACTIONS[cession_action]
        if save_or_show(form, lambda: move_it(cession, current_user, form.reason.data)) is not None:
            flash(_("Cession %(reference)s : %(state)s.", reference=cession.reference, state=cession.state.label), "success")
            return redirect(url_for("cession.show", cession_id=cession.id))
    return _show(cession, 422, reason=form)


@bp.route("/<int:cession_id>/mise-en-service", methods=["POST"])
@role_required(Role.FLEET)
def put_in_service(cession_id: int):
    cession = cession_or_404(cession_id)
    form = InServiceForm()
    form.set_choices(fleet_services.sites_of(current_user, active_only=True))
    # The vehicle already in the fleet under this VIN needs no site, gearbox or seats.
    linking = services.fleet_vehicle_with_vin(cession.vin) is not None
    # When linking, only the CSRF token matters (ReasonForm checks it, and nothing else here).
    valid = ReasonForm().validate_on_submit() if linking else form.validate_on_submit() and form.check_seats(cession.category)
    if valid:
        vehicle = save_or_show(
            form,
            lambda: services.put_in_service(
                cession, current_user, site_id=form.site_id.data, gearbox=form.gearbox.data, seats=form.seats.data
            ),
        )
        if vehicle is not None:
            flash(_("Véhicule %(plate)s en service dans votre flotte.", plate=vehicle.plate), "success")
            return redirect(url_for("cession.show", cession_id=cession.id))
    return _show(cession, 422, in_service=form)


@bp.route("/<int:cession_id>/accord-revente", methods=["POST"])
@role_required(Role.ADMIN)
def resale_agreement(cession_id: int):
    cession = cession_or_404(cession_id)
    form = ResaleAgreementForm()
    if form.validate_on_submit():
        saved = save_or_show(
            form,
            lambda: services.record_resale_agreement(
                cession, form.resale_agreement_reference.data, form.resale_agreed_on.data, current_user
            ),
        )
        if saved is not None:
            flash(_("Accord de revente enregistré."), "success")
            return redirect(url_for("cession.show", cession_id=cession.id))
    return _show(cession, 422, resale=form)


@bp.route("/<int:cession_id>/documents/<int:document_id>")
@role_required(*STAFF)
def document(cession_id: int, document_id: int):
    cession = cession_or_404(cession_id)
    try:
        found = documents.get_visible_document(cession, None, document_id)
    except NotFound:
        abort(404)
    return _send(found, "cession", cession.id)


@bp.route("/<int:cession_id>/fiche")
@role_required(*STAFF)
def printable(cession_id: int):
    cession = cession_or_404(cession_id)
    return render_template(
        "cession/printable.html", cession=cession, paperwork=services.paperwork_status(cession),
        seller=services.seller_identity(), siret=services.formatted_siret,
    )


# --- The register -------------------------------------------------------------------------------


def _register_filters() -> cession_register.RegisterFilters:
    try:
        state = CessionState(request.args.get("etat", ""))
    except ValueError:
        state = None
    association_id = parse_bounded_int(request.args.get("association"), minimum=1)
    if current_user.role is not Role.ADMIN:
        association_id = None  # fleet staff see their own association anyway
    return cession_register.RegisterFilters(
        convention_id=parse_bounded_int(request.args.get("convention"), minimum=1),
        association_id=association_id,
        state=state,
        year=parse_bounded_int(request.args.get("annee"), minimum=1990, maximum=2200),
    )


@bp.route("/registre")
@role_required(*STAFF)
def register():
    filters = _register_filters()
    rows = cession_register.register_rows(current_user, filters)
    return render_template(
        "cession/register.html",
        rows=rows,
        totals=cession_register.totals_per_convention(rows),
        filters=filters,
        conventions=list(db.session.scalars(services.visible_conventions(current_user))),
        associations=services.associations() if current_user.role is Role.ADMIN else [],
        states=list(CessionState),
        query=request.args.to_dict(),
    )


@bp.route("/registre.<any(csv, xlsx):extension>")
@role_required(*STAFF)
def register_download(extension: str):
    rows = cession_register.register_rows(current_user, _register_filters())
    record(AuditAction.EXPORT, "cession_register", 0, actor=current_user)
    db.session.commit()
    if extension == "csv":
        body, mimetype = cession_register.register_csv(rows), "text/csv; charset=utf-8"
    else:
        body = cession_register.register_xlsx(rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = f"registre-cessions-{today_in_france().isoformat()}.{extension}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
