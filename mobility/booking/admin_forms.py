"""Admin forms for bookings: a new tariff. Input shape only; the service checks the dates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from mobility.fleet.forms import EnumSelectField, FrenchDateField
from mobility.fleet.models import VehicleCategory
from mobility.fleet.rules import parse_euros
from mobility.validators import strip_filter

AMOUNT_INVALID = _l("Saisissez un montant en euros, par exemple 4 ou 4,50.")
AMOUNT_NEGATIVE = _l("Le montant ne peut pas être négatif : saisissez 0 ou plus.")


class EurosField(StringField):
    """An amount typed in euros ("4", "4,50", "1 234,50 €"); `cents` holds it once valid."""

    def __init__(self, label, required_message, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        # DataRequired, not InputRequired: the data is stripped, so "  " is missing too ("0" is not).
        super().__init__(label, filters=[strip_filter], validators=[DataRequired(required_message)], **kwargs)
        self.cents: int | None = None

    def pre_validate(self, form):
        self.cents = None
        if not self.data:
            return  # DataRequired says so
        if self.data.startswith("-"):
            raise ValidationError(AMOUNT_NEGATIVE)
        try:
            self.cents = parse_euros(self.data)
        except ValueError as exc:
            raise ValidationError(AMOUNT_INVALID) from exc


class TariffForm(FlaskForm):
    category = EnumSelectField(
        _l("Type de véhicule"),
        VehicleCategory,
        _l("Choisissez un type de véhicule dans la liste."),
        placeholder=_l("— Choisir —"),
    )
    effective_on = FrenchDateField(
        _l("Prend effet le"),
        validators=[InputRequired(_l("Saisissez la date à partir de laquelle le tarif s'applique."))],
        format="%Y-%m-%d",
        description=_l(
            "Aujourd'hui ou plus tard. Les demandes faites à partir de ce jour-là suivent ce tarif ; "
            "les locations déjà demandées gardent leur prix."
        ),
    )
    daily = EurosField(
        _l("Prix par jour, en euros"),
        _l("Saisissez le prix par jour, 0 si la location est gratuite."),
        description=_l("Par exemple : 4 ou 4,50"),
    )
    weekly_cap = EurosField(
        _l("Plafond par semaine, en euros"),
        _l("Saisissez le plafond par semaine."),
        description=_l(
            "Une semaine de location ne coûte jamais plus. Pour ne pas plafonner, saisissez 7 fois le "
            "prix par jour ou plus."
        ),
    )
    monthly_cap = EurosField(
        _l("Plafond par mois (30 jours), en euros"),
        _l("Saisissez le plafond par mois."),
        description=_l(
            "30 jours de location ne coûtent jamais plus. Pour ne pas plafonner, saisissez 30 fois le "
            "prix par jour ou plus."
        ),
    )
    deposit = EurosField(
        _l("Caution, en euros"),
        _l("Saisissez le montant de la caution, 0 s'il n'y en a pas."),
        description=_l("Versée à la remise du véhicule et rendue au retour."),
    )
