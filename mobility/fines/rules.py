"""The rules of a fine: the avis number's shape, the designation deadline, the settings.

Avis number: the number printed at the top right of an avis de contravention, which ANTAI's
designation service asks for, is ten digits. People copy it with spaces or dots between the
groups; those are dropped, anything else (letters, nine or eleven digits) is refused. (The
16-digit "numéro de télépaiement" of the payment card is another number.)

Deadline: the holder of the registration certificate that is a legal person designates the
driver within 45 days of the avis being sent (Code de la route L121-6); past it, the association
owes the non-designation fine (4th class, five times for a legal person). The count starts the
day after the sending date: sent on 1 March, due by 15 April.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from mobility.core.settings import setting_int, settings_of

NOTICE_NUMBER_DIGITS = 10
_SEPARATORS = re.compile(r"[\s.\-\u202f\u00a0]")
NOTICE_NUMBER_MESSAGE = _l(
    "Le numéro d'avis de contravention compte 10 chiffres (en haut à droite de l'avis), par exemple 1234567890."
)


def normalise_notice_number(raw: str | None) -> str | None:
    """The ten digits of an avis number as typed ("12 3456 7890" -> "1234567890"), or None."""
    compact = _SEPARATORS.sub("", raw or "")
    if len(compact) == NOTICE_NUMBER_DIGITS and compact.isascii() and compact.isdigit():
        return compact
    return None


@dataclass(frozen=True)
class FinesSettings:
    handover_margin_minutes: int = 30
    designation_days: int = 45
    due_soon_days: int = 10

    @classmethod
    def from_config(cls, config) -> FinesSettings:
        return cls(
            handover_margin_minutes=setting_int(config, "FINES_HANDOVER_MARGIN_MINUTES", minimum=0, maximum=24 * 60),
            designation_days=setting_int(config, "FINES_DESIGNATION_DAYS", minimum=1, maximum=365),
            due_soon_days=setting_int(config, "FINES_DUE_SOON_DAYS", minimum=0, maximum=90),
        )


def fines_settings() -> FinesSettings:
    return settings_of(FinesSettings)


def designation_deadline(sent_on: date, days: int) -> date:
    """The last day to designate: `days` days after the avis was sent."""
    return sent_on + timedelta(days=days)
