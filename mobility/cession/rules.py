"""The paperwork of a cession, as pure rules with a reason each (DESIGN §6).

Each rule takes plain values (a `CessionFacts`, the recorded items, today, the settings) and
returns an `ItemStatus`: done, done late, pending (with days left), late (with how late),
invalid (done but not acceptable, with why) or not needed (with why). No database, no request.

The texts, as the settings default to them (every delay is a setting):
- certificat de cession, Cerfa 15776, signed by both parties on the cession date;
- the seller's déclaration de cession to the SIV within 15 days (Code de la route R322-4);
- the registration certificate crossed out "cédé le" with the date, signed (R322-4);
- a certificat de situation administrative (non-gage) at most 15 days old on the cession date;
- a contrôle technique report under 6 months old on the date of the new owner's registration
  request, for a car over 4 years old (R323-22); for a voiture sans permis or another L-category
  vehicle (R323-37), once past the date of its first contrôle — phased in by first-registration
  year (settings), then before the 5th anniversary of the first registration;
- the registration in the new owner's name within one month of the cession (R322-5).

Settings (read by `settings_from_config`; env strings work):
- CESSION_SIV_DECLARATION_DAYS (15), CESSION_NON_PLEDGE_MAX_AGE_DAYS (15),
  CESSION_REGISTRATION_MONTHS (1), CESSION_INSPECTION_MAX_AGE_MONTHS (6),
  CESSION_CAR_INSPECTION_AGE_YEARS (4), CESSION_VSP_FIRST_INSPECTION_YEARS (5),
- CESSION_VSP_PHASE_IN ("2017-01-01:2024-12-31,2020-01-01:2025-12-31,2022-01-01:2026-12-31"):
  for L-category vehicles first registered before each date, the first contrôle was due by
  the second date;
- CESSION_FREE_VALUE_CEILING_EUROS (300): the highest value of a vehicle ceded free;
- CESSION_SELLER_NAME ("Département du Loiret"), CESSION_SELLER_SIRET, CESSION_SELLER_ADDRESS:
  the seller as printed on the cession file.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from mobility.cession.models import PaperworkKind
from mobility.config import ConfigurationError
from mobility.core.settings import setting_int
from mobility.fleet.models import VehicleCategory
from mobility.core.siret import is_valid_siret, normalise_siret

L_CATEGORIES = frozenset({VehicleCategory.VSP, VehicleCategory.SCOOTER})
# No registration certificate: no SIV paperwork.
UNREGISTERED_CATEGORIES = frozenset({VehicleCategory.EBIKE})

DEFAULT_VSP_PHASE_IN = (
    (date(2017, 1, 1), date(2024, 12, 31)),
    (date(2020, 1, 1), date(2025, 12, 31)),
    (date(2022, 1, 1), date(2026, 12, 31)),
)


@dataclass(frozen=True)
class CessionSettings:
    siv_declaration_days: int = 15
    non_pledge_max_age_days: int = 15
    registration_months: int = 1
    inspection_max_age_months: int = 6
    car_inspection_age_years: int = 4
    vsp_first_inspection_years: int = 5
    vsp_phase_in: tuple[tuple[date, date], ...] = field(default=DEFAULT_VSP_PHASE_IN)
    free_value_ceiling_cents: int = 300_00
    # The seller printed on the Cerfa 15776.
    seller_name: str = "Département du Loiret"
    seller_siret: str = ""
    seller_address: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CessionSettings:
        return settings_from_config(config)


def _phase_in_setting(config: Mapping[str, Any], key: str) -> tuple[tuple[date, date], ...]:
    value = config.get(key)
    if value is None or value == "":
        return DEFAULT_VSP_PHASE_IN
    if not isinstance(value, str):
        return tuple(value)
    pairs = []
    try:
        for part in value.split(","):
            before, due = part.strip().split(":")
            pairs.append((date.fromisoformat(before.strip()), date.fromisoformat(due.strip())))
    except ValueError as exc:
        raise ConfigurationError(
            f"{key} must be pairs such as 2017-01-01:2024-12-31, comma-separated, got {value!r}."
        ) from exc
    for before, due in pairs:
        if due <= before:
            raise ConfigurationError(
                f"{key}: in {before.isoformat()}:{due.isoformat()} the first contrôle's due date must come after "
                "the first-registration date it applies to."
            )
    if len({before for before, _due in pairs}) != len(pairs):
        raise ConfigurationError(f"{key} names the same first-registration date twice, got {value!r}.")
    return tuple(sorted(pairs))


# The highest free-cession ceiling that can be meant: above it a typo (cents for euros) is more
# likely than a decision, and the service refuses to start rather than let it pass.
MAX_FREE_VALUE_CEILING_EUROS = 100_000


def _siret_setting(config: Mapping[str, Any], key: str) -> str:
    value = normalise_siret(str(config.get(key) or "")) or ""
    if value and not is_valid_siret(value):
        raise ConfigurationError(f"{key} must be a SIRET: 14 digits whose last is the Luhn key, got {config.get(key)!r}.")
    return value


def _ceiling_setting(config: Mapping[str, Any], key: str, default_cents: int) -> int:
    return 100 * setting_int(config, key, minimum=0, maximum=MAX_FREE_VALUE_CEILING_EUROS, default=default_cents // 100)


def settings_from_config(config: Mapping[str, Any]) -> CessionSettings:
    """The cession settings from the app config; a bad value stops the start, naming it."""
    defaults = CessionSettings()
    return CessionSettings(
        siv_declaration_days=setting_int(config, "CESSION_SIV_DECLARATION_DAYS", minimum=1, default=defaults.siv_declaration_days),
        non_pledge_max_age_days=setting_int(config, "CESSION_NON_PLEDGE_MAX_AGE_DAYS", minimum=1, default=defaults.non_pledge_max_age_days),
        registration_months=setting_int(config, "CESSION_REGISTRATION_MONTHS", minimum=1, default=defaults.registration_months),
        inspection_max_age_months=setting_int(config, "CESSION_INSPECTION_MAX_AGE_MONTHS", minimum=1, default=defaults.inspection_max_age_months),
        car_inspection_age_years=setting_int(config, "CESSION_CAR_INSPECTION_AGE_YEARS", minimum=1, default=defaults.car_inspection_age_years),
        vsp_first_inspection_years=setting_int(config, "CESSION_VSP_FIRST_INSPECTION_YEARS", minimum=1, default=defaults.vsp_first_inspection_years),
        vsp_phase_in=_phase_in_setting(config, "CESSION_VSP_PHASE_IN"),
        free_value_ceiling_cents=_ceiling_setting(config, "CESSION_FREE_VALUE_CEILING_EUROS", defaults.free_value_ceiling_cents),
        seller_name=str(config.get("CESSION_SELLER_NAME") or defaults.seller_name),
        seller_siret=_siret_setting(config, "CESSION_SELLER_SIRET"),
        seller_address=str(config.get("CESSION_SELLER_ADDRESS") or ""),
    )


# Dates ---------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later or earlier, clamped to the month's end
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """The anniversary `years` later (29 February: 28 February in a common year)."""
    year = day.year + years
    if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# Statuses ------------------------------------------------------------------------------------


class Status(enum.Enum):
    DONE = "done"
    DONE_LATE = "done_late"
    PENDING = "pending"
    LATE = "late"
    INVALID = "invalid"
    NOT_NEEDED = "not_needed"


STATUS_LABELS = {
    Status.DONE: _l("fait"),
    Status.DONE_LATE: _l("fait en retard"),
    Status.PENDING: _l("à faire"),
    Status.LATE: _l("en retard"),
    Status.INVALID: _l("à refaire"),
    Status.NOT_NEEDED: _l("pas nécessaire"),
}


@dataclass(frozen=True)
class CessionFacts:
    """What the rules need to know about a cession (plain values)."""

    category: VehicleCategory
    first_registered_on: date
    ceded_on: date


@dataclass(frozen=True)
class ItemStatus:
    kind: PaperworkKind
    status: Status
    reason: str
    deadline: date | None = None
    done_on: date | None = None
    days_late: int = 0
    days_left: int | None = None

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_late(self) -> bool:
        return self.status is Status.LATE

    @property
    def blocks_registration(self) -> bool:
        """Not done, or done but not acceptable: the vehicle cannot be legally registered."""
        return self.status in (Status.PENDING, Status.LATE, Status.INVALID)

    @property
    def is_problem(self) -> bool:
        return self.status in (Status.LATE, Status.INVALID)


def _deadline_status(kind: PaperworkKind, deadline: date, done_on: date | None, today: date, rule: str) -> ItemStatus:
    """Done (on time or late), pending or late, against a deadline (inclusive)."""
    if done_on is not None:
        if done_on > deadline:
            late = (done_on - deadline).days
            reason = _l(
                "Fait le %(done)s, %(days)s jour(s) après l'échéance du %(deadline)s (%(rule)s).",
                done=_fr(done_on), days=late, deadline=_fr(deadline), rule=rule,
            )
            return ItemStatus(kind, Status.DONE_LATE, str(reason), deadline, done_on, days_late=late)
        reason = _l("Fait le %(done)s, dans le délai (%(rule)s).", done=_fr(done_on), rule=rule)
        return ItemStatus(kind, Status.DONE, str(reason), deadline, done_on)
    if today > deadline:
        late = (today - deadline).days
        reason = _l(
            "En retard de %(days)s jour(s) : à faire au plus tard le %(deadline)s (%(rule)s).",
            days=late, deadline=_fr(deadline), rule=rule,
        )
        return ItemStatus(kind, Status.LATE, str(reason), deadline, days_late=late)
    left = (deadline - today).days
    reason = _l(
        "À faire au plus tard le %(deadline)s, dans %(days)s jour(s) (%(rule)s).",
        deadline=_fr(deadline), days=left, rule=rule,
    )
    return ItemStatus(kind, Status.PENDING, str(reason), deadline, days_left=left)


def _not_needed(kind: PaperworkKind, reason) -> ItemStatus:
    return ItemStatus(kind, Status.NOT_NEEDED, str(reason))


_NO_REGISTRATION = _l("Un vélo n'a pas de certificat d'immatriculation : rien à déclarer au SIV.")


# The rules -----------------------------------------------------------------------------------


def certificate_of_sale(facts: CessionFacts, done_on: date | None, today: date, settings: CessionSettings) -> ItemStatus:
    """Cerfa 15776, signed by both parties on the day of the cession."""
    return _deadline_status(
        PaperworkKind.CERTIFICATE_OF_SALE, facts.ceded_on, done_on, today, str(_l("signé le jour de la cession"))
    )


def siv_declaration(facts: CessionFacts, done_on: date | None, today: date, settings: CessionSettings) -> ItemStatus:
    """The Département declares the cession to the SIV within N days (R322-4)."""
    kind = PaperworkKind.SIV_DECLARATION
    if facts.category in UNREGISTERED_CATEGORIES:
        return _not_needed(kind, _NO_REGISTRATION)
    deadline = facts.ceded_on + timedelta(days=settings.siv_declaration_days)
    rule = str(_l("%(days)s jours après la cession, article R322-4", days=settings.siv_declaration_days))
    return _deadline_status(kind, deadline, done_on, today, rule)


def crossed_out_certificate(facts: CessionFacts, done_on: date | None, today: date, settings: CessionSettings) -> ItemStatus:
    """The registration certificate handed over crossed out, "cédé le" + date, signed (R322-4)."""
    kind = PaperworkKind.CROSSED_OUT_CERTIFICATE
    if facts.category in UNREGISTERED_CATEGORIES:
        return _not_needed(kind, _NO_REGISTRATION)
    return _deadline_status(kind, facts.ceded_on, done_on, today, str(_l("remise le jour de la cession, R322-4")))


def non_pledge(facts: CessionFacts, issued_on: date | None, today: date, settings: CessionSettings) -> ItemStatus:
    """The certificat de situation administrative: issued at most N days before the cession."""
    kind = PaperworkKind.NON_PLEDGE
    if facts.category in UNREGISTERED_CATEGORIES:
        return _not_needed(kind, _NO_REGISTRATION)
    max_age = settings.non_pledge_max_age_days
    if issued_on is not None:
        age = (facts.ceded_on - issued_on).days
        if age > max_age:
            reason = _l(
                "Le certificat du %(issued)s avait %(age)s jours le jour de la cession (%(ceded)s) : "
                "il doit dater de %(max)s jours au plus. Demandez-en un nouveau.",
                issued=_fr(issued_on), age=age, ceded=_fr(facts.ceded_on), max=max_age,
            )
            return ItemStatus(kind, Status.INVALID, str(reason), facts.ceded_on, issued_on)
        if age < 0:
            reason = _l(
                "Le certificat du %(issued)s est postérieur à la cession (%(ceded)s) : il doit être remis au plus "
                "tard le jour de la cession.",
                issued=_fr(issued_on), ceded=_fr(facts.ceded_on),
            )
            return ItemStatus(kind, Status.DONE_LATE, str(reason), facts.ceded_on, issued_on, days_late=-age)
    rule = str(_l("daté de %(max)s jours au plus le jour de la cession", max=max_age))
    return _deadline_status(kind, facts.ceded_on, issued_on, today, rule)


def registration_deadline(facts: CessionFacts, settings: CessionSettings) -> date:
    return add_months(facts.ceded_on, settings.registration_months)


def registration(facts: CessionFacts, registered_on: date | None, today: date, settings: CessionSettings) -> ItemStatus:
    """The new certificate in the association's name, requested within one month (R322-5)."""
    kind = PaperworkKind.REGISTRATION
    if facts.category in UNREGISTERED_CATEGORIES:
        return _not_needed(kind, _NO_REGISTRATION)
    rule = str(_l("%(months)s mois après la cession, article R322-5", months=settings.registration_months))
    return _deadline_status(kind, registration_deadline(facts, settings), registered_on, today, rule)


def vsp_first_inspection_due(first_registered_on: date, settings: CessionSettings) -> date:
    """When an L-category vehicle's first contrôle is due: by the phase-in for older vehicles,
    otherwise before the Nth anniversary of its first registration (R323-37)."""
    for registered_before, due in settings.vsp_phase_in:
        if first_registered_on < registered_before:
            return due
    return add_years(first_registered_on, settings.vsp_first_inspection_years)


def technical_inspection(
    facts: CessionFacts,
    report_on: date | None,
    registered_on: date | None,
    today: date,
    settings: CessionSettings,
) -> ItemStatus:
    """A contrôle technique under N months old on the registration request date, when the
    vehicle's age asks for one. Until the request is made, the rule is read on its deadline."""
    kind = PaperworkKind.TECHNICAL_INSPECTION
    if facts.category in UNREGISTERED_CATEGORIES:
        return _not_needed(kind, _l("Un vélo n'est pas soumis au contrôle technique."))
    deadline = registration_deadline(facts, settings)
    reference = registered_on or deadline
    if facts.category in L_CATEGORIES:
        first_due = vsp_first_inspection_due(facts.first_registered_on, settings)
        if reference < first_due:
            return _not_needed(
                kind,
                _l(
                    "Pas de contrôle technique avant le %(due)s pour ce véhicule mis en circulation le "
                    "%(first)s (article R323-37).",
                    due=_fr(first_due), first=_fr(facts.first_registered_on),
                ),
            )
        rule = str(_l("véhicule de catégorie L, article R323-37"))
    else:
        over_age_on = add_years(facts.first_registered_on, settings.car_inspection_age_years)
        if reference < over_age_on:
            return _not_needed(
                kind,
                _l(
                    "La voiture a moins de %(years)s ans le %(reference)s (mise en circulation le %(first)s) : "
                    "pas de contrôle technique exigé (article R323-22).",
                    years=settings.car_inspection_age_years, reference=_fr(reference),
                    first=_fr(facts.first_registered_on),
                ),
            )
        rule = str(_l("voiture de plus de %(years)s ans, article R323-22", years=settings.car_inspection_age_years))
    if report_on is not None:
        oldest = add_months(reference, -settings.inspection_max_age_months)
        if report_on < oldest or report_on > reference:
            reason = _l(
                "Le contrôle du %(report)s doit dater de moins de %(months)s mois le %(reference)s "
                "(demande d'immatriculation ; %(rule)s) : faites-en un nouveau.",
                report=_fr(report_on), months=settings.inspection_max_age_months, reference=_fr(reference), rule=rule,
            )
            return ItemStatus(kind, Status.INVALID, str(reason), deadline, report_on)
        reason = _l(
            "Contrôle du %(report)s, de moins de %(months)s mois le %(reference)s (%(rule)s).",
            report=_fr(report_on), months=settings.inspection_max_age_months, reference=_fr(reference), rule=rule,
        )
        return ItemStatus(kind, Status.DONE, str(reason), deadline, report_on)
    return _deadline_status(kind, deadline, None, today, rule)


def paperwork_status(
    facts: CessionFacts, done: Mapping[PaperworkKind, date], today: date, settings: CessionSettings
) -> list[ItemStatus]:
    """Every item of a cession, in the order they are done."""
    registered_on = done.get(PaperworkKind.REGISTRATION)
    return [
        certificate_of_sale(facts, done.get(PaperworkKind.CERTIFICATE_OF_SALE), today, settings),
        siv_declaration(facts, done.get(PaperworkKind.SIV_DECLARATION), today, settings),
        crossed_out_certificate(facts, done.get(PaperworkKind.CROSSED_OUT_CERTIFICATE), today, settings),
        non_pledge(facts, done.get(PaperworkKind.NON_PLEDGE), today, settings),
        technical_inspection(facts, done.get(PaperworkKind.TECHNICAL_INSPECTION), registered_on, today, settings),
        registration(facts, registered_on, today, settings),
    ]


def late_items(statuses: list[ItemStatus]) -> list[ItemStatus]:
    return [item for item in statuses if item.is_problem]
