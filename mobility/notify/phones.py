"""Phone numbers as the SMS providers need them: French numbers, stored in E.164.

The `phonenumbers` library (Google's libphonenumber metadata) knows which French ranges are
mobile; a hand-written regular expression would drift as numbering plans change.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType


class InvalidPhone(ValueError):
    pass


def normalise_phone(raw: str) -> str:
    """'06 12 34 56 78', '+33612345678', '0033 6…' → '+33612345678'; raises InvalidPhone."""
    try:
        number = phonenumbers.parse((raw or "").strip(), "FR")
    except NumberParseException as exc:
        raise InvalidPhone(raw) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str | None) -> bool:
    """Whether an SMS can reach this number (a French mobile, 06 and 07)."""
    if not e164:
        return False
    try:
        number = phonenumbers.parse(e164, "FR")
    except NumberParseException:
        return False
    return (
        phonenumbers.is_valid_number(number)
        and number.country_code == 33
        and phonenumbers.number_type(number) in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    )


def display_phone(e164: str | None) -> str:
    """'+33612345678' → '06 12 34 56 78' for pages; anything unparsable as it is."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "FR")
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
