from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, event, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.core.french import sort_key as french_sort_key, sort_key_column_type
from mobility.extensions import db


class EmploymentBasin(db.Model):
    """One of the plan's four employment basins (INSEE 2020 employment zones)."""

    __tablename__ = "employment_basin"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    insee_zone_code: Mapped[str] = mapped_column(String(4), unique=True)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def all_ordered(cls) -> list["EmploymentBasin"]:
        return list(db.session.scalars(select(cls).order_by(cls.name)))


class Commune(db.Model):
    """A current commune of the Loiret; its basin is editable by admins."""

    __tablename__ = "commune"
    __table_args__ = (CheckConstraint("length(insee_code) = 5", name="insee_code_length"),)

    insee_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    postal_codes: Mapped[str] = mapped_column(String(60))
    population: Mapped[int] = mapped_column(Integer)
    basin_id: Mapped[int] = mapped_column(ForeignKey("employment_basin.id"), index=True)
    # The name as a French reader files it (accents ignored): lists order by this, never by name.
    sort_key: Mapped[str] = mapped_column(sort_key_column_type(120), server_default="")

    basin: Mapped[EmploymentBasin] = relationship(lazy="joined")

    @classmethod
    def all_ordered(cls) -> list["Commune"]:
        return list(db.session.scalars(select(cls).order_by(cls.sort_key, cls.name)))

    def __str__(self) -> str:
        return f"{self.name} ({self.postal_codes.split()[0]})"

    @property
    def label(self) -> str:
        return str(self)


@event.listens_for(Commune, "before_insert")
@event.listens_for(Commune, "before_update")
def _file_commune(mapper, connection, commune: Commune) -> None:
    commune.sort_key = french_sort_key(commune.name)
