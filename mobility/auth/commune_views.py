"""Admin pages: which employment basin each commune belongs to (the territory's reference data,
edited by admins: the page lives with the other admin pages, above the territory floor)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from mobility.core.french import elide
from mobility.auth.forms import CommuneBasinForm
from mobility.auth.models import Role
from mobility.auth.permissions import role_required
from mobility.core.boundary import page_number
from mobility.extensions import db
from mobility.territory.models import Commune, EmploymentBasin

bp = Blueprint("communes_admin", __name__, url_prefix="/admin/communes")


@bp.route("/")
@role_required(Role.ADMIN)
def communes():
    basin_code = request.args.get("bassin", "")
    query = select(Commune).join(Commune.basin).order_by(Commune.sort_key, Commune.name)
    if basin_code:
        query = query.where(EmploymentBasin.code == basin_code)
    search = request.args.get("q", "").strip()[:80]
    if search:
        query = query.where(Commune.name.ilike(f"%{search}%") | Commune.postal_codes.contains(search))
    page = db.paginate(query, page=page_number(request.args.get("page")), per_page=50, error_out=False)
    return render_template(
        "admin/communes.html",
        page=page,
        basins=EmploymentBasin.all_ordered(),
        basin_code=basin_code,
        search=search,
    )


@bp.route("/<insee_code>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_commune(insee_code: str):
    commune = db.get_or_404(Commune, insee_code)
    form = CommuneBasinForm(basin_id=commune.basin_id)
    form.basin_id.choices = [(basin.id, basin.name) for basin in EmploymentBasin.all_ordered()]
    if form.validate_on_submit():
        commune.basin_id = form.basin_id.data
        db.session.commit()
        flash(
            elide(_("%(commune)s est maintenant dans le bassin de %(basin)s.",
                    commune=commune.name, basin=db.session.get(EmploymentBasin, form.basin_id.data).name)),
            "success",
        )
        return redirect(url_for("communes_admin.communes"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/commune_form.html", form=form, commune=commune), status
