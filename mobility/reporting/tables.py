"""Tables of figures: rows and a total per indicator family, and the adding up, in one
statement, of rows that several sources (the live days, the summarised months) give per key."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, literal_column, select, union_all

from mobility.core.errors import Invalid
from mobility.extensions import db
from mobility.reporting.dimensions import AGE_BANDS, Breakdown, Filters, PrescriberKind, period_keys
from mobility.reporting.labels import label_keys


@dataclass
class Row:
    key: object
    label: str
    values: dict[str, int | float | None]


@dataclass
class Table:
    """One indicator family cut by one breakdown (or none): rows, then the total."""

    family: str
    breakdown: Breakdown | None
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None

    def value(self, key, column):
        for row in self.rows:
            if row.key == key:
                return row.values[column]
        raise KeyError(key)


class Sums:
    """Values by name, read like a result row."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


def fields_of(row) -> dict:
    """A result row's or a Sums' values by name."""
    return dict(vars(row)) if isinstance(row, Sums) else row._asdict()


def refuse_unless(breakdown: Breakdown | None, allowed: frozenset[Breakdown], family: str) -> None:
    if breakdown is not None and breakdown not in allowed:
        raise Invalid(f"Breakdown {breakdown.value} does not apply to {family}.", field="by")


def grouped(statement, breakdown: Breakdown | None):
    return statement.group_by(literal_column("key")) if breakdown is not None else statement


def number(value) -> int:
    """Sums come back as Decimal on PostgreSQL and int on SQLite: the same int for both."""
    return int(value or 0)


def sort_key(breakdown, key, label):
    if breakdown is not None and breakdown.is_period:
        return (key, "")
    if breakdown is Breakdown.AGE_BAND:
        return (AGE_BANDS.index(key), "")
    if breakdown is Breakdown.PRESCRIBER_KIND:
        return (list(PrescriberKind).index(PrescriberKind(key)), "")
    return (0, label)


def table_of(family, breakdown, columns, grouped_rows, total_row, filters: Filters, fill_periods=True) -> Table:
    table = Table(family=family, breakdown=breakdown, columns=columns)
    values = {row.key: {column: number(getattr(row, column)) for column in columns} for row in grouped_rows}
    keys = list(values)
    if breakdown is not None and breakdown.is_period and fill_periods:
        keys = period_keys(breakdown, filters.date_from, filters.date_to)
    labels = label_keys(breakdown, keys)
    for key in sorted(keys, key=lambda k: sort_key(breakdown, k, labels[k])):
        table.rows.append(Row(key, labels[key], values.get(key, dict.fromkeys(columns, 0))))
    total = {column: number(getattr(total_row, column)) for column in columns} if total_row else dict.fromkeys(columns, 0)
    table.total = Row(None, "Total", total)
    return table


def added_up(parts, keys=("key",), largest=()) -> dict[tuple, dict[str, int]]:
    """Grouped selects (key columns, then measures) added up by key, in one statement: each
    is a branch of a UNION ALL (0 for a measure it lacks), summed again per key; the `largest`
    measures take the largest value instead (a count every source holds whole).

    Returns {key tuple: {measure: int}}; one part runs as it is."""
    if not parts:
        return {}
    if len(parts) == 1:
        statement = parts[0]
    else:
        measures: dict[str, None] = {}
        subqueries = [part.subquery() for part in parts]
        for subquery in subqueries:
            measures.update(dict.fromkeys(name for name in subquery.c.keys() if name not in keys))
        branches = [
            select(
                *(subquery.c[key] for key in keys),
                *(subquery.c[name] if name in subquery.c else literal_column("0").label(name) for name in measures),
            )
            for subquery in subqueries
        ]
        united = union_all(*branches).subquery("parts")
        statement = select(
            *(united.c[key] for key in keys),
            *((func.max if name in largest else func.sum)(united.c[name]).label(name) for name in measures),
        ).group_by(*(united.c[key] for key in keys))
    found: dict = {}
    for row in db.session.execute(statement):
        values = row._asdict()
        key = tuple(values.pop(name) for name in keys)
        found[key] = {name: number(value) for name, value in values.items()}
    return found
