"""Admin forms for bookings: a new tariff. Input shape only; the service checks the dates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired

from mobility.fleet.models import VehicleCategory
from mobility.core.forms import BaseForm, EnumSelectField, EurosField, FrenchDateField



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
