"""What the beneficiary files need from the floors above them: the rest of a person's data.

"Mes données" (RGPD articles 15 and 20) shows everything stored about a person, but bookings,
payments, handovers and the waiting queue live on the booking floor, above this one. That
floor implements `PersonalDataSource` and `create_app` plugs it in (as the fleet's ports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from flask import current_app

if TYPE_CHECKING:  # pragma: no cover - names for type checkers only
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
class BeneficiaryPorts:
    personal_data_sources: tuple[PersonalDataSource, ...] = field(default_factory=tuple)


def plug(app, *, personal_data_sources: Iterable[PersonalDataSource] = ()) -> BeneficiaryPorts:
    ports = BeneficiaryPorts(personal_data_sources=tuple(personal_data_sources))
    for source in ports.personal_data_sources:
        if not isinstance(source, PersonalDataSource):
            raise TypeError(f"{source!r} does not implement PersonalDataSource")
    app.extensions[EXTENSION_KEY] = ports
    return ports


def plugged() -> BeneficiaryPorts:
    return current_app.extensions.get(EXTENSION_KEY) or BeneficiaryPorts()
