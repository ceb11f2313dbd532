"""The "vehicles near you" search: input shape only."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired, ValidationError

from mobility.core.forms import BaseForm, FrenchDateField
from mobility.fleet.models import VehicleCategory

MAX_SEARCH_DAYS = 366


class AvailabilitySearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET search that changes nothing

    basin = SelectField(_l("Bassin d'emploi"), choices=[], validate_choice=False)
    category = SelectField(
        _l("Type de véhicule"),
        choices=[],
        validators=[InputRequired(_l("Choisissez un type de véhicule."))],
    )
    first_day = FrenchDateField(
        _l("Du"),
        description=_l("Premier jour où vous avez besoin du véhicule."),
        validators=[InputRequired(_l("Saisissez la date de début."))],
        format="%Y-%m-%d",
    )
    last_day = FrenchDateField(
        _l("Au"),
        description=_l("Dernier jour, compris."),
        validators=[InputRequired(_l("Saisissez la date de fin."))],
        format="%Y-%m-%d",
    )

    def set_choices(self, basins, today) -> None:
        self.today = today
        self.basin.choices = [("", _l("Tous les bassins"))] + [(str(b.id), b.name) for b in basins]
        self._basin_ids = {str(b.id) for b in basins}
        self.category.choices = [("", _l("— Choisir —"))] + [(c.value, c.label) for c in VehicleCategory]

    def validate_basin(self, field):
        if field.data and field.data not in self._basin_ids:
            raise ValidationError(_l("Choisissez un bassin dans la liste."))

    def validate_category(self, field):
        if field.data not in {c.value for c in VehicleCategory}:
            raise ValidationError(_l("Choisissez un type de véhicule dans la liste."))

    def validate_first_day(self, field):
        if field.data and field.data < self.today:
            raise ValidationError(
                _l("Cette date est déjà passée : choisissez aujourd'hui ou un jour à venir.")
            )

    def validate_last_day(self, field):
        first = self.first_day.data
        if not field.data or not first:
            return
        if field.data < first:
            raise ValidationError(_l("La date de fin doit être le même jour que la date de début ou après."))
        if field.data - first >= timedelta(days=MAX_SEARCH_DAYS):
            raise ValidationError(_l("Cherchez sur un an au plus."))
