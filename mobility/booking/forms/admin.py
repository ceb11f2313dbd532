"""Admin forms for bookings: a new tariff, a tariff to come corrected. Input shape and the order
of the caps; the service checks the dates (and the database the caps again)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired

from mobility.booking.services.tariffs import caps_out_of_order
from mobility.core.forms import BaseForm, EnumSelectField, EurosField, FrenchDateField
from mobility.fleet.models import VehicleCategory


class TariffForm(BaseForm):
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

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        amounts = (self.daily.cents, self.weekly_cap.cents, self.monthly_cap.cents)
        if valid and (refusal := caps_out_of_order(*amounts)):
            name, message = refusal
            self[name].errors = [*self[name].errors, message]
            return False
        return valid


class TariffCorrectionForm(TariffForm):
    """A tariff to come, corrected: its category stays."""

    category = None
