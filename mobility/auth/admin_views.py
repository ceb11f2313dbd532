"""Admin pages: organisations and staff accounts (beneficiary accounts belong to référents)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from mobility.auth import services
from mobility.auth.forms import OrganisationForm, UserForm
from mobility.auth.models import Organisation, OrganisationKind, Role, User
from mobility.auth.permissions import role_required
from mobility.core.boundary import page_number, parse_bounded_int
from mobility.extensions import db
from mobility.territory.models import EmploymentBasin

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin")

STAFF_ROLES = (Role.REFERENT, Role.FLEET, Role.ADMIN)


def _organisation_or_404(organisation_id: int) -> Organisation:
    return db.get_or_404(Organisation, organisation_id)


def _staff_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        abort(404)
    return user


def _fill_organisation_choices(form: OrganisationForm) -> None:
    form.basins.choices = [(basin.id, basin.name) for basin in EmploymentBasin.all_ordered()]


def _fill_user_choices(form: UserForm) -> None:
    form.organisation_id.choices = [
        (org.id, org.name) for org in Organisation.all_ordered()
    ]


@bp.route("/organisations")
@role_required(Role.ADMIN)
def organisations():
    return render_template("admin/organisations.html", organisations=Organisation.all_ordered())


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_organisation(organisation_id: int | None = None):
    organisation = _organisation_or_404(organisation_id) if organisation_id else None
    form = OrganisationForm(obj=organisation)
    _fill_organisation_choices(form)
    if request.method == "GET" and organisation is not None:
        form.kind.data = organisation.kind.value
        form.basins.data = [basin.id for basin in organisation.basins]
    if form.validate_on_submit():
        duplicate = db.session.scalar(
            select(Organisation).where(Organisation.name == form.name.data)
        )
        same_siret = form.siret.data and db.session.scalar(
            select(Organisation).where(Organisation.siret == form.siret.data)
        )
        if duplicate is not None and duplicate is not organisation:
            form.name.errors.append(_("Une organisation porte déjà ce nom."))
        elif same_siret and same_siret is not organisation:
            form.siret.errors.append(_("Ce numéro SIRET est déjà celui de « %(name)s ».", name=same_siret.name))
        else:
            if organisation is None:
                organisation = Organisation()
                db.session.add(organisation)
            organisation.name = form.name.data
            organisation.kind = OrganisationKind(form.kind.data)
            organisation.is_mission_locale = form.is_mission_locale.data
            organisation.siret = form.siret.data
            organisation.postal_address = form.postal_address.data
            organisation.basins = list(
                db.session.scalars(
                    select(EmploymentBasin).where(EmploymentBasin.id.in_(form.basins.data or []))
                )
            )
            db.session.commit()
            flash(_("L'organisation « %(name)s » est enregistrée.", name=organisation.name), "success")
            return redirect(url_for("accounts_admin.organisations"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/organisation_form.html", form=form, organisation=organisation), status


@bp.route("/utilisateurs")
@role_required(Role.ADMIN)
def users():
    query = (
        select(User)
        .where(User.role.in_(STAFF_ROLES))
        .join(User.organisation)
        .order_by(Organisation.name, User.full_name)
    )
    organisation_id = parse_bounded_int(request.args.get("organisation"), minimum=1)
    if organisation_id:
        query = query.where(User.organisation_id == organisation_id)
    page = db.paginate(query, page=page_number(request.args.get("page")), per_page=50, error_out=False)
    return render_template(
        "admin/users.html",
        page=page,
        organisations=Organisation.all_ordered(),
        organisation_id=organisation_id,
    )


@bp.route("/utilisateurs/nouveau", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_user():
    form = UserForm()
    _fill_user_choices(form)
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        if organisation is None:
            form.organisation_id.errors.append(_("Choisissez une organisation dans la liste."))
        else:
            try:
                user = services.create_user(
                    email=form.email.data,
                    full_name=form.full_name.data,
                    role=Role(form.role.data),
                    organisation=organisation,
                )
            except services.AccountError as exc:
                db.session.rollback()
                form[exc.field].errors.append(exc.message)
            else:
                user.active = form.active.data
                services.send_invitation(user, invited_by=current_user)
                db.session.commit()
                flash(
                    _("Le compte de %(name)s est créé ; une invitation a été envoyée à %(email)s.",
                      name=user.full_name, email=user.email),
                    "success",
                )
                return redirect(url_for("accounts_admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/utilisateurs/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = _staff_user_or_404(user_id)
    form = UserForm(obj=user)
    _fill_user_choices(form)
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        email = services.normalise_email(form.email.data)
        other = services.find_user_by_email(email)
        if organisation is None:
            form.organisation_id.errors.append(_("Choisissez une organisation dans la liste."))
        elif other is not None and other.id != user.id:
            form.email.errors.append(_("Un compte existe déjà avec cette adresse e-mail."))
        elif user.id == current_user.id and (not form.active.data or form.role.data != "admin"):
            form.role.errors.append(
                _("Vous ne pouvez pas retirer vos propres droits d'administration ni désactiver votre compte.")
            )
        else:
            try:
                services.check_role_fits_organisation(Role(form.role.data), organisation)
            except services.AccountError as exc:
                form[exc.field].errors.append(exc.message)
            else:
                was_active = user.active
                user.email = email
                user.full_name = form.full_name.data
                user.role = Role(form.role.data)
                user.organisation = organisation
                user.active = form.active.data
                if was_active and not user.active:
                    user.revoke_sessions()
                db.session.commit()
                flash(_("Le compte de %(name)s est enregistré.", name=user.full_name), "success")
                return redirect(url_for("accounts_admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user), status


@bp.route("/utilisateurs/<int:user_id>/invitation", methods=["POST"])
@role_required(Role.ADMIN)
def resend_invitation(user_id: int):
    user = _staff_user_or_404(user_id)
    if user.has_password:
        flash(_("Ce compte a déjà un mot de passe : proposez plutôt « Mot de passe oublié »."), "error")
    else:
        services.send_invitation(user, invited_by=current_user)
        db.session.commit()
        flash(_("Une nouvelle invitation a été envoyée à %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts_admin.edit_user", user_id=user.id))
