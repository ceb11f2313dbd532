"""Pure fleet rules on plain values: plates, VINs, expiry alerts. No database, no request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

# Alerts start this many days before an insurance expiry or a contrôle technique due date.
ALERT_WINDOW_DAYS = 30

# Largest accepted upload, and the content types recognised from the first bytes.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

# SIV (since 2009): AB-123-CD. SIV never uses I, O or U, nor SS or WW in the first
# group; the blocks AA-000-AA and ZZ-999-ZZ... are not worth refusing here.
_SIV_RE = re.compile(r"^([A-HJ-NP-TV-Z]{2})[\s-]?(\d{3})[\s-]?([A-HJ-NP-TV-Z]{2})$")
_SIV_FORBIDDEN_FIRST = {"SS", "WW"}
_SIV_FORBIDDEN_LAST = {"SS"}
# FNI (before 2009): 1 to 4 digits, 1 to 3 letters, then the département (2 digits, 2A/2B,
# or 3 digits overseas), for example 1234 AB 45.
_FNI_RE = re.compile(r"^(\d{1,4})[\s-]?([A-Z]{1,3})[\s-]?(\d{2}|2A|2B|97\d)$")

# VIN (ISO 3779): 17 characters, digits and capital letters except I, O and Q.
_VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")

PLATE_INVALID = _l(
    "Saisissez une immatriculation au format AB-123-CD, ou 1234 AB 45 pour une ancienne plaque."
)
VIN_INVALID = _l(
    "Le numéro VIN compte 17 caractères, chiffres et lettres sauf I, O et Q (case E de la carte grise)."
)


class InvalidPlate(ValueError):
    pass


class InvalidVin(ValueError):
    pass


def normalise_plate(value: str) -> str:
    """The plate as stored: SIV as AB-123-CD, FNI as 1234 AB 45. Raises InvalidPlate."""
    compact = re.sub(r"\s+", " ", (value or "").strip().upper())
    match = _SIV_RE.match(compact)
    if match:
        first, digits, last = match.groups()
        if first in _SIV_FORBIDDEN_FIRST or last in _SIV_FORBIDDEN_LAST or digits == "000":
            raise InvalidPlate(value)
        return f"{first}-{digits}-{last}"
    match = _FNI_RE.match(compact)
    if match:
        number, letters, department = match.groups()
        if int(number) == 0:
            raise InvalidPlate(value)
        return f"{number} {letters} {department}"
    raise InvalidPlate(value)


def is_valid_plate(value: str) -> bool:
    try:
        normalise_plate(value)
    except InvalidPlate:
        return False
    return True


def normalise_vin(value: str) -> str:
    """The VIN upper-case without spaces. Raises InvalidVin."""
    compact = re.sub(r"[\s-]+", "", (value or "").upper())
    if not _VIN_RE.match(compact):
        raise InvalidVin(value)
    return compact


def is_valid_vin(value: str) -> bool:
    try:
        normalise_vin(value)
    except InvalidVin:
        return False
    return True


@dataclass(frozen=True)
class Alert:
    """An expiry worth a look: insurance or contrôle technique due soon or already past."""

    kind: str  # "insurance" | "technical_inspection"
    due_on: date
    days_left: int  # negative when past

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def message(self) -> str:
        if self.kind == "insurance":
            if self.overdue:
                return str(
                    _l("L'assurance a expiré depuis le %(date)s.", date=self.due_on.strftime("%d/%m/%Y"))
                )
            return str(_l("L'assurance expire le %(date)s.", date=self.due_on.strftime("%d/%m/%Y")))
        if self.overdue:
            return str(
                _l(
                    "Le contrôle technique est en retard depuis le %(date)s.",
                    date=self.due_on.strftime("%d/%m/%Y"),
                )
            )
        return str(
            _l("Le contrôle technique est à faire avant le %(date)s.", date=self.due_on.strftime("%d/%m/%Y"))
        )


def expiry_alerts(
    insurance_expires_on: date | None,
    technical_inspection_due_on: date | None,
    today: date,
    window_days: int = ALERT_WINDOW_DAYS,
) -> list[Alert]:
    """Alerts for dates within the window (inclusive) or past, most urgent first."""
    limit = today + timedelta(days=window_days)
    alerts = [
        Alert(kind, due_on, (due_on - today).days)
        for kind, due_on in (
            ("insurance", insurance_expires_on),
            ("technical_inspection", technical_inspection_due_on),
        )
        if due_on is not None and due_on <= limit
    ]
    return sorted(alerts, key=lambda alert: alert.due_on)


# Magic bytes of the accepted document types.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
ACCEPTED_CONTENT_TYPES = tuple(content_type for _, content_type, _ in _SIGNATURES)


def sniff_document_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) recognised from the first bytes, or None."""
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None
