"""Cession forms: input shape only (the convention's limits and the VIN's uniqueness are the
services' to check). Plates and VINs follow the fleet's rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from mobility.cession.models import ConventionKind
from mobility.core.forms import (
    BaseForm,
    ChoiceOfIds,
    EnumSelectField,
    EurosField,
    FrenchDateField,
    FrenchIntegerField,
    FrenchTimeField,
    NotInFuture,
    empty_to_none,
    optional_int,
    strip_filter,
)
from mobility.fleet.models import MAX_SEATS, Energy, Gearbox, VehicleCategory
from mobility.fleet.rules import PLATE_INVALID, VIN_INVALID, InvalidPlate, InvalidVin, normalise_plate, normalise_vin

FILE_HINT = _l("PDF, JPEG ou PNG, 5 Mo au plus.")
FILE_ACCEPT = {"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}


def _required_date(label, message):
    return FrenchDateField(label, validators=[DataRequired(message)])


def _text(label, message, max_length, **kwargs):
    return StringField(
        label,
        filters=[strip_filter],
        validators=[DataRequired(message), Length(max=max_length, message=_l("%(max)s caractères au plus.", max=max_length))],
        **kwargs,
    )


class ConventionForm(BaseForm):
    reference = _text(_l("Référence de la convention"), _l("Saisissez la référence de la convention."), 40)
    association_id = SelectField(
        _l("Association signataire"), coerce=optional_int, validate_choice=False,
        validators=[ChoiceOfIds(_l("Choisissez l'association signataire dans la liste."))],
    )
    signed_on = _required_date(_l("Date de signature"), _l("Saisissez la date de signature."))
    starts_on = _required_date(_l("Début de la convention"), _l("Saisissez la date de début."))
    ends_on = _required_date(_l("Fin de la convention"), _l("Saisissez la date de fin."))
    max_vehicles = FrenchIntegerField(
        _l("Nombre maximal de véhicules"),
        validators=[
            InputRequired(_l("Saisissez le nombre maximal de véhicules.")),
            NumberRange(min=1, max=10000, message=_l("Saisissez un nombre entre 1 et 10 000.")),
        ],
    )
    kind = EnumSelectField(
        _l("Forme de la cession"), ConventionKind, _l("Choisissez la forme de la cession."),
        placeholder=_l("— Choisir —"),
    )
    price_decision_reference = StringField(
        _l("Décision du Département fixant le prix (cession à titre onéreux)"),
        filters=[empty_to_none], validators=[Length(max=60, message=_l("60 caractères au plus."))],
    )
    obligations = TextAreaField(
        _l("Obligations de l'association"), filters=[empty_to_none],
        validators=[Length(max=4000, message=_l("4 000 caractères au plus."))],
        description=_l("Par exemple : rapport d'activité annuel, usage exclusif pour le dispositif."),
    )
    document = FileField(_l("Convention signée (PDF, facultatif)"), description=FILE_HINT, render_kw=FILE_ACCEPT)

    def set_choices(self, associations) -> None:
        self.association_id.choices = [SelectChoice("", _l("— Choisir une association —"))] + [
            SelectChoice(str(association.id), association.name) for association in associations
        ]

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("La fin de la convention doit venir après son début."))

    def validate_price_decision_reference(self, field):
        if self.kind.data is ConventionKind.PRICED and not field.data:
            raise ValidationError(_l("Indiquez la référence de la décision du Département qui fixe le prix."))


class CessionForm(BaseForm):
    convention_id = SelectField(
        _l("Convention"), coerce=optional_int, validate_choice=False,
        validators=[ChoiceOfIds(_l("Choisissez la convention dans la liste."))],
    )
    decision_reference = _text(_l("Référence de la décision de cession"), _l("Saisissez la référence de la décision."), 60)
    decided_on = FrenchDateField(
        _l("Date de la décision"), validators=[DataRequired(_l("Saisissez la date de la décision.")), NotInFuture()]
    )
    plate = _text(
        _l("Immatriculation"), _l("Saisissez l'immatriculation."), 12,
        description=_l("Au format AB-123-CD, ou 1234 AB 45 pour une ancienne plaque."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    vin = _text(
        _l("Numéro VIN"), _l("Saisissez le numéro VIN."), 40,
        description=_l("17 caractères, case E de la carte grise."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    make = _text(_l("Marque"), _l("Saisissez la marque."), 60)
    model = _text(_l("Modèle"), _l("Saisissez le modèle."), 60)
    first_registered_on = FrenchDateField(
        _l("Date de première mise en circulation"),
        validators=[DataRequired(_l("Saisissez la date de première mise en circulation.")), NotInFuture()],
        description=_l("Case B de la carte grise."),
    )
    category = EnumSelectField(
        _l("Catégorie"), VehicleCategory, _l("Choisissez la catégorie."), placeholder=_l("— Choisir —")
    )
    energy = EnumSelectField(_l("Énergie"), Energy, _l("Choisissez l'énergie."), placeholder=_l("— Choisir —"))
    odometer_km = FrenchIntegerField(
        _l("Kilométrage à la cession"),
        validators=[
            InputRequired(_l("Saisissez le kilométrage.")),
            NumberRange(min=0, max=1_999_999, message=_l("Saisissez un kilométrage entre 0 et 1 999 999.")),
        ],
    )
    value_cents = EurosField(_l("Valeur du véhicule (€)"), _l("Saisissez la valeur, 0 pour une valeur nulle."))
    ceded_on = FrenchDateField(
        _l("Date de la cession"), validators=[DataRequired(_l("Saisissez la date de la cession.")), NotInFuture()]
    )

    ceded_at_time = FrenchTimeField(
        _l("Heure de la cession (facultatif)"), validators=[Optional()],
        description=_l("Inscrite sur le certificat de cession, par exemple 14:30."),
    )

    def set_choices(self, conventions) -> None:
        self.convention_id.choices = [SelectChoice("", _l("— Choisir une convention —"))] + [
            SelectChoice(str(convention.id), convention.label) for convention in conventions
        ]

    def validate_plate(self, field):
        try:
            field.data = normalise_plate(field.data)
        except InvalidPlate as exc:
            raise ValidationError(PLATE_INVALID) from exc

    def validate_vin(self, field):
        try:
            field.data = normalise_vin(field.data)
        except InvalidVin as exc:
            raise ValidationError(VIN_INVALID) from exc

    def validate_ceded_on(self, field):
        first = self.first_registered_on.data
        if field.data and first and field.data < first:
            raise ValidationError(_l("La date de cession ne peut pas précéder la première mise en circulation."))

    def validate_first_registered_on(self, field):
        if field.data and field.data.year < 1951:
            raise ValidationError(_l("Vérifiez l'année de première mise en circulation."))

    def data_for_service(self) -> dict:
        return {
            "convention_id": self.convention_id.data,
            **{
                name: self[name].data
                for name in (
                    "decision_reference", "decided_on", "plate", "vin", "make", "model", "first_registered_on",
                    "category", "energy", "odometer_km", "ceded_on", "ceded_at_time",
                )
            },
            "value_cents": self.value_cents.cents,
        }


class PaperworkForm(BaseForm):
    done_on = FrenchDateField(
        _l("Date"), validators=[DataRequired(_l("Saisissez la date.")), NotInFuture()],
    )
    certificate_number = StringField(
        _l("Numéro du nouveau certificat d'immatriculation"), filters=[empty_to_none],
        validators=[Optional(), Length(max=40, message=_l("40 caractères au plus."))],
    )
    document = FileField(_l("Document (facultatif)"), description=FILE_HINT, render_kw=FILE_ACCEPT)


class ReasonForm(BaseForm):
    reason = TextAreaField(
        _l("Raison"), filters=[empty_to_none],
        validators=[Optional(), Length(max=1000, message=_l("1 000 caractères au plus."))],
    )


class InServiceForm(BaseForm):
    site_id = SelectField(
        _l("Site de rattachement"), coerce=optional_int, validate_choice=False,
        validators=[ChoiceOfIds(_l("Choisissez un site de votre association dans la liste."))],
    )
    gearbox = EnumSelectField(_l("Boîte de vitesses"), Gearbox, _l("Choisissez la boîte de vitesses."), placeholder=_l("— Choisir —"))
    seats = FrenchIntegerField(
        _l("Nombre de places"),
        validators=[DataRequired(_l("Indiquez le nombre de places.")), NumberRange(min=1, max=9, message=_l("Entre 1 et 9 places."))],
    )

    def set_choices(self, sites) -> None:
        self.site_id.choices = [SelectChoice("", _l("— Choisir un site —"))] + [
            SelectChoice(str(site.id), site.label) for site in sites
        ]

    def check_seats(self, category: VehicleCategory) -> bool:
        if self.seats.data and category in MAX_SEATS and self.seats.data > MAX_SEATS[category]:
            self.seats.errors.append(str(_l("Trop de places pour cette catégorie de véhicule.")))
            return False
        return True


class ResaleAgreementForm(BaseForm):
    resale_agreement_reference = _text(
        _l("Référence de l'accord du Département"), _l("Indiquez la référence de l'accord du Département."), 60
    )
    resale_agreed_on = FrenchDateField(
        _l("Date de l'accord"), validators=[DataRequired(_l("Saisissez la date de l'accord.")), NotInFuture()]
    )
