"""Who may rent which vehicle, and why not: pure rules, each with a reason in plain French.

Every rule is a function over plain values (and a Beneficiary) that returns None when it is
satisfied, or a `Refusal` saying what is wrong and what to do about it. `check_eligibility`
runs all of them on a request and returns every refusal at once, so that a person can fix
everything in one go; `refusals_by_category` answers "what could this person rent today,
and why not the rest".

The rules (DESIGN §4):

- dates: the end is not before the start (a same-day rental is allowed), the start is not past;
- the category is offered for rental (it has a maximum duration), and the rental is not longer
  than that maximum (it can be extended later);
- the purpose is linked to employment; `other` needs a few words saying how;
- car: a B licence, checked by a référent, valid on every day of the rental;
- VSP (and scooter): no licence for people born before a cut-off date (1 January 1988),
  otherwise an AM licence or BSR, or a B licence, checked by a référent; and the driver is at
  least 14 on the first day;
- the RSA status was checked by a référent within the last N months (counted back from today);
- at most N active bookings per person (the caller counts them).

Settings: booking/eligibility_settings.py (parsed once at start).
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from mobility.core.errors import Refused
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.pricing import rental_days
from mobility.booking.eligibility_settings import EligibilitySettings
from mobility.fleet.models import VehicleCategory

# Categories and the driving rights they need. An e-bike needs none.
LICENCE_B_CATEGORIES = frozenset({VehicleCategory.CAR})
AM_CATEGORIES = frozenset({VehicleCategory.VSP, VehicleCategory.SCOOTER})

_VEHICLE_PHRASES = {
    VehicleCategory.CAR: _l("une voiture"),
    VehicleCategory.VSP: _l("une voiture sans permis"),
    VehicleCategory.SCOOTER: _l("un scooter"),
    VehicleCategory.EBIKE: _l("un vélo à assistance électrique"),
}


class Purpose(enum.Enum):
    """Why the person needs a vehicle: always on the way to a job."""

    JOB_INTERVIEW = "job_interview"
    JOB = "job"
    TRAINING = "training"
    JOB_SEARCH = "job_search"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(_PURPOSE_LABELS[self])


_PURPOSE_LABELS = {
    Purpose.JOB_INTERVIEW: _l("Entretien d'embauche"),
    Purpose.JOB: _l("Emploi (trajets domicile-travail)"),
    Purpose.TRAINING: _l("Formation"),
    Purpose.JOB_SEARCH: _l("Recherche d'emploi"),
    Purpose.OTHER: _l("Autre démarche vers l'emploi"),
}


@dataclass(frozen=True)
class Refusal:
    """One reason not to rent: a stable code, and what to tell the person (lazy, in French)."""

    code: str
    message: LazyString | str
    what_to_do: LazyString | str
    # The same reason told to the référent acting for the person ("son permis", not "votre
    # permis"); None when the wording fits both.
    for_staff: tuple[LazyString | str, LazyString | str] | None = None

    def worded_for(self, staff: bool) -> Refusal:
        if not staff or self.for_staff is None:
            return self
        message, what_to_do = self.for_staff
        return Refusal(self.code, message, what_to_do)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": str(self.message), "what_to_do": str(self.what_to_do)}


class NotEligible(Refused):
    """Raised by the booking services with every refusal; views and the API show them all."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(" ".join(str(refusal.message) for refusal in refusals))
        self.args = (", ".join(refusal.code for refusal in refusals),)
        self.refusals = refusals


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (31 May - 3 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday(birth_date: date, years: int) -> date:
    """The day a person turns `years` (born on 29 February: 1 March in common years)."""
    year = birth_date.year + years
    if (birth_date.month, birth_date.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 3, 1)
    return birth_date.replace(year=year)


def _as_category(category: VehicleCategory | str) -> VehicleCategory | None:
    if isinstance(category, VehicleCategory):
        return category
    try:
        return VehicleCategory(category)
    except ValueError:
        return None


def _as_purpose(purpose: Purpose | str | None) -> Purpose | None:
    if isinstance(purpose, Purpose):
        return purpose
    try:
        return Purpose(purpose)
    except ValueError:
        return None


# The rules ---------------------------------------------------------------------------------


def check_dates_in_order(starts_on: date, ends_on: date) -> Refusal | None:
    if ends_on >= starts_on:
        return None
    return Refusal(
        "dates_reversed",
        _l("La date de fin de la location est avant la date de début."),
        _l("Choisissez une date de fin le même jour que la date de début, ou après."),
    )


def check_start_not_past(starts_on: date, today: date) -> Refusal | None:
    if starts_on >= today:
        return None
    return Refusal(
        "start_in_past",
        _l("La date de début de la location (%(date)s) est déjà passée.", date=_fr(starts_on)),
        _l("Choisissez une date de début à partir d'aujourd'hui."),
    )


def check_category_offered(category: VehicleCategory | str, settings: EligibilitySettings) -> Refusal | None:
    if _as_category(category) in settings.max_days:
        return None
    return Refusal(
        "category_not_offered",
        _l("Ce type de véhicule n'est pas proposé à la location pour le moment."),
        _l("Choisissez un autre type de véhicule, par exemple une voiture ou une voiture sans permis."),
    )


def check_duration(
    category: VehicleCategory | str, starts_on: date, ends_on: date, settings: EligibilitySettings
) -> Refusal | None:
    """Not longer than the category's maximum. Silent on reversed dates (reported apart)."""
    maximum = settings.max_days.get(_as_category(category))
    if maximum is None or ends_on < starts_on or rental_days(starts_on, ends_on) <= maximum:
        return None
    last_day = starts_on + timedelta(days=maximum - 1)
    return Refusal(
        "duration_too_long",
        _l(
            "Pour ce type de véhicule, une location dure au plus %(max)s jours : vous en demandez %(days)s.",
            max=maximum,
            days=rental_days(starts_on, ends_on),
        ),
        _l(
            "Choisissez une date de fin au plus tard le %(date)s. Si vous avez besoin du véhicule plus "
            "longtemps, la location pourra être prolongée : demandez-le à votre référent avant la fin.",
            date=_fr(last_day),
        ),
    )


def check_purpose(purpose: Purpose | str | None, purpose_detail: str | None) -> Refusal | None:
    """A purpose linked to employment; `other` needs a few words saying how."""
    known = _as_purpose(purpose)
    if known is None:
        return Refusal(
            "purpose_missing",
            _l("Le motif de la location n'est pas indiqué."),
            _l(
                "Choisissez le motif : entretien d'embauche, emploi, formation, recherche d'emploi "
                "ou autre démarche vers l'emploi."
            ),
        )
    if known is Purpose.OTHER and not (purpose_detail or "").strip():
        return Refusal(
            "purpose_detail_missing",
            _l(
                "Vous avez choisi « Autre » comme motif sans dire en quoi la location vous aide "
                "vers l'emploi."
            ),
            _l(
                "Expliquez-le en quelques mots, par exemple : rendez-vous chez France Travail, "
                "visite d'une entreprise, démarches pour créer votre activité."
            ),
        )
    return None


def _licence_b_not_checked() -> Refusal:
    return Refusal(
        "licence_b_not_checked",
        _l("Votre permis B n'a pas encore été vérifié par votre référent."),
        _l("Montrez votre permis à votre référent lors de votre prochain rendez-vous."),
        (
            _l("Le permis B de la personne n'a pas encore été vérifié."),
            _l("Vérifiez son permis, puis cochez sur sa fiche « J'ai vu aujourd'hui le permis ou le BSR de la personne »."),
        ),
    )


def _licence_b_valid_throughout(beneficiary: Beneficiary, starts_on: date, ends_on: date) -> bool:
    # Validity is one interval (no gaps), so the first and the last day cover every day.
    return beneficiary.licence_b_valid_on(starts_on) and beneficiary.licence_b_valid_on(ends_on)


def check_licence_b(beneficiary: Beneficiary, starts_on: date, ends_on: date) -> Refusal | None:
    """A B licence, checked by a référent, valid on every day of the rental."""
    if not beneficiary.has_licence_b:
        return Refusal(
            "licence_b_missing",
            _l("Pour louer une voiture, il faut le permis B, et aucun permis B n'est enregistré pour vous."),
            _l(
                "Si vous avez le permis B, montrez-le à votre référent. Sinon, vous pouvez peut-être "
                "louer une voiture sans permis : parlez-en avec lui."
            ),
            (
                _l("Aucun permis B n'est enregistré sur la fiche de la personne."),
                _l("Si elle a le permis B, notez-le sur sa fiche ; sinon, une voiture sans permis peut convenir."),
            ),
        )
    if beneficiary.driving_rights_checked_on is None:
        return _licence_b_not_checked()
    last_day = max(starts_on, ends_on)
    if _licence_b_valid_throughout(beneficiary, starts_on, last_day):
        return None
    expires_on = beneficiary.licence_b_expires_on
    if expires_on < starts_on:
        return Refusal(
            "licence_b_expired",
            _l(
                "Votre permis B n'est valable que jusqu'au %(date)s, avant le début de la location.",
                date=_fr(expires_on),
            ),
            _l(
                "Faites renouveler votre permis (démarche en ligne sur le site de l'ANTS), puis "
                "montrez le nouveau permis à votre référent."
            ),
            (
                _l(
                    "Le permis B de la personne n'est valable que jusqu'au %(date)s, avant le début de la location.",
                    date=_fr(expires_on),
                ),
                _l("Le permis doit être renouvelé (ANTS) ; notez ensuite la nouvelle date sur sa fiche."),
            ),
        )
    return Refusal(
        "licence_b_expires_during_rental",
        _l(
            "Votre permis B n'est valable que jusqu'au %(date)s, avant la fin de la location.",
            date=_fr(expires_on),
        ),
        _l(
            "Choisissez une date de fin au plus tard le %(date)s, ou faites renouveler votre permis "
            "avant la location et montrez le nouveau à votre référent.",
            date=_fr(expires_on),
        ),
        (
            _l(
                "Le permis B de la personne n'est valable que jusqu'au %(date)s, avant la fin de la location.",
                date=_fr(expires_on),
            ),
            _l(
                "Choisissez une date de fin au plus tard le %(date)s, ou notez sur sa fiche le permis renouvelé.",
                date=_fr(expires_on),
            ),
        ),
    )


def check_light_vehicle_rights(
    beneficiary: Beneficiary,
    category: VehicleCategory,
    starts_on: date,
    ends_on: date,
    settings: EligibilitySettings,
) -> Refusal | None:
    """VSP or scooter: nothing for people born before the cut-off, otherwise AM/BSR or B."""
    if beneficiary.birth_date < settings.vsp_no_licence_born_before:
        return None
    if beneficiary.has_am_licence or beneficiary.has_licence_b:
        if beneficiary.driving_rights_checked_on is None:
            if beneficiary.has_am_licence:
                return Refusal(
                    "am_licence_not_checked",
                    _l("Votre permis AM ou BSR n'a pas encore été vérifié par votre référent."),
                    _l("Montrez votre permis AM ou BSR à votre référent lors de votre prochain rendez-vous."),
                    (
                        _l("Le permis AM ou BSR de la personne n'a pas encore été vérifié."),
                        _l("Vérifiez-le, puis cochez sur sa fiche « J'ai vu aujourd'hui le permis ou le BSR de la personne »."),
                    ),
                )
            return _licence_b_not_checked()
        if beneficiary.has_am_licence or _licence_b_valid_throughout(
            beneficiary, starts_on, max(starts_on, ends_on)
        ):
            return None
    return Refusal(
        "am_licence_missing",
        _l(
            "Les personnes nées à partir du %(date)s ont besoin du permis AM (ou BSR), ou d'un "
            "permis B valable pendant toute la location, pour conduire %(vehicle)s.",
            date=_fr(settings.vsp_no_licence_born_before),
            vehicle=_VEHICLE_PHRASES[category],
        ),
        _l(
            "Si vous avez l'un de ces permis, montrez-le à votre référent. Sinon, il peut vous "
            "orienter vers une formation au permis AM."
        ),
        (
            _l(
                "Les personnes nées à partir du %(date)s ont besoin du permis AM (ou BSR), ou d'un "
                "permis B valable pendant toute la location, pour conduire %(vehicle)s.",
                date=_fr(settings.vsp_no_licence_born_before),
                vehicle=_VEHICLE_PHRASES[category],
            ),
            _l("Si la personne a l'un de ces permis, notez-le sur sa fiche ; sinon, orientez-la vers une formation au permis AM."),
        ),
    )


def check_driving_rights(
    beneficiary: Beneficiary,
    category: VehicleCategory | str,
    starts_on: date,
    ends_on: date,
    settings: EligibilitySettings,
) -> Refusal | None:
    known = _as_category(category)
    if known in LICENCE_B_CATEGORIES:
        return check_licence_b(beneficiary, starts_on, ends_on)
    if known in AM_CATEGORIES:
        return check_light_vehicle_rights(beneficiary, known, starts_on, ends_on, settings)
    return None


def check_minimum_age(
    beneficiary: Beneficiary, category: VehicleCategory | str, starts_on: date, settings: EligibilitySettings
) -> Refusal | None:
    """VSP or scooter: at least the minimum age on the first day of the rental."""
    known = _as_category(category)
    if known not in AM_CATEGORIES or beneficiary.age_on(starts_on) >= settings.vsp_min_age:
        return None
    return Refusal(
        "too_young",
        _l(
            "Il faut avoir au moins %(age)s ans le premier jour de la location pour conduire %(vehicle)s.",
            age=settings.vsp_min_age,
            vehicle=_VEHICLE_PHRASES[known],
        ),
        _l(
            "Choisissez une date de début à partir du %(date)s.",
            date=_fr(birthday(beneficiary.birth_date, settings.vsp_min_age)),
        ),
    )


def check_rsa(beneficiary: Beneficiary, today: date, settings: EligibilitySettings) -> Refusal | None:
    """RSA status checked by a référent within the last N months (N months ago still counts)."""
    checked_on = beneficiary.rsa_checked_on
    if checked_on is None:
        return Refusal(
            "rsa_not_checked",
            _l("Votre droit au RSA n'a pas encore été vérifié par votre référent."),
            _l("Demandez à votre référent de le vérifier, lors d'un rendez-vous ou par téléphone."),
            (
                _l("Le droit au RSA de la personne n'a pas encore été vérifié."),
                _l("Vérifiez-le, puis cochez sur sa fiche « J'ai vérifié aujourd'hui que la personne perçoit le RSA »."),
            ),
        )
    if checked_on >= months_before(today, settings.rsa_check_max_months):
        return None
    return Refusal(
        "rsa_check_too_old",
        _l(
            "Votre droit au RSA a été vérifié le %(date)s, il y a plus de %(months)s mois.",
            date=_fr(checked_on),
            months=settings.rsa_check_max_months,
        ),
        _l("Demandez à votre référent de vérifier à nouveau votre droit au RSA."),
        (
            _l(
                "Le droit au RSA de la personne a été vérifié le %(date)s, il y a plus de %(months)s mois.",
                date=_fr(checked_on),
                months=settings.rsa_check_max_months,
            ),
            _l("Vérifiez-le à nouveau, puis cochez sur sa fiche « J'ai vérifié aujourd'hui que la personne perçoit le RSA »."),
        ),
    )


def check_active_bookings(active_booking_count: int, settings: EligibilitySettings) -> Refusal | None:
    """At most N active bookings (requested, approved, confirmed or in progress) per person."""
    if active_booking_count < settings.max_active_bookings:
        return None
    if settings.max_active_bookings == 1:
        message = _l("Vous avez déjà une location en cours ou en attente.")
    else:
        message = _l(
            "Vous avez déjà %(count)s locations en cours ou en attente : c'est le maximum.",
            count=active_booking_count,
        )
    return Refusal(
        "active_booking_exists",
        message,
        _l(
            "Attendez la fin de votre location, ou annulez une demande en attente. Pour garder le "
            "véhicule plus longtemps, demandez plutôt une prolongation à votre référent."
        ),
        (
            _l("La personne a déjà une location en cours ou en attente."),
            _l(
                "Attendez la fin de cette location ou annulez la demande en attente ; pour garder le "
                "véhicule plus longtemps, accordez une prolongation."
            ),
        ),
    )


# Entry points ------------------------------------------------------------------------------


def check_eligibility(
    beneficiary: Beneficiary,
    category: VehicleCategory | str,
    starts_on: date,
    ends_on: date,
    purpose: Purpose | str | None,
    purpose_detail: str | None,
    active_booking_count: int,
    today: date,
    settings: EligibilitySettings,
) -> list[Refusal]:
    """Every reason this request cannot be made, in the order of the form; [] when eligible."""
    refusals = [
        check_dates_in_order(starts_on, ends_on),
        check_start_not_past(starts_on, today),
        check_category_offered(category, settings),
        check_duration(category, starts_on, ends_on, settings),
        check_purpose(purpose, purpose_detail),
        check_driving_rights(beneficiary, category, starts_on, ends_on, settings),
        check_minimum_age(beneficiary, category, starts_on, settings),
        check_rsa(beneficiary, today, settings),
        check_active_bookings(active_booking_count, settings),
    ]
    return [refusal for refusal in refusals if refusal is not None]


def refusals_by_category(
    beneficiary: Beneficiary, active_booking_count: int, today: date, settings: EligibilitySettings
) -> dict[VehicleCategory, list[Refusal]]:
    """For each offered category, why this person cannot rent it today ([] when they can)."""
    return {
        category: [
            refusal
            for refusal in (
                check_driving_rights(beneficiary, category, today, today, settings),
                check_minimum_age(beneficiary, category, today, settings),
                check_rsa(beneficiary, today, settings),
                check_active_bookings(active_booking_count, settings),
            )
            if refusal is not None
        ]
        for category in settings.offered_categories
    }


def eligible_categories(
    beneficiary: Beneficiary, active_booking_count: int, today: date, settings: EligibilitySettings
) -> list[VehicleCategory]:
    """The categories this person could rent from today, in the order of VehicleCategory."""
    return [
        category
        for category, refusals in refusals_by_category(
            beneficiary, active_booking_count, today, settings
        ).items()
        if not refusals
    ]
