"""The basins and communes most pages show, as plain values cached per process
(mobility.core.reference): no statement once a worker has read them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from mobility.core.reference import reference_data, register
from mobility.extensions import db
from mobility.territory.models import Commune, EmploymentBasin


@dataclass(frozen=True)
class Basin:
    id: int
    code: str
    name: str
    insee_zone_code: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class CommuneChoice:
    insee_code: str
    name: str
    postal_codes: str
    basin_id: int

    def __str__(self) -> str:
        return f"{self.name} ({self.postal_codes.split()[0]})"

    @property
    def label(self) -> str:
        return str(self)


def _load_basins() -> tuple[Basin, ...]:
    rows = db.session.execute(
        select(EmploymentBasin.id, EmploymentBasin.code, EmploymentBasin.name, EmploymentBasin.insee_zone_code)
        .order_by(EmploymentBasin.name)
    )
    return tuple(Basin(*row) for row in rows)


def _load_communes() -> tuple[CommuneChoice, ...]:
    rows = db.session.execute(
        select(Commune.insee_code, Commune.name, Commune.postal_codes, Commune.basin_id).order_by(
            Commune.sort_key, Commune.name
        )
    )
    return tuple(CommuneChoice(*row) for row in rows)


register("basins", (EmploymentBasin,), _load_basins)
register("communes", (Commune, EmploymentBasin), _load_communes)


def basins() -> tuple[Basin, ...]:
    """The four basins by name, as EmploymentBasin.all_ordered() orders them."""
    return reference_data("basins")


def communes() -> tuple[CommuneChoice, ...]:
    """Every commune by name, with its basin (editable by admins: dropped when it changes)."""
    return reference_data("communes")
