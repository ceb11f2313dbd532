"""The API's input boundary and its French messages, written once for every schema.

Every field that reads a caller's value is one of these: text without control characters,
database-sized ids, dates within the boundary's range, enums listing their values. Each
refusal is a French sentence naming what to type; nothing out of bounds reaches the database.
Response schemas derive AudienceSchema: the privacy policy prunes what the token's audience
may not read (mobility.booking.privacy).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, post_dump, pre_load
from sqlalchemy import select

from mobility.booking import privacy
from mobility.booking.models import local
from mobility.core.boundary import (
    CONTROL_CHARACTER_MESSAGE,
    DATE_OUT_OF_RANGE_MESSAGE,
    MAX_DATE,
    MAX_DB_INT,
    MIN_DATE,
    NUMBER_TOO_LARGE_MESSAGE,
    date_in_range,
    has_control_characters,
    int_in_database_range,
    parse_bounded_int,
)
from mobility.extensions import db
from mobility.territory.models import EmploymentBasin

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"\d{2}:\d{2}")
# JSON Schema patterns (ECMA 262) for what the fields accept.
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
MULTILINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
MAX_PARAMETER = 100
# The years of the boundary's date range (1900 to 2200), for clients and fuzzers.
DAY_PATTERN = r"^(19\d\d|2[01]\d\d|2200)-\d{2}-\d{2}$"
if MIN_DATE.year != 1900 or MAX_DATE != date(2200, 12, 31):
    raise RuntimeError("DAY_PATTERN no longer matches the boundary's date range")


def viewer():
    """The account behind the request's token (None outside an authenticated API request)."""
    return g.get("api_user")


class FrenchMessages:
    default_error_messages = {
        "required": _l("Ce champ est obligatoire."),
        "null": _l("Ce champ est obligatoire."),
        "invalid": _l("Valeur invalide."),
        "validator_failed": _l("Valeur invalide."),
    }


def _storable_text(value) -> bool:
    """A string that can be stored: JSON's "\\udcff" escapes give lone surrogates that cannot."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Text(FrenchMessages, fields.String):
    """Optional text, stripped; control characters refused (tab and line ends when multiline)."""

    def __init__(self, *, max_length: int, too_long=None, multiline: bool = False, **kwargs):
        metadata = {
            "maxLength": max_length,
            "pattern": MULTILINE_PATTERN if multiline else SINGLE_LINE_PATTERN,
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)
        self.max_length = max_length
        self.too_long = too_long
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        if not _storable_text(value):
            raise ValidationError(_("Saisissez un texte."))
        if has_control_characters(value, multiline=self.multiline):
            raise ValidationError(str(CONTROL_CHARACTER_MESSAGE))
        value = value.strip()
        if len(value) > self.max_length:
            raise ValidationError(
                str(self.too_long)
                if self.too_long
                else _("Ce champ ne doit pas dépasser %(max)d caractères.", max=self.max_length)
            )
        return value


class DatabaseId(FrenchMessages, fields.Integer):
    """A JSON integer that an INTEGER column holds, 1 or more (true is no id)."""

    blank_means_absent = False  # "" is no id

    def __init__(self, **kwargs):
        metadata = {"minimum": 1, "maximum": MAX_DB_INT, **kwargs.pop("metadata", {})}
        super().__init__(strict=True, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        # JSON Schema counts 12.0 as an integer, as the description says; 1.5 and true are none.
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(_("Saisissez un identifiant : un nombre entier positif, par exemple 12."))
        if not int_in_database_range(value):
            raise ValidationError(str(NUMBER_TOO_LARGE_MESSAGE))
        return value


class QueryInteger(FrenchMessages, fields.Integer):
    """A whole number from the query string, between bounds the database holds."""

    blank_means_absent = False  # `?page=` is no number, not "the first page"

    def __init__(self, *, minimum: int, maximum: int, **kwargs):
        if maximum > MAX_DB_INT:
            raise ValueError("a query integer must fit an INTEGER column")
        metadata = {"minimum": minimum, "maximum": maximum, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _deserialize(self, value, attr, data, **kwargs):
        number = (
            parse_bounded_int(value, minimum=self.minimum, maximum=self.maximum)
            if isinstance(value, str)
            else None
        )
        if number is None:
            raise ValidationError(
                _("Saisissez un nombre entier de %(min)s à %(max)s.", min=self.minimum, max=self.maximum)
            )
        return number


class EnumValue(FrenchMessages, fields.String):
    """One of an enum's values (given as its value, answered as its value)."""

    def __init__(self, enum_class, *, blank_allowed: bool = False, **kwargs):
        values = [member.value for member in enum_class]
        if blank_allowed:
            values.append("")  # an optional filter left blank means no filter
        metadata = {"enum": values, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.enum_class = enum_class

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else self.enum_class(value).value

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            for member in self.enum_class:
                if member.value == value.strip():
                    return member
        allowed = ", ".join(member.value for member in self.enum_class)
        raise ValidationError(_("Valeur inconnue. Valeurs possibles : %(values)s.", values=allowed))


class BasinCode(FrenchMessages, fields.String):
    """An employment basin by its code, as the database lists them (never hard-coded here)."""

    def __init__(self, **kwargs):
        metadata = {
            "description": "Code d'un bassin d'emploi (orleans, montargis…).",
            "maxLength": MAX_PARAMETER,
            "pattern": SINGLE_LINE_PATTERN,
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if _storable_text(value) and has_control_characters(value):
            raise ValidationError(str(CONTROL_CHARACTER_MESSAGE))
        basin = None
        if _storable_text(value) and len(value) <= MAX_PARAMETER:
            basin = db.session.scalar(select(EmploymentBasin).where(EmploymentBasin.code == value.strip()))
        if basin is None:
            codes = ", ".join(row.code for row in EmploymentBasin.all_ordered())
            raise ValidationError(_("Bassin inconnu. Valeurs possibles : %(values)s.", values=codes))
        return basin


class Day(FrenchMessages, fields.Date):
    """A calendar day, AAAA-MM-JJ, within the boundary's range."""

    def __init__(self, **kwargs):
        metadata = {
            "description": f"AAAA-MM-JJ, du {MIN_DATE.isoformat()} au {MAX_DATE.isoformat()}.",
            "pattern": DAY_PATTERN,
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        day = None
        if isinstance(value, str) and _DAY.fullmatch(value.strip()):
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                day = None
        if day is None:
            raise ValidationError(_("Saisissez une date au format AAAA-MM-JJ, par exemple 2026-12-07."))
        if not date_in_range(day):
            raise ValidationError(str(DATE_OUT_OF_RANGE_MESSAGE))
        return day


class Clock(FrenchMessages, fields.String):
    """A time of day, HH:MM."""

    def __init__(self, **kwargs):
        clock = r"([01]\d|2[0-3]):[0-5]\d"
        # Optional: blank means the service's default time.
        pattern = f"^{clock}$" if kwargs.get("required") else f"^({clock})?$"
        metadata = {"pattern": pattern, "example": "09:00", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and _CLOCK.fullmatch(value.strip()):
            try:
                return time.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValidationError(_("Saisissez une heure au format HH:MM, par exemple 09:00."))


class ParisMoment(fields.DateTime):
    """A moment in ISO 8601 with its offset, in French time."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else local(value).isoformat()


class InputSchema(Schema):
    """Query strings and bodies: unknown keys are ignored, empty values mean "not given"."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def drop_empty_values(self, data, **kwargs):
        if not isinstance(data, Mapping):
            return data
        # A query string comes as webargs's MultiDictProxy: reading a key gives its one value.
        return {
            key: value for key, value in ((key, data[key]) for key in data) if not self._blank(key, value)
        }

    def _blank(self, key, value) -> bool:
        if value is None:
            return True
        blank_means_absent = getattr(self.fields.get(key), "blank_means_absent", True)
        return blank_means_absent and isinstance(value, str) and not value.strip()


class QuerySchema(InputSchema):
    """A query string: a parameter the operation does not read is refused (a typo would
    otherwise go unseen, the filter silently ignored)."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": _l("Paramètre inconnu.")}


class AudienceSchema(Schema):
    """A response object about a person or a booking: the policy prunes what the viewer may not read.

    Subclasses name their subject: "person" or "booking".
    """

    privacy_subject = ""

    def visible_fields(self) -> frozenset[str]:
        audience = privacy.audience_of(viewer())
        if self.privacy_subject == "person":
            return privacy.visible_person_fields(audience)
        return privacy.visible_booking_fields(audience)

    @post_dump
    def apply_privacy_policy(self, data, **kwargs):
        visible = self.visible_fields()
        return {key: value for key, value in data.items() if key in visible}


def error_message_of(value) -> list[str]:
    """Marshmallow's messages for one field, as a flat list of strings."""
    if isinstance(value, dict):
        return [text for inner in value.values() for text in error_message_of(inner)]
    if isinstance(value, (list, tuple)):
        return [text for inner in value for text in error_message_of(inner)]
    return [str(value)]
