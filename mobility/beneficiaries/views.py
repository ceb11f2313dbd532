from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.beneficiaries import services
from mobility.beneficiaries.forms import BeneficiaryForm, OwnContactChoiceForm
from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.personal_data import personal_data
from mobility.beneficiaries.personal_data import record_export as services_record_export
from mobility.beneficiaries.ports import rentals_for_file
from mobility.core.boundary import page_number
from mobility.core.db import commit_keeping_loaded
from mobility.core.french import elide
from mobility.core.paging import fetch_page
from mobility.extensions import db
from mobility.notify.models import ContactChoice
from mobility.territory.models import Commune

bp = Blueprint("beneficiaries", __name__)


def beneficiary_or_404(beneficiary_id: int) -> Beneficiary:
    """The file if the current user may see it; 404 otherwise, whether it exists or not."""
    beneficiary = services.get_visible_beneficiary(beneficiary_id, current_user)
    if beneficiary is None:
        abort(404)
    return beneficiary


def _form(beneficiary: Beneficiary | None = None) -> BeneficiaryForm:
    form = BeneficiaryForm(obj=beneficiary)
    communes = Commune.all_ordered()
    form.set_choices(communes, services.referents_of(current_user.organisation_id))
    if request.method == "GET":
        if beneficiary is None:
            form.referent_id.data = current_user.id
        else:
            form.has_licence_b.data = beneficiary.has_licence_b
    return form


def _form_data(form: BeneficiaryForm) -> dict:
    data = {name: form[name].data for name in services.EDITABLE_FIELDS}
    data["has_licence_b"] = form.has_licence_b.data
    return data


@bp.route("/beneficiaires")
@role_required(Role.REFERENT)
def index():
    search = request.args.get("q", "").strip()[:80]
    # Sorted on the index beneficiary(organisation_id, last_name, first_name, id), never counted.
    page = fetch_page(
        services.visible_beneficiaries(current_user, search), page=page_number(request.args.get("page")), per_page=25
    )
    return render_template("beneficiaries/index.html", page=page, search=search)


@bp.route("/beneficiaires/nouveau", methods=["GET", "POST"])
@role_required(Role.REFERENT)
def create():
    form = _form()
    if form.validate_on_submit():
        try:
            beneficiary = services.create_beneficiary(
                _form_data(form),
                current_user,
                rsa_checked=form.rsa_checked_now.data,
                driving_checked=form.driving_rights_checked_now.data,
            )
        except services.BeneficiaryError as exc:
            db.session.rollback()
            form[exc.field].errors.append(exc.message)
        else:
            db.session.commit()
            flash(elide(_("La fiche de %(name)s est créée.", name=beneficiary.display_name)), "success")
            return redirect(url_for("beneficiaries.show", beneficiary_id=beneficiary.id))
    status = 422 if request.method == "POST" else 200
    return render_template("beneficiaries/form.html", form=form, beneficiary=None), status


@bp.route("/beneficiaires/<int:beneficiary_id>")
@role_required(Role.REFERENT)
def show(beneficiary_id: int):
    beneficiary = beneficiary_or_404(beneficiary_id)
    services.record_read(beneficiary, current_user)
    commit_keeping_loaded()  # only the access-log row was written
    return render_template(
        "beneficiaries/show.html", beneficiary=beneficiary, file=rentals_for_file(beneficiary, current_user)
    )


@bp.route("/beneficiaires/<int:beneficiary_id>/modifier", methods=["GET", "POST"])
@role_required(Role.REFERENT)
def edit(beneficiary_id: int):
    beneficiary = beneficiary_or_404(beneficiary_id)
    form = _form(beneficiary)
    if form.validate_on_submit():
        try:
            services.update_beneficiary(
                beneficiary,
                _form_data(form),
                current_user,
                rsa_checked=form.rsa_checked_now.data,
                driving_checked=form.driving_rights_checked_now.data,
            )
        except services.BeneficiaryError as exc:
            db.session.rollback()
            beneficiary = beneficiary_or_404(beneficiary_id)
            form[exc.field].errors.append(exc.message)
        else:
            db.session.commit()
            flash(elide(_("La fiche de %(name)s est enregistrée.", name=beneficiary.display_name)), "success")
            return redirect(url_for("beneficiaries.show", beneficiary_id=beneficiary.id))
    if request.method == "GET":
        services.record_read(beneficiary, current_user)
        db.session.commit()
    status = 422 if request.method == "POST" else 200
    return render_template("beneficiaries/form.html", form=form, beneficiary=beneficiary), status


@bp.route("/beneficiaires/<int:beneficiary_id>/invitation", methods=["POST"])
@role_required(Role.REFERENT)
def invite(beneficiary_id: int):
    beneficiary = beneficiary_or_404(beneficiary_id)
    try:
        services.invite_beneficiary(beneficiary, current_user)
    except services.AccountError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Une invitation a été envoyée à %(email)s.", email=beneficiary.email), "success")
    return redirect(url_for("beneficiaries.show", beneficiary_id=beneficiary_id))


@bp.route("/mes-donnees", methods=["GET", "POST"])
@role_required(Role.BENEFICIARY)
def my_data():
    beneficiary = services.own_file(current_user)
    form = OwnContactChoiceForm(
        data={"contact_channel": beneficiary.contact_channel.value}
        if beneficiary is not None and beneficiary.contact_channel else None
    )
    status = 200
    if beneficiary is not None and request.method == "POST":
        if form.validate_on_submit():
            try:
                changed = services.choose_own_contact_channel(
                    beneficiary, ContactChoice(form.contact_channel.data), current_user
                )
            except services.BeneficiaryError as exc:
                db.session.rollback()
                form.contact_channel.errors = [exc.message]
            else:
                db.session.commit()
                if changed:
                    flash(_("Votre choix est enregistré."), "success")
                return redirect(url_for("beneficiaries.my_data"))
        status = 422
    elif beneficiary is not None:
        services.record_read(beneficiary, current_user)
        commit_keeping_loaded()  # only the access-log row was written
    data = personal_data(beneficiary) if beneficiary is not None else None
    return render_template("beneficiaries/my_data.html", beneficiary=beneficiary, form=form, data=data), status


# A person's data, whole: as JSON (RGPD art. 20) and as a page to print (art. 15); the person's
# own, or handed over by their référent to a person without an account. Each is audited.


def _json_download(beneficiary: Beneficiary):
    data = personal_data(beneficiary)
    services_record_export(beneficiary, current_user, "json")
    db.session.commit()
    body = json.dumps(data.as_json(), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="donnees-personnelles-{beneficiary.id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _printable(beneficiary: Beneficiary, json_url: str, back_url: str):
    data = personal_data(beneficiary)
    services_record_export(beneficiary, current_user, "print")
    db.session.commit()
    response = Response(
        render_template("beneficiaries/personal_data_print.html", data=data, json_url=json_url, back_url=back_url)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _own_file_or_404() -> Beneficiary:
    beneficiary = services.own_file(current_user)
    if beneficiary is None:
        abort(404)
    return beneficiary


@bp.get("/mes-donnees/donnees.json")
@role_required(Role.BENEFICIARY)
def my_data_json():
    return _json_download(_own_file_or_404())


@bp.get("/mes-donnees/imprimer")
@role_required(Role.BENEFICIARY)
def my_data_print():
    return _printable(_own_file_or_404(), url_for("beneficiaries.my_data_json"), url_for("beneficiaries.my_data"))


@bp.get("/beneficiaires/<int:beneficiary_id>/donnees.json")
@role_required(Role.REFERENT)
def personal_data_json(beneficiary_id: int):
    return _json_download(beneficiary_or_404(beneficiary_id))


@bp.get("/beneficiaires/<int:beneficiary_id>/donnees")
@role_required(Role.REFERENT)
def personal_data_print(beneficiary_id: int):
    beneficiary = beneficiary_or_404(beneficiary_id)
    return _printable(
        beneficiary,
        url_for("beneficiaries.personal_data_json", beneficiary_id=beneficiary.id),
        url_for("beneficiaries.show", beneficiary_id=beneficiary.id),
    )
