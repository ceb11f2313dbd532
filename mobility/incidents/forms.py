"""Forms of incidents and claims: the shape of the input only (the services say the rest)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, MultipleFileField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from mobility.core.forms import (
    BaseForm,
    EnumSelectField,
    FrenchDateField,
    FrenchPhone,
    NotInFuture,
    empty_to_none,
    normalise_phone,
    optional_int,
    parse_euros,
)
from mobility.incidents.models import DeductibleBearer, IncidentKind
from mobility.incidents.services import Continuation

PHOTO_FIELD_KW = {"accept": "image/*", "capture": "environment"}


class FrenchTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Saisissez une heure, par exemple 14:30."))) from exc


class BeneficiaryIncidentForm(BaseForm):
    """What the person says from their phone, in plain words."""

    kind = EnumSelectField(
        _l("Ce qui s'est passé"), IncidentKind, _l("Choisissez ce qui s'est passé."), placeholder=_l("— Choisir —")
    )
    occurred_on = FrenchDateField(
        _l("Date"),
        validators=[InputRequired(_l("Indiquez la date.")), NotInFuture(_l("La date ne peut pas être dans le futur."))],
    )
    occurred_time = FrenchTimeField(_l("Heure (environ)"), validators=[InputRequired(_l("Indiquez l'heure, même approximative."))])
    place = StringField(
        _l("Lieu"),
        filters=[empty_to_none],
        validators=[InputRequired(_l("Indiquez où, par exemple la rue et la commune.")),
                    Length(max=200, message=_l("Le lieu ne doit pas dépasser 200 caractères."))],
        description=_l("La rue et la commune, ou la route."),
    )
    description = TextAreaField(
        _l("Ce qui est arrivé"),
        filters=[empty_to_none],
        validators=[InputRequired(_l("Racontez en quelques mots ce qui est arrivé.")),
                    Length(max=4000, message=_l("Le texte ne doit pas dépasser 4 000 caractères."))],
    )
    stops_vehicle = BooleanField(_l("Le véhicule ne peut plus rouler"))
    other_party_involved = BooleanField(_l("Une autre personne ou un autre véhicule est concerné"))
    police_report_reference = StringField(
        _l("Numéro du dépôt de plainte ou du constat (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=60, message=_l("Le numéro ne doit pas dépasser 60 caractères."))],
    )
    photos = MultipleFileField(
        _l("Photos (facultatif)"),
        description=_l("Prenez jusqu'à 8 photos avec l'appareil du téléphone, 5 Mo chacune au plus."),
        render_kw=PHOTO_FIELD_KW,
    )


class StaffIncidentForm(BeneficiaryIncidentForm):
    """Fleet staff record it, and may take the vehicle off the road in the same step."""

    until_on = FrenchDateField(
        _l("Immobilisé jusqu'au (estimation)"),
        validators=[Optional()],
        description=_l("Le véhicule ne peut pas être réservé jusqu'à ce jour inclus ; vous le rendrez disponible "
                       "dès qu'il est réparé."),
    )
    continuation = SelectField(
        _l("Suite de la location en cours"),
        choices=[
            SelectChoice("", _l("— Sans objet : pas de location en cours —")),
            SelectChoice(Continuation.REPLACE.value, _l("Véhicule de remplacement, gratuit jusqu'à la fin de la location")),
            SelectChoice(Continuation.END.value, _l("Fin anticipée de la location, prix recalculé")),
        ],
        validate_choice=False,
    )
    replacement_vehicle_id = SelectField(
        _l("Véhicule de remplacement"), coerce=optional_int, validate_choice=False,
        description=_l("Les véhicules de l'association, de la même catégorie, libres jusqu'à la fin de la location."),
    )

    def validate_continuation(self, field):
        if field.data and field.data not in {c.value for c in Continuation}:
            raise ValidationError(_l("Choisissez une des suites proposées."))

    def until_needed(self) -> bool:
        return bool(self.stops_vehicle.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() ends the field's own chain when it is empty: the rule across fields goes here.
        if self.until_needed() and self.until_on.data is None and not self.until_on.errors:
            self.until_on.errors = [_l("Indiquez jusqu'à quand le véhicule est immobilisé (une estimation).")]
            return False
        return valid

    def set_replacements(self, vehicles) -> None:
        self.replacement_vehicle_id.choices = [SelectChoice("", _l("— Choisir —"))] + [
            SelectChoice(str(vehicle.id), f"{vehicle.label} — {vehicle.site.name}") for vehicle in vehicles
        ]


class OffRoadForm(BaseForm):
    until_on = StaffIncidentForm.until_on
    continuation = StaffIncidentForm.continuation
    replacement_vehicle_id = StaffIncidentForm.replacement_vehicle_id
    validate_continuation = StaffIncidentForm.validate_continuation
    set_replacements = StaffIncidentForm.set_replacements
    validate = StaffIncidentForm.validate

    def until_needed(self) -> bool:
        return True


class CloseForm(BaseForm):
    reason = TextAreaField(
        _l("Pourquoi le clore (s'il n'a pas été réparé)"),
        filters=[empty_to_none],
        validators=[Length(max=1000, message=_l("Le texte ne doit pas dépasser 1 000 caractères."))],
    )


class OptionalEurosField(StringField):
    def __init__(self, label, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, filters=[empty_to_none], **kwargs)
        self.cents: int | None = None

    def pre_validate(self, form):
        self.cents = None
        if not self.data:
            return
        try:
            self.cents = parse_euros(self.data)
        except ValueError as exc:
            raise ValidationError(_l("Saisissez un montant en euros, par exemple 350 ou 12,50.")) from exc


class ClaimForm(BaseForm):
    insurer_reference = StringField(
        _l("Référence du sinistre chez l'assureur"),
        filters=[empty_to_none],
        validators=[Length(max=60, message=_l("La référence ne doit pas dépasser 60 caractères."))],
    )
    declared_on = FrenchDateField(_l("Déclaré à l'assureur le"), validators=[Optional()])
    expert_visit_on = FrenchDateField(_l("Visite de l'expert le"), validators=[Optional()])
    repair_cost = OptionalEurosField(_l("Coût de la réparation en euros"))
    deductible = OptionalEurosField(_l("Franchise en euros"))
    deductible_borne_by = EnumSelectField(
        _l("Franchise à la charge de"), DeductibleBearer, _l("Choisissez qui supporte la franchise."),
        description=_l("Selon la règle de l'association. Rien n'est jamais facturé d'office à la personne : "
                       "enregistrez un paiement dans la location seulement s'il a lieu."),
    )
    notes = TextAreaField(
        _l("Remarques (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=2000, message=_l("Le texte ne doit pas dépasser 2 000 caractères."))],
    )


class PolicyForm(BaseForm):
    emergency_phone = StringField(
        _l("Numéro d'urgence de l'association"),
        filters=[empty_to_none],
        validators=[FrenchPhone()],
        description=_l("Affiché à la personne qui signale un incident. Par exemple 02 38 12 34 56."),
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    claim_working_days = IntegerField(
        _l("Délai de déclaration du contrat d'assurance, en jours ouvrés"),
        validators=[InputRequired(_l("Indiquez le délai, 5 jours ouvrés au moins.")),
                    NumberRange(min=5, max=30, message=_l("Le délai va de 5 jours ouvrés (le minimum légal) à 30."))],
    )
    deductible_borne_by = EnumSelectField(
        _l("Franchise à la charge de, par défaut"), DeductibleBearer, _l("Choisissez qui supporte la franchise.")
    )

    def phone(self) -> str | None:
        return normalise_phone(self.emergency_phone.data) if self.emergency_phone.data else None
