"""Input shape of the reporting pages: a period, an export request, an objective."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, ValidationError

from mobility.core.forms import BaseForm, ChoiceOfIds, EnumSelectField, FrenchDateField, FrenchIntegerField, optional_int
from mobility.reporting.exports import EXPORTS
from mobility.reporting.formats import Format
from mobility.reporting.models import ObjectiveIndicator

MAX_PERIOD_DAYS = 3660

FORMAT_LABELS = {
    Format.CSV: _l("CSV open data (virgule, UTF-8), avec son schéma TableSchema"),
    Format.EXCEL_CSV: _l("CSV pour Excel en français (point-virgule)"),
    Format.XLSX: _l("Classeur Excel (XLSX)"),
    Format.JSON: _l("JSON"),
}


class PeriodForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter that changes nothing

    du = FrenchDateField(_l("Du"), validators=[InputRequired(_l("Saisissez le premier jour de la période."))])
    au = FrenchDateField(
        _l("Au"),
        description=_l("Dernier jour, compris."),
        validators=[InputRequired(_l("Saisissez le dernier jour de la période."))],
    )

    def validate_au(self, field):
        if field.data and self.du.data:
            if field.data < self.du.data:
                raise ValidationError(_l("Le dernier jour doit être après le premier."))
            if (field.data - self.du.data).days > MAX_PERIOD_DAYS:
                raise ValidationError(_l("La période ne peut pas dépasser dix ans."))


class ExportForm(PeriodForm):
    export = SelectField(
        _l("Export"),
        choices=[SelectChoice(export.name, export.title) for export in EXPORTS.values()],
        validate_choice=False,
    )
    format = SelectField(
        _l("Format"), choices=[SelectChoice(fmt.value, label) for fmt, label in FORMAT_LABELS.items()], validate_choice=False
    )

    def validate_export(self, field):
        if field.data not in EXPORTS:
            raise ValidationError(_l("Choisissez un export dans la liste."))

    def validate_format(self, field):
        if field.data not in {fmt.value for fmt in Format}:
            raise ValidationError(_l("Choisissez un format dans la liste."))


class ObjectiveForm(BaseForm):
    organisation_id = SelectField(
        _l("Organisation prescriptrice"),
        coerce=optional_int,
        validators=[ChoiceOfIds(_l("Choisissez une organisation dans la liste."))],
        validate_choice=False,
    )
    year = FrenchIntegerField(
        _l("Année"),
        validators=[
            InputRequired(_l("Saisissez l'année, par exemple 2026.")),
            NumberRange(2000, 2100, _l("Saisissez une année entre 2000 et 2100.")),
        ],
    )
    indicator = EnumSelectField(_l("Indicateur"), ObjectiveIndicator, _l("Choisissez un indicateur dans la liste."))
    target = FrenchIntegerField(
        _l("Objectif de l'année"),
        validators=[
            InputRequired(_l("Saisissez l'objectif, un nombre entier.")),
            NumberRange(1, 1_000_000, _l("L'objectif doit être un nombre entier d'au moins 1.")),
        ],
    )

    def set_organisations(self, organisations) -> None:
        self.organisation_id.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
