"""SIRET numbers (an establishment's 14-digit identifier): the one place that reads and checks them.

The last digit is a Luhn key over the 14 digits. La Poste's establishments (SIREN 356 000 000)
are numbered past what the key allows: theirs is checked by the sum of the digits being a
multiple of 5, as INSEE does.
"""

from __future__ import annotations

LA_POSTE_SIREN = "356000000"


def normalise_siret(value: str | None) -> str | None:
    """The digits as typed without spaces, dots or non-breaking spaces; None when empty."""
    if value is None:
        return None
    cleaned = "".join(value.replace("\u00a0", " ").replace("\u202f", " ").replace(".", " ").split())
    return cleaned or None


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(digits)):
        digit = int(character)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def is_valid_siret(value: str) -> bool:
    if len(value) != 14 or not value.isascii() or not value.isdigit():
        return False
    if value.startswith(LA_POSTE_SIREN):
        return sum(int(c) for c in value) % 5 == 0
    return luhn_valid(value)
