"""The exports: what each one holds, as streamed rows computed by the database.

Never a name, e-mail, phone, address or free text about a person. A person is a pseudonymous
id (an HMAC of their file's id under EXPORT_PSEUDONYM_KEY: the same across exports and runs,
impossible to trace back without the key), an age band, a basin and a prescriber kind.
Rows are read with `yield_per` (a server-side cursor on PostgreSQL), so memory stays flat.
The bookings export, the big one, also renders its cells for each format itself (`Cells`):
every value that repeats is converted once, so a row costs a few dict lookups.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import String, case, cast, func, literal_column, select, type_coerce
from sqlalchemy.orm import aliased
from sqlalchemy.types import NullType

from mobility.auth.models import Organisation
from mobility.beneficiaries.models import Beneficiary
from mobility.booking.eligibility import Purpose
from mobility.booking.models import Booking, BookingStatus, Outcome, OutcomeCheckpoint, OutcomeResult
from mobility.core.time import day_span
from mobility.extensions import db
from mobility.fleet.models import Site, Vehicle, VehicleCategory
from mobility.reporting import indicators
from mobility.reporting.dimensions import (
    AGE_BANDS,
    Breakdown,
    Filters,
    PrescriberKind,
    age_band_of,
    age_band_on,
    period_iso,
    prescriber_kind_of,
)
from mobility.reporting.indicators import RENTAL_STATUSES, Prescriber
from mobility.reporting.secrecy import protect
from mobility.reporting.sql import paris_day, paris_day_key, paris_day_of_key
from mobility.territory.models import EmploymentBasin

STREAM_BATCH = 2000
SCHEMA_VERSION = "1.0.0"
Association = aliased(Organisation, name="association")


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    type: str  # TableSchema types: string, integer, number, date, boolean
    description: str = ""
    enum: tuple[str, ...] | None = None
    required: bool = False


@dataclass(frozen=True)
class Export:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    # Typed rows; a source may also offer `rendered(cells)`: rows ready for one format.
    rows: Callable[[Filters, "ExportSettings"], Iterable[tuple]]
    public: bool = False
    # What a cell without a value holds: empty, or "s" (statistical secrecy) in public tables.
    missing: str = ""


@dataclass(frozen=True)
class ExportSettings:
    pseudonym_key: str
    secrecy_threshold: int = 11

    @classmethod
    def from_config(cls, config) -> "ExportSettings":
        return cls(config["EXPORT_PSEUDONYM_KEY"], config["REPORTING_SECRECY_THRESHOLD"])


def pseudonym(beneficiary_id: int, key: str) -> str:
    """A stable id for a person that only the holder of the key can link to their file."""
    digest = hmac.new(key.encode(), f"beneficiary:{beneficiary_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:20]


class Pseudonyms:
    """pseudonym() for many rows: the keyed hash prepared once, each person hashed once."""

    def __init__(self, key: str, remember: int = 200_000):
        self._base = hmac.new(key.encode(), digestmod=hashlib.sha256)
        self._known: dict[int, str] = {}
        self._remember = remember

    def __call__(self, beneficiary_id: int) -> str:
        found = self._known.get(beneficiary_id)
        if found is None:
            digest = self._base.copy()
            digest.update(f"beneficiary:{beneficiary_id}".encode())
            found = digest.hexdigest()[:20]
            if len(self._known) < self._remember:
                self._known[beneficiary_id] = found
        return found


def euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(int(cents)).scaleb(-2)


def _stream(statement) -> Iterator:
    """Rows straight from the driver, fetched in batches (a server-side cursor on PostgreSQL)."""
    # Options for this statement only: Connection.execution_options would set them on the
    # session's connection for the rest of its transaction (every later UPDATE a cursor).
    result = db.session.connection().execute(
        statement, execution_options={"stream_results": True, "yield_per": STREAM_BATCH}
    )
    for batch in result.partitions():
        yield from batch


_ORDINAL_OF_EPOCH = date(1970, 1, 1).toordinal()


def _day(number):
    return None if number is None else date.fromordinal(int(number) + _ORDINAL_OF_EPOCH)


def _same(value):
    return value


def _text(column):
    """An enum column read as its stored text: no conversion per row."""
    return type_coerce(column, String)


PERSON_FIELDS = (
    Field("beneficiary", "Bénéficiaire (identifiant pseudonyme)", "string",
          "Empreinte HMAC-SHA256 de la fiche : la même d'un export à l'autre, sans lien au nom.", required=True),
    Field("age_band", "Tranche d'âge au début de la location", "string", enum=AGE_BANDS, required=True),
    Field("prescriber_kind", "Type de prescripteur", "string", enum=tuple(k.value for k in PrescriberKind), required=True),
    Field("mission_locale", "Suivi par une Mission locale", "boolean", required=True),
)
CATEGORIES = tuple(c.value for c in VehicleCategory)
PURPOSES = tuple(p.value for p in Purpose)
RESULTS = tuple(r.value for r in OutcomeResult)
STATUSES = tuple(s.value for s in BookingStatus)

BOOKING_FIELDS = (
    *PERSON_FIELDS,
    Field("basin", "Bassin d'emploi", "string", required=True),
    Field("purpose", "Motif", "string", enum=PURPOSES, required=True),
    Field("category", "Catégorie de véhicule", "string", enum=CATEGORIES, required=True),
    Field("association", "Association", "string", required=True),
    Field("site", "Site de retrait", "string", required=True),
    Field("requested_on", "Date de la demande", "date", required=True),
    Field("starts_on", "Premier jour", "date", required=True),
    Field("ends_on", "Dernier jour", "date", required=True),
    Field("days", "Jours de location", "integer", required=True),
    Field("price_eur", "Prix (euros)", "number", required=True),
    Field("status", "Statut", "string", enum=STATUSES, required=True),
    Field("outcome_at_end", "Suite à la fin de la location", "string", enum=RESULTS),
    Field("outcome_after_3_months", "Suite à 3 mois", "string", enum=RESULTS),
    Field("outcome_after_6_months", "Suite à 6 mois", "string", enum=RESULTS),
)


def _person_columns():
    """Who, without saying who: the file id (hashed after), birth date (banded after), kind."""
    return (
        Booking.beneficiary_id,
        Beneficiary.birth_date,
        prescriber_kind_of(Prescriber).label("prescriber_kind"),
        Prescriber.is_mission_locale,
    )


def _bookings_in(statement, filters: Filters):
    starts, ends = day_span(filters.date_from, filters.date_to)
    statement = (
        statement.select_from(Booking)
        .join(Beneficiary, Beneficiary.id == Booking.beneficiary_id)
        .join(Prescriber, Prescriber.id == Beneficiary.organisation_id)
        .join(EmploymentBasin, EmploymentBasin.id == Booking.basin_id)
        .where(Booking.starts_at >= starts, Booking.starts_at < ends)
    )
    if filters.association_id is not None:
        statement = statement.where(Booking.association_id == filters.association_id)
    if filters.prescriber_id is not None:
        statement = statement.where(Beneficiary.organisation_id == filters.prescriber_id)
    if filters.basin_id is not None:
        statement = statement.where(Booking.basin_id == filters.basin_id)
    if filters.category is not None:
        statement = statement.where(Booking.category == filters.category)
    if filters.prescriber_kind is not None:
        statement = statement.where(prescriber_kind_of(Prescriber) == filters.prescriber_kind.value)
    return statement


def _names(statement) -> dict:
    """A small reference table (basins, organisations, vehicles' sites) as id -> value."""
    return dict(db.session.execute(statement).all())


@dataclass(frozen=True)
class Cells:
    """How a row source writes each kind of value for one format. Sources that take it
    (`rendered`) convert each distinct value once and hand out ready cells; plain iteration
    gives typed values (dates, Decimals, booleans, None)."""

    date: Callable[[date], object] = _same
    number: Callable[[Decimal], object] = _same
    boolean: Callable[[bool], object] = _same
    text: Callable[[str], object] = _same
    missing: object = None


TYPED = Cells()


class BookingRows:
    """The bookings export's rows: iterate for typed values, or ask `rendered(cells)` for
    rows ready for one format. Both come from the same query, run when iteration starts."""

    def __init__(self, filters: Filters, settings: ExportSettings):
        self.filters, self.settings = filters, settings

    def __iter__(self) -> Iterator[tuple]:
        return self.rendered(TYPED)

    def rendered(self, cells: Cells) -> Iterator[tuple]:
        return _booking_rows(self.filters, self.settings, cells)


def booking_rows(filters: Filters, settings: ExportSettings) -> BookingRows:
    """One row per booking, in (start, id) order."""
    return BookingRows(filters, settings)


def _outcomes_by_booking():
    """The three checkpoints' results side by side, one row per booking that has any."""
    return (
        select(
            Outcome.booking_id,
            *(
                func.max(case((Outcome.checkpoint == checkpoint, cast(Outcome.result, String)))).label(checkpoint.name.lower())
                for checkpoint in OutcomeCheckpoint
            ),
        )
        .group_by(Outcome.booking_id)
        .subquery("outcomes")
    )


def _booking_rows(filters: Filters, settings: ExportSettings, cells: Cells) -> Iterator[tuple]:
    """The big query reads ids, raw values and day keys only; the few basins, organisations and
    sites are read once into dicts of ready cells, and every value that repeats (people, days,
    prices, vocabularies) is converted once, so each row costs a few dict lookups."""
    text, missing = cells.text, cells.missing
    basins = {id_: text(name) for id_, name in db.session.execute(select(EmploymentBasin.id, EmploymentBasin.name))}
    organisations = {id_: text(name) for id_, name in db.session.execute(select(Organisation.id, Organisation.name))}
    kinds, kind_cells = {}, {}
    for id_, kind, mission_locale in db.session.execute(
        select(Prescriber.id, prescriber_kind_of(Prescriber), Prescriber.is_mission_locale)
    ):
        kinds[id_] = kind
        kind_cells[id_] = (text(kind), cells.boolean(bool(mission_locale)))
    sites = {
        id_: text(name) for id_, name in db.session.execute(select(Vehicle.id, Site.name).join(Site, Site.id == Vehicle.site_id))
    }
    vocabulary = {value: text(value) for value in (*PURPOSES, *CATEGORIES, *STATUSES, *RESULTS, *AGE_BANDS)}
    vocabulary[None] = missing
    outcomes = _outcomes_by_booking()
    statement = (
        select(
            Booking.beneficiary_id,
            type_coerce(Beneficiary.birth_date, NullType),
            Beneficiary.organisation_id,
            Booking.basin_id,
            _text(Booking.purpose),
            _text(Booking.category),
            Booking.association_id,
            Booking.vehicle_id,
            paris_day_key(Booking.created_at),
            paris_day_key(Booking.starts_at),
            paris_day_key(Booking.ends_at),
            Booking.days,
            Booking.price_cents,
            _text(Booking.status),
            *(outcomes.c[checkpoint.name.lower()] for checkpoint in OutcomeCheckpoint),
        )
        .select_from(Booking)
        .join(Beneficiary, Beneficiary.id == Booking.beneficiary_id)
        .outerjoin(outcomes, outcomes.c.booking_id == Booking.id)
    )
    statement = _booking_filters(statement, filters, kinds).order_by(Booking.starts_at, Booking.id)
    named = Pseudonyms(settings.pseudonym_key)
    people: dict[int, tuple] = {}
    days = _Memo(paris_day_of_key)
    day_cells = _Memo(lambda key: cells.date(days(key)))
    prices = _Memo(lambda cents: cells.number(euros(cents)))
    for (person, birth, prescriber, basin, purpose, category, association, vehicle,
         requested, starts, ends, length, price, status, at_end, after_3, after_6) in _stream(statement):
        who = people.get(person)
        if who is None:
            who = (text(named(person)), _as_date(birth))
            if len(people) < 200_000:
                people[person] = who
        first_day = days(starts)
        kind, mission_locale = kind_cells[prescriber]
        yield (
            who[0], vocabulary[age_band_of(who[1], first_day)],
            kind, mission_locale, basins[basin], vocabulary[purpose], vocabulary[category],
            organisations[association], sites[vehicle], day_cells(requested), day_cells(starts), day_cells(ends),
            length, prices(price), vocabulary[status], vocabulary[at_end], vocabulary[after_3], vocabulary[after_6],
        )


class _Memo(dict):
    """A one-argument conversion remembered per value: dates and prices repeat a lot."""

    def __init__(self, convert):
        super().__init__()
        self._convert = convert

    def __missing__(self, value):
        converted = self._convert(value)
        if len(self) < 200_000:
            self[value] = converted
        return converted

    __call__ = dict.__getitem__


def _booking_filters(statement, filters: Filters, kinds: dict):
    """The period and filters of `_bookings_in`, without joining the small tables."""
    starts, ends = day_span(filters.date_from, filters.date_to)
    statement = statement.where(Booking.starts_at >= starts, Booking.starts_at < ends)
    if filters.association_id is not None:
        statement = statement.where(Booking.association_id == filters.association_id)
    if filters.prescriber_id is not None:
        statement = statement.where(Beneficiary.organisation_id == filters.prescriber_id)
    if filters.basin_id is not None:
        statement = statement.where(Booking.basin_id == filters.basin_id)
    if filters.category is not None:
        statement = statement.where(Booking.category == filters.category)
    if filters.prescriber_kind is not None:
        wanted = [id_ for id_, (kind, _ml) in kinds.items() if kind == filters.prescriber_kind.value]
        statement = statement.where(Beneficiary.organisation_id.in_(wanted or [-1]))
    return statement


def _as_date(value) -> date:
    # Core rows bring DATE columns as dates (PostgreSQL) or processed by the Date type (SQLite).
    return value if isinstance(value, date) else date.fromisoformat(value)


OUTCOME_FIELDS = (
    *PERSON_FIELDS,
    Field("basin", "Bassin d'emploi", "string", required=True),
    Field("purpose", "Motif", "string", enum=PURPOSES, required=True),
    Field("category", "Catégorie de véhicule", "string", enum=CATEGORIES, required=True),
    Field("starts_on", "Premier jour de la location", "date", required=True),
    Field("checkpoint", "Moment", "string", enum=tuple(c.value for c in OutcomeCheckpoint), required=True),
    Field("result", "Suite", "string", enum=RESULTS, required=True),
    Field("positive", "Suite positive (emploi, formation, solution de mobilité)", "boolean", required=True),
    Field("recorded_on", "Date de saisie", "date", required=True),
)


def outcome_rows(filters: Filters, settings: ExportSettings) -> Iterator[tuple]:
    statement = select(
        *_person_columns(), EmploymentBasin.name, _text(Booking.purpose), _text(Booking.category), paris_day(Booking.starts_at),
        _text(Outcome.checkpoint), _text(Outcome.result), Outcome.recorded_on,
    )
    statement = (
        _bookings_in(statement, filters)
        .join(Outcome, Outcome.booking_id == Booking.id)
        .where(Booking.status.in_(RENTAL_STATUSES))
        .order_by(Booking.starts_at, Booking.id, Outcome.checkpoint)
    )
    named = Pseudonyms(settings.pseudonym_key)
    positive = {result.value for result in indicators.POSITIVE_RESULTS}
    for person, birth, kind, ml, basin, purpose, category, starts, checkpoint, result, recorded in _stream(statement):
        first_day = _day(starts)
        yield (
            named(person), age_band_of(_as_date(birth), first_day), kind, bool(ml), basin, purpose, category, first_day,
            checkpoint, result, result in positive, _as_date(recorded),
        )


SERVED_FIELDS = (
    Field("basin", "Bassin d'emploi", "string", required=True),
    Field("age_band", "Tranche d'âge", "string", enum=AGE_BANDS, required=True),
    Field("prescriber_kind", "Type de prescripteur", "string", enum=tuple(k.value for k in PrescriberKind), required=True),
    Field("category", "Catégorie de véhicule", "string", enum=CATEGORIES, required=True),
    Field("people", "Personnes", "integer", "Personnes distinctes ayant eu au moins une location.", required=True),
    Field("rentals", "Locations", "integer", required=True),
    Field("days", "Jours de location", "integer", required=True),
)


def served_rows(filters: Filters, settings: ExportSettings) -> Iterator[tuple]:
    """Beneficiaries served, aggregated: no row describes one person."""
    band = age_band_on(paris_day(Booking.starts_at))
    kind = prescriber_kind_of(Prescriber)
    statement = select(
        EmploymentBasin.name.label("basin"), band.label("band_key"), kind.label("kind_key"), Booking.category,
        func.count(func.distinct(Booking.beneficiary_id)), func.count(Booking.id), func.sum(Booking.days),
    )
    statement = (
        _bookings_in(statement, filters)
        .where(Booking.status.in_(RENTAL_STATUSES))
        .group_by(EmploymentBasin.name, literal_column("band_key"), literal_column("kind_key"), Booking.category)
        .order_by(EmploymentBasin.name, literal_column("band_key"), literal_column("kind_key"), Booking.category)
    )
    for basin, band_value, kind_value, category, people, rentals, days in db.session.execute(statement):
        yield basin, band_value, kind_value, category.value, int(people), int(rentals), int(days or 0)


FLEET_FIELDS = (
    Field("plate", "Immatriculation", "string", required=True),
    Field("association", "Association", "string", required=True),
    Field("site", "Site", "string", required=True),
    Field("category", "Catégorie de véhicule", "string", enum=CATEGORIES, required=True),
    Field("month", "Mois (AAAA-MM)", "string", required=True),
    Field("booked_days", "Jours réservés", "integer", required=True),
    Field("bookable_days", "Jours disponibles (hors indisponibilités)", "integer", required=True),
    Field("use_rate", "Taux d'utilisation", "number", "Jours réservés / jours disponibles."),
)


def fleet_rows(filters: Filters, settings: ExportSettings) -> Iterator[tuple]:
    statement, booked, bookable, bucket = indicators.vehicle_days(filters, Breakdown.MONTH)
    statement = (
        statement.with_only_columns(
            Vehicle.plate, Association.name, Site.name, Vehicle.category, bucket.c.period, booked, bookable
        )
        .join(Association, Association.id == Vehicle.association_id)
        .order_by(Association.name, Vehicle.plate, bucket.c.period)
    )
    for plate, association, site, category, month, booked_days, bookable_days in _stream(statement):
        booked_days, bookable_days = int(booked_days), int(bookable_days)
        rate = round(Decimal(booked_days) / bookable_days, 4) if bookable_days else None
        yield plate, association, site, category.value, period_iso(Breakdown.MONTH, int(month)), booked_days, bookable_days, rate


PUBLIC_SERVED_FIELDS = (
    Field("basin", "Bassin d'emploi", "string", required=True),
    *(Field(f"people_{band}", f"Personnes, {band} ans", "integer", "« s » : secret statistique.") for band in AGE_BANDS),
    Field("people_total", "Personnes, tous âges", "integer", "« s » : secret statistique."),
)


def public_served_rows(filters: Filters, settings: ExportSettings) -> Iterator[tuple]:
    """People served by basin and age band, small counts masked (None) with their totals."""
    table = indicators.rentals_crosstab(filters, Breakdown.BASIN, Breakdown.AGE_BAND, "people", AGE_BANDS)
    if not table.cells:  # nobody served in the period: a total row of zeros, one per band
        yield ("Total", *(0 for _ in AGE_BANDS), 0)
        return
    protected = protect(table.cells, settings.secrecy_threshold)
    for label, cells, total in zip(table.row_labels, protected.cells, protected.row_totals):
        yield (label, *cells, total)
    yield ("Total", *protected.column_totals, protected.total)


EXPORTS = {
    export.name: export
    for export in (
        Export("locations", "Locations", "Une ligne par location commençant dans la période, sans nom ni contact.",
               BOOKING_FIELDS, booking_rows),
        Export("beneficiaires-servis", "Bénéficiaires servis (agrégés)",
               "Personnes, locations et jours par bassin, tranche d'âge, type de prescripteur et catégorie.",
               SERVED_FIELDS, served_rows),
        Export("utilisation-flotte", "Utilisation de la flotte par véhicule et par mois",
               "Jours réservés et jours disponibles (hors indisponibilités) de chaque véhicule en service.",
               FLEET_FIELDS, fleet_rows),
        Export("suites", "Suites des locations",
               "Une ligne par suite enregistrée (fin de location, 3 mois, 6 mois), sans nom ni contact.",
               OUTCOME_FIELDS, outcome_rows),
        Export("beneficiaires-servis-public", "Bénéficiaires servis, version publique",
               "Personnes par bassin et tranche d'âge ; secret statistique : « s » sous le seuil.",
               PUBLIC_SERVED_FIELDS, public_served_rows, public=True, missing="s"),
    )
}
