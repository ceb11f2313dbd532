"""WTForms validators shared by the domain packages (input shape only, no lookups)."""

from __future__ import annotations

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

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


class NotInFuture:
    def __init__(self, message=None):
        self.message = message or _l("Cette date ne peut pas être dans le futur.")

    def __call__(self, form, field):
        if field.data and field.data > date.today():
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
