from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from mobility.auth.labels import ORGANISATION_KIND_LABELS, ROLE_LABELS
from mobility.core.forms import BaseForm, EmailAddress, strip_filter

EMAIL_REQUIRED = _l("Saisissez votre adresse e-mail.")
EMAIL_INVALID = _l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")


def email_field(label=_l("Adresse e-mail")):
    return EmailField(
        label,
        filters=[strip_filter],
        validators=[
            DataRequired(EMAIL_REQUIRED),
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


class LanguageForm(BaseForm):
    language = SelectField(
        _l("Langue"),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
        validators=[InputRequired()],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OrganisationForm(BaseForm):
    name = StringField(
        _l("Nom"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez le nom de l'organisation.")),
            Length(max=160, message=_l("Le nom ne doit pas dépasser 160 caractères.")),
        ],
    )
    kind = SelectField(
        _l("Type"),
        choices=[SelectChoice(value, label) for value, label in ORGANISATION_KIND_LABELS.items()],
        validators=[InputRequired(_l("Choisissez le type d'organisation."))],
    )
    is_mission_locale = BooleanField(_l("C'est une Mission locale (jeunes de 16 à 25 ans)"))
    basins = MultiCheckboxField(_l("Bassins d'emploi couverts"), coerce=int)

    def validate_is_mission_locale(self, field):
        if field.data and self.kind.data != "prescriber":
            raise ValidationError(_l("Une Mission locale est un organisme prescripteur."))


class UserForm(BaseForm):
    email = email_field()
    full_name = StringField(
        _l("Prénom et nom"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Saisissez le prénom et le nom.")),
            Length(max=120, message=_l("Le nom ne doit pas dépasser 120 caractères.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField(
        _l("Rôle"),
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items() if value != "beneficiary"],
        validators=[InputRequired(_l("Choisissez un rôle."))],
    )
    organisation_id = SelectField(
        _l("Organisation"), coerce=int, validators=[InputRequired(_l("Choisissez une organisation."))]
    )
    active = BooleanField(_l("Compte actif"), default=True)


class CommuneBasinForm(BaseForm):
    basin_id = SelectField(
        _l("Bassin d'emploi"), coerce=int, validators=[InputRequired(_l("Choisissez un bassin."))]
    )
