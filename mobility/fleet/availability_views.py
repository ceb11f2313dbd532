"""\"Véhicules près de chez vous\": how many vehicles are free, per basin, on chosen dates.

Open to everyone, logged in or not: it shows counts only, never a plate or a VIN.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from mobility.fleet import availability
from mobility.fleet.availability_forms import AvailabilitySearchForm
from mobility.fleet.models import VehicleCategory
from mobility.core.time import today as today_of_france
from mobility.territory import cached

bp = Blueprint("availability", __name__)


def _home_basin_id() -> str:
    """A référent's or a beneficiary's organisation basin, when it has exactly one."""
    if current_user.is_authenticated and len(current_user.organisation.basins) == 1:
        return str(current_user.organisation.basins[0].id)
    return ""


@bp.route("/vehicules-disponibles")
def search():
    basins = list(cached.basins())
    form = AvailabilitySearchForm(formdata=request.args if request.args else None)
    form.set_choices(basins, today_of_france())
    results = None
    category = None
    status = 200
    if request.args:
        if form.validate():
            starts_at, ends_at = availability.days_to_period(form.first_day.data, form.last_day.data)
            chosen = [basin for basin in basins if str(basin.id) == form.basin.data] or basins
            category = VehicleCategory(form.category.data)
            results = availability.free_vehicles_by_basin(category, starts_at, ends_at, chosen)
        else:
            status = 422
    else:
        form.basin.data = _home_basin_id()
    return render_template("fleet/availability.html", form=form, results=results, category=category), status
