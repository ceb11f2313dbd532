"""What each audience may see of a person and of a booking: one policy for pages, API and exports.

The policy names *facts* (identity, contact, purpose, social facts…) and the field names that
carry each fact, as the API, the exports and the pages name them. A field that no fact claims
is shown to nobody: a new field stays hidden until someone decides who may read it.

Which people and which bookings an account may see at all (its organisation's, its
association's vehicles, its own) is scoping, decided by mobility.booking.access and
mobility.beneficiaries.services; this module decides which of their fields it then reads.

- beneficiaries: everything of their own file and bookings;
- référents: everything of the people their organisation follows;
- fleet staff: what a handover needs: the name, the phone, whether the licence was checked
  (yes or no); of a booking, its rental facts. Never the purpose nor its detail, the outcomes,
  nor any social fact (RSA, CER, eligibility reasons);
- admins (the plan team and its tools, which hold admin tokens): never names nor contacts,
  nor the free-text purpose detail (it may name an employer or a person); the rest, as the
  plan's indicators use it.
"""

from __future__ import annotations

from enum import StrEnum

from mobility.auth.models import Role, User
from mobility.booking.models import BookingStatus
from mobility.fleet.models import Vehicle


class Audience(StrEnum):
    BENEFICIARY = "beneficiary"
    REFERENT = "referent"
    FLEET = "fleet"
    ADMIN = "admin"


AUDIENCE_OF_ROLE = {
    Role.BENEFICIARY: Audience.BENEFICIARY,
    Role.REFERENT: Audience.REFERENT,
    Role.FLEET: Audience.FLEET,
    Role.ADMIN: Audience.ADMIN,
}


def audience_of(user: User | None) -> Audience | None:
    return AUDIENCE_OF_ROLE.get(user.role) if user is not None else None


class Fact(StrEnum):
    REFERENCE = "reference"  # ids: a stable pseudonymous handle
    IDENTITY = "identity"  # names
    CONTACT = "contact"  # phone, e-mail, postal address
    PHONE = "phone"  # the one contact fleet staff need to hand a vehicle over
    BIRTH = "birth"  # birth date (an age band is TERRITORY-like statistics, see AGE_BAND)
    AGE_BAND = "age_band"
    TERRITORY = "territory"  # commune, employment basin
    LICENCE_CHECKED = "licence_checked"  # yes or no, nothing more
    DRIVING_RIGHTS = "driving_rights"  # licence dates, AM licence
    SOCIAL_FACTS = "social_facts"  # RSA checks, CER, who follows the person
    ELIGIBILITY = "eligibility"  # what the person may rent and why not (from social facts)
    BOOKINGS_HELD = "bookings_held"
    RENTAL = "rental"  # a booking's dates, status, vehicle, site, price
    PURPOSE = "purpose"
    PURPOSE_DETAIL = "purpose_detail"
    OUTCOMES = "outcomes"
    STATUS_REASONS = "status_reasons"  # why a booking was cancelled, rejected…


# Field names of a person, as the API, the exports and the pages call them.
PERSON_FIELDS: dict[str, Fact] = {
    "id": Fact.REFERENCE,
    "display_name": Fact.IDENTITY,
    "first_name": Fact.IDENTITY,
    "last_name": Fact.IDENTITY,
    "phone": Fact.PHONE,
    "email": Fact.CONTACT,
    "address": Fact.CONTACT,
    "birth_date": Fact.BIRTH,
    "age_band": Fact.AGE_BAND,
    "commune": Fact.TERRITORY,
    "basin": Fact.TERRITORY,
    "licence_checked": Fact.LICENCE_CHECKED,
    "licence_b_issued_on": Fact.DRIVING_RIGHTS,
    "licence_b_expires_on": Fact.DRIVING_RIGHTS,
    "has_am_licence": Fact.DRIVING_RIGHTS,
    "rsa_checked_on": Fact.SOCIAL_FACTS,
    "cer_until": Fact.SOCIAL_FACTS,
    "referent": Fact.SOCIAL_FACTS,
    "eligible_categories": Fact.ELIGIBILITY,
    "refusals_by_category": Fact.ELIGIBILITY,
    "holding_bookings": Fact.BOOKINGS_HELD,
}

# Field names of a booking.
BOOKING_FIELDS: dict[str, Fact] = {
    "id": Fact.REFERENCE,
    "reference": Fact.REFERENCE,
    "beneficiary_id": Fact.REFERENCE,
    "status": Fact.RENTAL,
    "status_label": Fact.RENTAL,
    "category": Fact.RENTAL,
    "basin": Fact.RENTAL,
    "site": Fact.RENTAL,
    "vehicle": Fact.RENTAL,
    "start": Fact.RENTAL,
    "end": Fact.RENTAL,
    "days": Fact.RENTAL,
    "price_cents": Fact.RENTAL,
    "deposit_cents": Fact.RENTAL,
    "expires_at": Fact.RENTAL,
    "purpose": Fact.PURPOSE,
    "purpose_detail": Fact.PURPOSE_DETAIL,
    "outcomes": Fact.OUTCOMES,
    "reason": Fact.STATUS_REASONS,
}

_EVERYTHING = frozenset(Fact)

FACTS_OF_PERSON: dict[Audience, frozenset[Fact]] = {
    # Their own file (scoping makes sure it is theirs).
    Audience.BENEFICIARY: _EVERYTHING,
    Audience.REFERENT: _EVERYTHING,
    Audience.FLEET: frozenset({Fact.REFERENCE, Fact.IDENTITY, Fact.PHONE, Fact.LICENCE_CHECKED}),
    Audience.ADMIN: frozenset(
        {Fact.REFERENCE, Fact.AGE_BAND, Fact.TERRITORY, Fact.ELIGIBILITY, Fact.BOOKINGS_HELD}
    ),
}

FACTS_OF_BOOKING: dict[Audience, frozenset[Fact]] = {
    Audience.BENEFICIARY: _EVERYTHING,
    Audience.REFERENT: _EVERYTHING,
    Audience.FLEET: frozenset({Fact.REFERENCE, Fact.RENTAL, Fact.STATUS_REASONS}),
    Audience.ADMIN: frozenset({Fact.REFERENCE, Fact.RENTAL, Fact.PURPOSE, Fact.OUTCOMES, Fact.STATUS_REASONS}),
}


def _visible(fields: dict[str, Fact], facts: dict[Audience, frozenset[Fact]], audience) -> frozenset[str]:
    allowed = facts.get(audience, frozenset())
    return frozenset(name for name, fact in fields.items() if fact in allowed)


def visible_person_fields(audience: Audience | None) -> frozenset[str]:
    """The fields of a person (already in scope) that this audience may read."""
    return _visible(PERSON_FIELDS, FACTS_OF_PERSON, audience)


def visible_booking_fields(audience: Audience | None) -> frozenset[str]:
    """The fields of a booking (already in scope) that this audience may read."""
    return _visible(BOOKING_FIELDS, FACTS_OF_BOOKING, audience)


def booking_fields_for(user: User | None) -> frozenset[str]:
    """What the pages show of a booking to this account: the same policy as the API's schemas."""
    return visible_booking_fields(audience_of(user))


# From confirmation on, the person and their référent know which car to look for at the site.
PLATE_SHOWN_FROM = frozenset({BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS, BookingStatus.RETURNED})


def plate_shown(user: User | None, vehicle: Vehicle, booking=None) -> bool:
    """The one answer to "who sees this plate", for pages and API alike.

    Admins, and fleet staff for their own association's vehicles, always; the person and their
    référent for the vehicle of their booking (already in their scope) once it is confirmed.
    """
    if user is None:
        return False
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.FLEET:
        return vehicle.association_id == user.organisation_id
    return booking is not None and booking.vehicle_id == vehicle.id and booking.status in PLATE_SHOWN_FROM
