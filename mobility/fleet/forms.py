"""Fleet forms: input shape only (no lookups); the services check what needs the database."""

from __future__ import annotations


from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from mobility.core.forms import (
    BaseForm,
    ChoiceOfIds,
    EnumSelectField,
    FrenchDateField,
    FrenchIntegerField,
    FrenchPhone,
    NotInFuture,
    empty_to_none,
    optional_int,
    parse_euros,
    strip_filter,
)
from mobility.fleet.models import (
    MAX_SEATS,
    DocumentKind,
    Energy,
    Gearbox,
    MaintenanceKind,
    UnavailabilityKind,
    VehicleCategory,
    VehicleOrigin,
    VehicleStatus,
)
from mobility.fleet.rules import (
    PLATE_INVALID,
    VIN_INVALID,
    InvalidPlate,
    InvalidVin,
    normalise_plate,
    normalise_vin,
)

TOO_MANY_SEATS = {
    VehicleCategory.CAR: _l("Une voiture a au plus 9 places."),
    VehicleCategory.VSP: _l("Une voiture sans permis a au plus 2 places."),
    VehicleCategory.SCOOTER: _l("Un scooter a au plus 2 places."),
    VehicleCategory.EBIKE: _l("Un vélo à assistance électrique a une seule place."),
}


class SiteForm(BaseForm):
    name = StringField(
        _l("Nom du site"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez le nom du site.")),
            Length(max=120, message=_l("Le nom ne doit pas dépasser 120 caractères.")),
        ],
        description=_l("Par exemple : Garage solidaire de Montargis."),
    )
    address = StringField(
        _l("Adresse"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez l'adresse du site.")),
            Length(max=200, message=_l("L'adresse ne doit pas dépasser 200 caractères.")),
        ],
        render_kw={"autocomplete": "street-address"},
    )
    commune_insee = SelectField(
        _l("Commune"), validators=[InputRequired(_l("Choisissez la commune du site."))], validate_choice=False
    )
    basin_id = SelectField(
        _l("Bassin d'emploi"),
        coerce=optional_int,
        validate_choice=False,
        description=_l(
            "Par défaut, celui de la commune. Choisissez-en un autre si le site sert un autre bassin."
        ),
    )
    opening_hours = TextAreaField(
        _l("Remarques sur les horaires (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=1000, message=_l("Les remarques ne doivent pas dépasser 1 000 caractères."))],
        description=_l(
            "Par exemple : sonnez à l'accueil. Les horaires eux-mêmes se saisissent jour par jour sur la page "
            "« Horaires » du site."
        ),
    )
    phone = TelField(
        _l("Téléphone (facultatif)"),
        filters=[empty_to_none],
        validators=[Optional(), Length(max=20, message=_l("Le numéro est trop long.")), FrenchPhone()],
    )
    active = BooleanField(_l("Site ouvert (les véhicules peuvent y être pris et rendus)"), default=True)

    def set_choices(self, communes, basins) -> None:
        self.commune_insee.choices = [SelectChoice("", _l("— Choisir une commune —"))] + [
            SelectChoice(commune.insee_code, commune.label) for commune in communes
        ]
        self.basin_id.choices = [SelectChoice("", _l("— Bassin de la commune —"))] + [
            SelectChoice(str(basin.id), basin.name) for basin in basins
        ]
        self._commune_codes = {commune.insee_code for commune in communes}
        self._basin_ids = {basin.id for basin in basins}

    def validate_commune_insee(self, field):
        if field.data and field.data not in self._commune_codes:
            raise ValidationError(_l("Choisissez une commune du Loiret dans la liste."))

    def validate_basin_id(self, field):
        if field.raw_data and field.raw_data[0] not in ("", None) and field.data not in self._basin_ids:
            raise ValidationError(_l("Choisissez un bassin d'emploi dans la liste."))


class VehicleForm(BaseForm):
    plate = StringField(
        _l("Immatriculation"),
        filters=[strip_filter],
        validators=[DataRequired(_l("Saisissez l'immatriculation."))],
        description=_l("Au format AB-123-CD, ou 1234 AB 45 pour une ancienne plaque."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    vin = StringField(
        _l("Numéro VIN (facultatif)"),
        filters=[empty_to_none],
        description=_l("17 caractères, case E de la carte grise."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    make = StringField(
        _l("Marque"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez la marque.")),
            Length(max=60, message=_l("La marque ne doit pas dépasser 60 caractères.")),
        ],
    )
    model = StringField(
        _l("Modèle"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez le modèle.")),
            Length(max=60, message=_l("Le modèle ne doit pas dépasser 60 caractères.")),
        ],
    )
    category = EnumSelectField(
        _l("Catégorie"),
        VehicleCategory,
        _l("Choisissez une catégorie dans la liste."),
        placeholder=_l("— Choisir —"),
    )
    energy = EnumSelectField(
        _l("Énergie"), Energy, _l("Choisissez une énergie dans la liste."), placeholder=_l("— Choisir —")
    )
    gearbox = EnumSelectField(
        _l("Boîte de vitesses"),
        Gearbox,
        _l("Choisissez le type de boîte de vitesses."),
        placeholder=_l("— Choisir —"),
        description=_l("Une boîte automatique facilite la conduite des nouveaux conducteurs."),
    )
    seats = FrenchIntegerField(
        _l("Nombre de places"),
        validators=[
            InputRequired(_l("Saisissez le nombre de places.")),
            NumberRange(min=1, max=9, message=_l("Le nombre de places va de 1 à 9.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    first_registered_on = FrenchDateField(
        _l("Date de première immatriculation"),
        validators=[
            InputRequired(_l("Saisissez la date de première immatriculation (case B de la carte grise).")),
            NotInFuture(_l("La date de première immatriculation ne peut pas être dans le futur.")),
        ],
        format="%Y-%m-%d",
    )
    site_id = SelectField(
        _l("Site de rattachement"),
        coerce=optional_int,
        validate_choice=False,
        validators=[ChoiceOfIds(_l("Choisissez un site de votre association dans la liste."))],
    )
    origin = EnumSelectField(
        _l("Origine"), VehicleOrigin, _l("Choisissez l'origine du véhicule."), placeholder=_l("— Choisir —")
    )
    status = EnumSelectField(
        _l("État"), VehicleStatus, _l("Choisissez l'état du véhicule."), default=VehicleStatus.ACTIVE
    )
    insurance_expires_on = FrenchDateField(
        _l("Fin de l'assurance (facultatif)"), validators=[Optional()], format="%Y-%m-%d"
    )
    technical_inspection_due_on = FrenchDateField(
        _l("Prochain contrôle technique avant le (facultatif)"),
        validators=[Optional()],
        format="%Y-%m-%d",
        description=_l("Obligatoire aussi pour les voitures sans permis depuis 2024."),
    )
    notes = TextAreaField(
        _l("Remarques (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=2000, message=_l("Les remarques ne doivent pas dépasser 2 000 caractères."))],
    )
    initial_km = FrenchIntegerField(
        _l("Kilométrage actuel (facultatif)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=1_999_999, message=_l("Le kilométrage va de 0 à 1 999 999.")),
        ],
        render_kw={"inputmode": "numeric"},
    )

    def set_choices(self, sites) -> None:
        self.site_id.choices = [SelectChoice("", _l("— Choisir un site —"))] + [
            SelectChoice(str(site.id), site.label) for site in sites
        ]

    def validate_plate(self, field):
        if not field.data:
            return
        try:
            field.data = normalise_plate(field.data)
        except InvalidPlate as exc:
            raise ValidationError(PLATE_INVALID) from exc

    def validate_vin(self, field):
        if not field.data:
            return
        try:
            field.data = normalise_vin(field.data)
        except InvalidVin as exc:
            raise ValidationError(VIN_INVALID) from exc

    def validate_seats(self, field):
        category = self.category.data
        if field.data and category in MAX_SEATS and field.data > MAX_SEATS[category]:
            raise ValidationError(TOO_MANY_SEATS[category])

    def validate_first_registered_on(self, field):
        if field.data and field.data.year < 1951:
            raise ValidationError(_l("Vérifiez l'année de première immatriculation."))


class OdometerForm(BaseForm):
    read_on = FrenchDateField(
        _l("Date du relevé"),
        validators=[
            InputRequired(_l("Saisissez la date du relevé.")),
            NotInFuture(_l("La date du relevé ne peut pas être dans le futur.")),
        ],
        format="%Y-%m-%d",
    )
    km = FrenchIntegerField(
        _l("Kilométrage au compteur"),
        validators=[
            InputRequired(_l("Saisissez le kilométrage.")),
            NumberRange(min=0, max=1_999_999, message=_l("Le kilométrage va de 0 à 1 999 999.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    km_confirmed = BooleanField(_l("Ce kilométrage est juste : je le confirme"))
    # Set by the page when the service has asked whether an implausible reading is right.
    implausible_asked = False


class UnavailabilityForm(BaseForm):
    first_day = FrenchDateField(
        _l("Premier jour"), validators=[InputRequired(_l("Saisissez le premier jour."))], format="%Y-%m-%d"
    )
    last_day = FrenchDateField(
        _l("Dernier jour (inclus)"),
        validators=[InputRequired(_l("Saisissez le dernier jour."))],
        format="%Y-%m-%d",
    )
    kind = EnumSelectField(
        _l("Motif"),
        UnavailabilityKind,
        _l("Choisissez un motif dans la liste."),
        placeholder=_l("— Choisir —"),
    )
    reason = StringField(
        _l("Précisions (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=300, message=_l("Les précisions ne doivent pas dépasser 300 caractères."))],
    )

    def validate_last_day(self, field):
        if field.data and self.first_day.data and field.data < self.first_day.data:
            raise ValidationError(_l("Le dernier jour doit être le premier jour ou après."))
        if field.data and self.first_day.data and (field.data - self.first_day.data).days > 366:
            raise ValidationError(
                _l("Une indisponibilité dure au plus un an : retirez plutôt le véhicule de la flotte.")
            )


class MaintenanceForm(BaseForm):
    done_on = FrenchDateField(
        _l("Date de l'intervention"),
        validators=[
            InputRequired(_l("Saisissez la date de l'intervention.")),
            NotInFuture(_l("La date de l'intervention ne peut pas être dans le futur.")),
        ],
        format="%Y-%m-%d",
    )
    kind = EnumSelectField(
        _l("Type d'intervention"),
        MaintenanceKind,
        _l("Choisissez un type d'intervention dans la liste."),
        placeholder=_l("— Choisir —"),
    )
    odometer_km = FrenchIntegerField(
        _l("Kilométrage (facultatif)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=1_999_999, message=_l("Le kilométrage va de 0 à 1 999 999.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    cost = StringField(
        _l("Coût TTC en euros"),
        filters=[strip_filter],
        validators=[InputRequired(_l("Saisissez le coût, 0 si l'intervention était gratuite."))],
        description=_l("Par exemple : 120,50"),
        render_kw={"inputmode": "decimal"},
    )
    garage = StringField(
        _l("Garage (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=120, message=_l("Le nom du garage ne doit pas dépasser 120 caractères."))],
    )
    notes = TextAreaField(
        _l("Remarques (facultatif)"),
        filters=[empty_to_none],
        validators=[Length(max=2000, message=_l("Les remarques ne doivent pas dépasser 2 000 caractères."))],
    )
    km_confirmed = BooleanField(_l("Ce kilométrage est juste : je le confirme"))
    # Set by the page when the service has asked whether an implausible reading is right.
    implausible_asked = False

    def validate_cost(self, field):
        try:
            self.cost_cents = parse_euros(field.data)
        except ValueError as exc:
            raise ValidationError(_l("Saisissez un montant en euros, par exemple 120,50.")) from exc


class DocumentForm(BaseForm):
    kind = EnumSelectField(
        _l("Type de document"),
        DocumentKind,
        _l("Choisissez le type de document."),
        placeholder=_l("— Choisir —"),
    )
    file = FileField(
        _l("Fichier"),
        description=_l("PDF, JPEG ou PNG, 5 Mo au plus."),
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )
    expires_on = FrenchDateField(
        _l("Date d'expiration ou d'échéance (facultatif)"), validators=[Optional()], format="%Y-%m-%d"
    )

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", None):
            raise ValidationError(_l("Choisissez le fichier à envoyer."))
