from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from mobility.auth.labels import ORGANISATION_KIND_LABELS, ROLE_LABELS
from mobility.core.forms import BaseForm, EmailAddress, Siret, empty_to_none, optional_int, strip_filter
from mobility.core.siret import normalise_siret

EMAIL_REQUIRED = _l("Saisissez votre adresse e-mail.")
EMAIL_INVALID = _l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
# For the address of someone else (an admin inviting a professional).
PERSON_EMAIL_REQUIRED = _l("Saisissez l'adresse e-mail de la personne.")


def email_field(label=_l("Adresse e-mail"), required_message=EMAIL_REQUIRED):
    return EmailField(
        label,
        filters=[strip_filter],
        validators=[
            DataRequired(required_message),
            Length(max=254, message=_l("L'adresse e-mail ne doit pas dépasser 254 caractères.")),
            EmailAddress(EMAIL_INVALID),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


class NewPasswordMixin:
    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[
            DataRequired(_l("Choisissez un mot de passe.")),
            Length(max=128, message=_l("Le mot de passe ne doit pas dépasser 128 caractères.")),
        ],
        description=_l("Au moins 12 caractères. Une phrase facile à retenir convient très bien."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(_l("Saisissez le mot de passe une seconde fois.")),
            EqualTo("password", message=_l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field):
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(field.data or "") < minimum:
            raise ValidationError(
                _l("Le mot de passe doit contenir au moins %(n)s caractères.", n=minimum)
            )


class LoginForm(BaseForm):
    email = email_field()
    password = PasswordField(
        _l("Mot de passe"),
        validators=[
            DataRequired(_l("Saisissez votre mot de passe.")),
            Length(max=128, message=_l("Le mot de passe ne doit pas dépasser 128 caractères.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Rester connecté sur cet appareil"))


class ForgotPasswordForm(BaseForm):
    email = email_field()


class ResetPasswordForm(NewPasswordMixin, BaseForm):
    pass


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(_l("Saisissez votre mot de passe actuel.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


class OfferedSelectField(SelectField):
    """A select whose value must be one the page offered, checked again on submission; any other
    value (a forged one, an id too large for the database) gets the field's French message.
    An empty value is left to the field's InputRequired."""

    def __init__(self, label, not_offered_message, **kwargs):
        self.not_offered_message = not_offered_message
        super().__init__(label, **kwargs)

    def pre_validate(self, form):
        if not self.raw_data or self.raw_data[0] == "":
            return
        if not any(selected for _value, _label, selected, *_ in self.iter_choices()):
            raise StopValidation(self.not_offered_message)


class MultiCheckboxField(SelectMultipleField):
    """Check boxes over offered ids (coerced with optional_int): an id not offered is refused."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label, not_offered_message, **kwargs):
        self.not_offered_message = not_offered_message
        super().__init__(label, coerce=optional_int, **kwargs)

    def pre_validate(self, form):
        offered = {self.coerce(value) for value, *_ in self.iter_choices()}
        if any(value not in offered for value in self.data or []):
            raise StopValidation(self.not_offered_message)


class LanguageForm(BaseForm):
    language = OfferedSelectField(
        _l("Langue"),
        _l("Choisissez une langue dans la liste."),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
        validators=[InputRequired(_l("Choisissez une langue."))],
    )


class OrganisationForm(BaseForm):
    name = StringField(
        _l("Nom"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez le nom de l'organisation.")),
            Length(max=160, message=_l("Le nom ne doit pas dépasser 160 caractères.")),
        ],
    )
    kind = OfferedSelectField(
        _l("Type"),
        _l("Choisissez un type d'organisation dans la liste."),
        choices=[SelectChoice(value, label) for value, label in ORGANISATION_KIND_LABELS.items()],
        validators=[InputRequired(_l("Choisissez le type d'organisation."))],
    )
    is_mission_locale = BooleanField(_l("C'est une Mission locale (jeunes de 16 à 25 ans)"))
    basins = MultiCheckboxField(_l("Bassins d'emploi couverts"), _l("Choisissez les bassins d'emploi dans la liste."))
    siret = StringField(
        _l("Numéro SIRET (facultatif)"),
        description=_l("14 chiffres, espaces permis. Imprimé sur le certificat de cession d'un véhicule."),
        filters=[normalise_siret],
        validators=[Siret()],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    postal_address = TextAreaField(
        _l("Adresse postale (facultatif)"),
        description=_l("Numéro, rue, code postal et commune, comme sur le certificat de cession."),
        filters=[empty_to_none],
        validators=[Length(max=300, message=_l("L'adresse ne doit pas dépasser 300 caractères."))],
        render_kw={"rows": 3, "autocomplete": "street-address"},
    )

    def validate_is_mission_locale(self, field):
        if field.data and self.kind.data != "prescriber":
            raise ValidationError(_l("Une Mission locale est un organisme prescripteur."))


class UserForm(BaseForm):
    # Filled by an admin about someone else: the messages speak of "la personne".
    email = email_field(_l("Adresse e-mail de la personne"), PERSON_EMAIL_REQUIRED)
    full_name = StringField(
        _l("Prénom et nom"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez le prénom et le nom.")),
            Length(max=120, message=_l("Le nom ne doit pas dépasser 120 caractères.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    role = OfferedSelectField(
        _l("Rôle"),
        _l("Choisissez un rôle dans la liste."),
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items() if value != "beneficiary"],
        validators=[InputRequired(_l("Choisissez un rôle."))],
    )
    organisation_id = OfferedSelectField(
        _l("Organisation"),
        _l("Choisissez une organisation dans la liste."),
        coerce=optional_int,
        validators=[InputRequired(_l("Choisissez une organisation."))],
    )
    active = BooleanField(_l("Compte actif"), default=True)


class CommuneBasinForm(BaseForm):
    basin_id = OfferedSelectField(
        _l("Bassin d'emploi"),
        _l("Choisissez un bassin d'emploi dans la liste."),
        coerce=optional_int,
        validators=[InputRequired(_l("Choisissez un bassin."))],
    )
