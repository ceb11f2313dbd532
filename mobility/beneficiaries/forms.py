from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from mobility.core.forms import (
    BaseForm,
    DateAfter,
    EmailAddress,
    NotInFuture,
    empty_to_none,
    optional_int,
    strip_filter,
)
from mobility.notify.models import ContactChoice
from mobility.notify.phones import InvalidPhone, is_mobile, normalise_phone

MINIMUM_AGE = 16
DATE_INVALID = _l("Saisissez une date valide, par exemple 31/01/1990.")


def _name_field(label, required_message):
    return StringField(
        label,
        filters=[strip_filter],
        validators=[
            DataRequired(required_message),
            Length(max=80, message=_l("Ce champ ne doit pas dépasser 80 caractères.")),
        ],
        render_kw={"autocomplete": "off"},
    )


_UNKNOWN_CHOICE = object()


def _contact_choice(value):
    if value is None or value == "" or isinstance(value, ContactChoice):
        return value or None
    try:
        return ContactChoice(value)
    except ValueError:
        return _UNKNOWN_CHOICE


def _e164_or_as_typed(value):
    """Numbers are stored as +33…; what cannot be read stays as typed for the message."""
    if not value:
        return value
    try:
        return normalise_phone(value)
    except InvalidPhone:
        return value


def _valid_phone(form, field):
    if field.data:
        try:
            normalise_phone(field.data)
        except InvalidPhone:
            raise ValidationError(
                _l("Saisissez un numéro de téléphone français à 10 chiffres, par exemple 06 12 34 56 78.")
            ) from None


class BeneficiaryForm(BaseForm):
    first_name = _name_field(_l("Prénom"), _l("Saisissez le prénom."))
    last_name = _name_field(_l("Nom"), _l("Saisissez le nom."))
    birth_date = DateField(
        _l("Date de naissance"),
        validators=[
            InputRequired(_l("Saisissez la date de naissance.")),
            NotInFuture(_l("La date de naissance ne peut pas être dans le futur.")),
        ],
        format="%Y-%m-%d",
    )
    email = EmailField(
        _l("Adresse e-mail (facultatif)"),
        filters=[empty_to_none],
        validators=[
            Optional(),
            Length(max=254, message=_l("L'adresse e-mail ne doit pas dépasser 254 caractères.")),
            EmailAddress(),
        ],
        description=_l("Nécessaire pour que la personne ait son propre accès au service."),
    )
    phone = TelField(
        _l("Téléphone (facultatif)"),
        filters=[empty_to_none, lambda value: _e164_or_as_typed(value)],
        validators=[Optional(), Length(max=20, message=_l("Le numéro est trop long.")), _valid_phone],
        description=_l("Pour les rappels par SMS et la remise du véhicule."),
    )
    contact_channel = SelectField(
        _l("Messages du service (rappels, propositions)"),
        choices=[
            SelectChoice("", _l("Selon les coordonnées connues (e-mail et SMS si possible)")),
            SelectChoice(ContactChoice.EMAIL.value, _l("Par e-mail")),
            SelectChoice(ContactChoice.SMS.value, _l("Par SMS")),
            SelectChoice(ContactChoice.BOTH.value, _l("Par e-mail et par SMS")),
        ],
        coerce=lambda value: _contact_choice(value),
        validate_choice=False,
        description=_l("Le SMS demande un numéro de portable ; sans adresse e-mail, choisissez le SMS."),
    )
    commune_insee = SelectField(
        _l("Commune de résidence"),
        validators=[InputRequired(_l("Choisissez la commune de résidence."))],
        validate_choice=False,
    )
    # optional_int: a forged value ("abc", 40 digits) reaches validate_referent_id's message.
    referent_id = SelectField(_l("Référent de parcours"), coerce=optional_int, validate_choice=False)

    rsa_checked_now = BooleanField(_l("J'ai vérifié aujourd'hui que la personne perçoit le RSA"))

    has_licence_b = BooleanField(_l("Titulaire du permis B"))
    licence_b_issued_on = DateField(
        _l("Date de délivrance du permis B"),
        validators=[Optional(), NotInFuture(_l("La date de délivrance ne peut pas être dans le futur."))],
        format="%Y-%m-%d",
    )
    licence_b_expires_on = DateField(
        _l("Fin de validité du permis B (si indiquée)"),
        validators=[
            Optional(),
            DateAfter(
                "licence_b_issued_on",
                _l("La fin de validité doit être après la date de délivrance."),
            ),
        ],
        format="%Y-%m-%d",
        description=_l("Les permis au format carte de crédit sont valables 15 ans."),
    )
    has_am_licence = BooleanField(_l("Titulaire du permis AM ou du BSR"))
    driving_rights_checked_now = BooleanField(
        _l("J'ai vu aujourd'hui le permis ou le BSR de la personne")
    )
    cer_valid_until = DateField(
        _l("Contrat d'engagements réciproques (CER) en vigueur jusqu'au (facultatif)"),
        validators=[Optional()],
        format="%Y-%m-%d",
    )

    def validate_contact_channel(self, field):
        choice = field.data
        if choice is _UNKNOWN_CHOICE:
            raise ValidationError(_l("Choisissez une façon de recevoir les messages dans la liste."))
        if choice in (ContactChoice.SMS, ContactChoice.BOTH) and not is_mobile(self.phone.data):
            raise ValidationError(_l("Pour recevoir des SMS, saisissez un numéro de portable (06 ou 07)."))
        if choice in (ContactChoice.EMAIL, ContactChoice.BOTH) and not self.email.data:
            raise ValidationError(_l("Pour recevoir des e-mails, saisissez une adresse e-mail."))

    def validate_birth_date(self, field):
        if field.data is None:
            return
        today = date.today()
        age = today.year - field.data.year - ((today.month, today.day) < (field.data.month, field.data.day))
        if field.data.year < 1900:
            raise ValidationError(_l("Vérifiez l'année de naissance."))
        if age < MINIMUM_AGE:
            raise ValidationError(
                _l("La personne doit avoir au moins %(age)s ans.", age=MINIMUM_AGE)
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here: the Optional() validator of the date stops its own field's chain.
        if self.has_licence_b.data and self.licence_b_issued_on.data is None:
            if not self.licence_b_issued_on.errors:
                self.licence_b_issued_on.errors = [_l("Saisissez la date de délivrance du permis B.")]
            valid = False
        return valid

    def set_choices(self, communes, referents) -> None:
        self.commune_insee.choices = [("", _l("— Choisir une commune —"))] + [
            (commune.insee_code, commune.label) for commune in communes
        ]
        self.referent_id.choices = [(user.id, user.full_name) for user in referents]
        self._commune_codes = {commune.insee_code for commune in communes}
        self._referent_ids = {user.id for user in referents}

    def validate_commune_insee(self, field):
        if field.data and field.data not in self._commune_codes:
            raise ValidationError(_l("Choisissez une commune du Loiret dans la liste."))

    def validate_referent_id(self, field):
        if field.data not in self._referent_ids:
            raise ValidationError(_l("Choisissez un référent de votre organisation dans la liste."))


class OwnContactChoiceForm(BaseForm):
    """The person's own choice, on "Mes données": how the service's messages reach them."""

    contact_channel = SelectField(
        _l("Comment recevoir les messages du service"),
        choices=[
            SelectChoice(ContactChoice.EMAIL.value, _l("Par e-mail")),
            SelectChoice(ContactChoice.SMS.value, _l("Par SMS")),
            SelectChoice(ContactChoice.BOTH.value, _l("Par e-mail et par SMS")),
        ],
        validators=[InputRequired(message=_l("Choisissez une façon de recevoir les messages dans la liste."))],
        validate_choice=True,
    )
