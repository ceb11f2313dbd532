"""What the beneficiary file page needs from the bookings floor, declared here and plugged in
by create_app (like fleet/ports.py).

Beneficiaries sit below bookings: a file knows nothing of rentals, yet the référent's file
page shows the person's rentals, the outcomes to record and, per vehicle category, whether
they can rent today and why not. The booking floor answers (booking/person.py); the file page
reads the answer through this port, so that the rules stay where they are (booking's
eligibility) and the import floors stay in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from flask import current_app

if TYPE_CHECKING:  # pragma: no cover - names for type checkers only
    from mobility.auth.models import User
    from mobility.beneficiaries.models import Beneficiary

EXTENSION_KEY = "mobility.beneficiaries.ports"


@dataclass(frozen=True)
class RentalLine:
    """One of the person's rentals, as the file page lists it."""

    reference: str
    url: str
    category_label: str
    starts_at: datetime
    ends_at: datetime
    status_label: str
    # Outcomes the référent can record now ("à la fin", "à 3 mois"…), with where to do it.
    outcomes_due: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategoryRight:
    """Whether the person may rent this category today and, if not, each reason and what to do."""

    category_label: str
    reasons: tuple[tuple[str, str], ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class FileRentals:
    rentals: tuple[RentalLine, ...] = ()
    rights: tuple[CategoryRight, ...] = ()
    request_url: str | None = None


@runtime_checkable
class RentalsOfPerson(Protocol):
    def for_file(self, beneficiary: Beneficiary, viewer: User) -> FileRentals:
        """The person's rentals (newest first), the outcomes due and today's rights per category."""


def plug(app, *, rentals_of_person: RentalsOfPerson | None = None) -> None:
    if rentals_of_person is not None and not isinstance(rentals_of_person, RentalsOfPerson):
        raise TypeError(f"{rentals_of_person!r} is not a RentalsOfPerson")
    app.extensions[EXTENSION_KEY] = rentals_of_person


def rentals_for_file(beneficiary: Beneficiary, viewer: User) -> FileRentals:
    """What the plugged implementation says; nothing when none is plugged (a bare test app)."""
    implementation = current_app.extensions.get(EXTENSION_KEY)
    return implementation.for_file(beneficiary, viewer) if implementation else FileRentals()
