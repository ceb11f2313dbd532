"""What every form shares: the base form that holds the input boundary, validators of input
shape (no lookups), and the fields used across domains (dates, integers, enums, euros, ids)."""

from __future__ import annotations

import enum
import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from mobility.core import boundary
from mobility.core.siret import is_valid_siret
from mobility.core.time import today

DATE_INVALID = _l("Saisissez une date valide, par exemple 31/01/2026.")
NUMBER_INVALID = _l("Saisissez un nombre entier, sans espace ni lettre, par exemple 45200.")
AMOUNT_INVALID = _l("Saisissez un montant en euros, par exemple 4 ou 4,50.")
AMOUNT_NEGATIVE = _l("Le montant ne peut pas être négatif : saisissez 0 ou plus.")


class BaseForm(FlaskForm):
    """Every form of the service: the input boundary applies to each of its fields.

    Text may hold no control character (text areas keep their line ends), integers stay
    within what a database column holds, dates within 1900-2200: refused with the field's
    message before any validator or service sees the value.
    """

    def validate(self, extra_validators=None):
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            check = _boundary_check(field)
            if check is not None:
                # First, so that a control character or an overflow stops the chain with its
                # own message before a validator or a service sees the value.
                extra.setdefault(name, []).insert(0, check)
        valid = super().validate(extra)
        # Dates last: the field's own validators speak first ("Vérifiez l'année de naissance").
        for field in self._fields.values():
            if isinstance(field, DateField) and field.data is not None and not field.errors:
                if not boundary.date_in_range(field.data):
                    field.errors.append(str(boundary.DATE_OUT_OF_RANGE_MESSAGE))
                    valid = False
        return valid


# Addresses, passwords and phone numbers have a technical limit nobody reaches: not worth a line.
_UNSPOKEN_LIMITS = (EmailField, PasswordField, TelField)


def text_limit(field) -> int | None:
    """The most characters a text field takes (its Length validator), for the page to say so
    and the input to carry it as maxlength; None for other fields."""
    if not isinstance(field, StringField | TextAreaField) or isinstance(field, _UNSPOKEN_LIMITS):
        return None
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max is not None and v.max > 0]
    return min(limits) if limits else None


def _boundary_check(field):
    if isinstance(field, TextAreaField):
        return _text_check(multiline=True)
    if isinstance(field, StringField | SelectField | RadioField):
        return _text_check(multiline=False)
    if isinstance(field, IntegerField):
        return _integer_check
    return None


def _text_check(multiline: bool):
    def check(form, field):
        values = field.raw_data or []
        if any(isinstance(value, str) and boundary.has_control_characters(value, multiline) for value in values):
            raise StopValidation(str(boundary.CONTROL_CHARACTER_MESSAGE))

    return check


def _integer_check(form, field):
    if isinstance(field.data, int) and not boundary.int_in_database_range(field.data):
        raise StopValidation(str(boundary.NUMBER_TOO_LARGE_MESSAGE))


_PHONE_RE = re.compile(r"^(?:0|\+33 ?|0033 ?)[1-9](?:[ .-]?\d{2}){4}$")


def normalise_phone(value: str) -> str:
    """French numbers as 06 12 34 56 78."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


class FrenchPhone:
    def __init__(self, message=None):
        self.message = message or _l(
            "Saisissez un numéro de téléphone français à 10 chiffres, par exemple 06 12 34 56 78."
        )

    def __call__(self, form, field):
        if field.data and not _PHONE_RE.match(field.data.strip()):
            raise ValidationError(self.message)


class Siret:
    """An optional SIRET: 14 digits whose last is the Luhn key (spaces allowed as typed)."""

    def __call__(self, form, field):
        if not field.data:
            return
        if len(field.data) != 14 or not field.data.isascii() or not field.data.isdigit():
            raise ValidationError(_l("Le numéro SIRET compte 14 chiffres, par exemple 123 456 789 00015."))
        if not is_valid_siret(field.data):
            raise ValidationError(_l("Ce numéro SIRET n'existe pas : vérifiez les chiffres (la clé de contrôle ne correspond pas)."))


class NotInFuture:
    def __init__(self, message=None):
        self.message = message or _l("Cette date ne peut pas être dans le futur.")

    def __call__(self, form, field):
        if field.data and field.data > today():
            raise ValidationError(self.message)


class DateAfter:
    """The field's date must come after another date field of the form."""

    def __init__(self, other_field: str, message):
        self.other_field = other_field
        self.message = message

    def __call__(self, form, field):
        other = form[self.other_field].data
        if field.data and other and field.data <= other:
            raise ValidationError(self.message)


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def empty_to_none(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class EmailAddress:
    """Syntax check with email-validator, no DNS lookup.

    test_environment admits the reserved .test domain that the demo accounts use.
    """

    def __init__(self, message=None):
        self.message = message or _l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            validate_email(field.data, check_deliverability=False, test_environment=True)
        except EmailNotValidError as exc:
            raise ValidationError(self.message) from exc


def optional_int(value):
    """A select's id as an int, or None when absent, malformed or beyond what an id column holds
    (then the field says so): a 25-digit id is no choice, not an overflow in the database."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value if boundary.int_in_database_range(value) else None
    return boundary.parse_bounded_int(str(value))


class ChoiceOfIds:
    """The chosen id must be one of the form's offered ids (set by the view)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data is None or field.data not in {optional_int(choice.value) for choice in field.choices}:
            raise ValidationError(self.message)


class FrenchDateField(DateField):
    """A date input whose parse error is a French sentence."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(DATE_INVALID)) from exc


class FrenchTimeField(TimeField):
    """An hour input whose parse error is a French sentence."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Saisissez une heure valide, par exemple 14:30."))) from exc


class FrenchIntegerField(IntegerField):
    """An integer input that accepts thin spaces (45 200) and explains itself in French."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(valuelist[0]).replace(" ", "").replace("\u202f", "").replace("\u00a0", "")]
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            self.data = None
            raise ValueError(str(NUMBER_INVALID)) from exc


class _EnumChoice:
    """Shared by the enum select and radio fields: members offered, coerced, checked again."""

    enum_class: type[enum.Enum]
    message: str
    allowed: set

    def _coerce(self, value):
        if isinstance(value, self.enum_class) or value is None:
            return value
        try:
            return self.enum_class(value)
        except ValueError:
            return None

    def pre_validate(self, form):
        # A value the page did not offer is refused, whatever the browser sent.
        if self.data not in self.allowed:
            raise ValidationError(self.message)


class EnumSelectField(_EnumChoice, SelectField):
    """A select over an enum's members, labelled in French; data is the member or None."""

    def __init__(self, label, enum_class: type[enum.Enum], message, placeholder=None, members=None, **kwargs):
        self.enum_class = enum_class
        self.message = message
        members = list(members or enum_class)
        choices = [SelectChoice(member.value, member.label) for member in members]
        if placeholder is not None:
            choices.insert(0, SelectChoice("", placeholder))
        self.allowed = set(members)
        super().__init__(label, choices=choices, coerce=self._coerce, validate_choice=False, **kwargs)


class EnumRadioField(_EnumChoice, RadioField):
    """Radio buttons over some members of an enum, labelled in French; data is the member or None."""

    def __init__(self, label, enum_class: type[enum.Enum], message, members=None, **kwargs):
        self.enum_class = enum_class
        self.message = message
        self.set_members(list(members or enum_class))
        super().__init__(label, choices=self._member_choices, coerce=self._coerce, validate_choice=False, **kwargs)

    def set_members(self, members) -> None:
        self.allowed = set(members)
        self._member_choices = [SelectChoice(member.value, member.label) for member in members]
        if hasattr(self, "choices"):
            self.choices = self._member_choices


def parse_euros(value: str) -> int:
    """'1 234,50 €' -> 123450 cents. Raises ValueError on anything else."""
    compact = re.sub(r"[\s\u202f\u00a0€]", "", value or "").replace(",", ".")
    if not re.fullmatch(r"\d{1,7}(\.\d{1,2})?", compact):
        raise ValueError(value)
    euros, _dot, cents = compact.partition(".")
    return int(euros) * 100 + int((cents + "00")[:2])


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
