"""What the beneficiary files need from the floors above them, declared here and plugged in by
create_app (like fleet/ports.py).

Beneficiaries sit below bookings: a file knows nothing of rentals, payments, handovers or the
waiting queue. The booking floor implements these ports (booking/person.py, its personal data
source) and create_app plugs them in:
- `PersonalDataSource`: the rest of a person's data for "Mes données" (RGPD articles 15 and
  20);
- `RentalsOfPerson`: on the référent's file page, the person's rentals, the outcomes to record
  and, per vehicle category, whether they can rent today and why not (booking's eligibility
  rules stay where they are).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from flask import current_app

if TYPE_CHECKING:  # pragma: no cover - names for type checkers only
    from mobility.auth.models import User
    from mobility.beneficiaries.models import Beneficiary

EXTENSION_KEY = "mobility.beneficiaries.ports"


@dataclass(frozen=True)
class DataSection:
    """One group of a person's data: a machine key (the JSON's), a title, labelled fields and
    the rows. A value is a str, int, bool, date, datetime, None, or a list of str (a history).

    `covers` names the foreign keys ("table.column") to a person whose rows the section holds:
    a test reads the models' foreign keys and checks each one is covered or deliberately left out.
    """

    key: str
    title: str
    labels: Mapping[str, str]
    items: Sequence[Mapping[str, Any]]
    empty: str
    covers: tuple[str, ...] = ()
    note: str = ""


@runtime_checkable
class PersonalDataSource(Protocol):
    def sections(self, beneficiary: Beneficiary) -> list[DataSection]: ...

    def left_out(self) -> Mapping[str, str]:
        """Foreign keys to a person deliberately not exported, each with the reason."""


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


@dataclass(frozen=True)
class BeneficiaryPorts:
    personal_data_sources: tuple[PersonalDataSource, ...] = field(default_factory=tuple)
    rentals_of_person: RentalsOfPerson | None = None


def plug(
    app,
    *,
    personal_data_sources: Iterable[PersonalDataSource] = (),
    rentals_of_person: RentalsOfPerson | None = None,
) -> BeneficiaryPorts:
    ports = BeneficiaryPorts(personal_data_sources=tuple(personal_data_sources), rentals_of_person=rentals_of_person)
    for source in ports.personal_data_sources:
        if not isinstance(source, PersonalDataSource):
            raise TypeError(f"{source!r} does not implement PersonalDataSource")
    if rentals_of_person is not None and not isinstance(rentals_of_person, RentalsOfPerson):
        raise TypeError(f"{rentals_of_person!r} is not a RentalsOfPerson")
    app.extensions[EXTENSION_KEY] = ports
    return ports


def plugged() -> BeneficiaryPorts:
    return current_app.extensions.get(EXTENSION_KEY) or BeneficiaryPorts()


def rentals_for_file(beneficiary: Beneficiary, viewer: User) -> FileRentals:
    """What the plugged implementation says; nothing when none is plugged (a bare test app)."""
    implementation = plugged().rentals_of_person
    return implementation.for_file(beneficiary, viewer) if implementation else FileRentals()
