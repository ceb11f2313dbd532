"""A large, realistic data set for measuring the booking queries (flask --app wsgi seed-bench).

What it writes, around the day it runs:
- one association per employment basin, with a few sites in the basin's largest communes;
- vehicles (about 70 % cars, 30 % VSPs) spread over those sites;
- beneficiary files ("Bénéficiaire Banc 000123": placeholders, never real-looking names),
  one in ten with an account of its own, followed by one bench référent;
- bookings over the last four years and the next four months. Most are in the past, returned,
  the others cancelled, rejected, expired or no-show; the running ones are in progress; the
  ones to come are requested, approved or confirmed. The past takes whatever volume is asked;
  the future is what a fleet really holds ahead (a few rentals per vehicle), whatever the volume;
- the log of moves of every booking, as the lifecycle table allows them;
- a few unavailability periods, in the gaps between rentals.

Bookings that hold a vehicle never overlap on it, nor an unavailability (the database would
refuse them: this writes through the same constraints and triggers), and each person holds
at most one. Rows go in by bulk: executemany on SQLite, COPY on PostgreSQL.

It refuses a database that already holds bookings or beneficiary files, unless forced: it is
for bench and development databases only.

With `on_demo` (seed-bench --on-demo), the data goes to the demo organisations instead, over
the demo data (seed-demo first): the files are followed by referent@demo.test in the
Département, and each basin's vehicles, sites and bookings belong to the demo association
that serves it, so every demo account logs in to a Département with years of history.
"""

from __future__ import annotations

import math
import random
import time as clock
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, text

from mobility.auth.models import Organisation, OrganisationKind, Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.devdata.bookings import ensure_demo_tariffs
from mobility.booking.eligibility import Purpose
from mobility.booking.lifecycle import TRANSITIONS, Action
from mobility.booking.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    Tariff,
    local,
)
from mobility.booking.pricing import price_for
from mobility.core.time import PARIS, utcnow
from mobility.extensions import db
from mobility.fleet.models import (
    Energy,
    Gearbox,
    Site,
    Unavailability,
    UnavailabilityKind,
    Vehicle,
    VehicleCategory,
    VehicleOrigin,
    VehicleStatus,
)
from mobility.territory.models import Commune, EmploymentBasin

S = BookingStatus
HISTORY_DAYS = 4 * 365
HORIZON_DAYS = 120
SITES_PER_BASIN = 3
CAR_SHARE = 0.7
# Share of past bookings that never became a rental: cancelled, rejected, expired, no-show.
UNFULFILLED_SHARE = 0.15
PICKUP, RETURN = time(9, 0), time(17, 0)
MAX_DAYS = {VehicleCategory.CAR: 90, VehicleCategory.VSP: 180}
DOMAIN = "banc-essai.test"
PRESCRIBER_NAME = "Prescripteur banc d'essai"
REFERENT_EMAIL = f"referent@{DOMAIN}"

CARS = (("Renault", "Clio"), ("Peugeot", "208"), ("Dacia", "Sandero"), ("Citroën", "C3"), ("Toyota", "Yaris"))
VSPS = (("Aixam", "City"), ("Ligier", "JS50"), ("Microcar", "M.Go"), ("Citroën", "Ami"))
PURPOSES = (Purpose.JOB, Purpose.JOB_INTERVIEW, Purpose.TRAINING, Purpose.JOB_SEARCH, Purpose.OTHER)
PURPOSE_WEIGHTS = (45, 20, 20, 10, 5)

# How each final status was reached: the actions, in order. Checked against the lifecycle
# table when this module loads, so that the bench log never shows a move the service refuses.
PATHS: dict[BookingStatus, tuple[Action, ...]] = {
    S.REQUESTED: (Action.SUBMIT,),
    S.APPROVED: (Action.PRESCRIBE,),
    S.CONFIRMED: (Action.PRESCRIBE, Action.CONFIRM),
    S.IN_PROGRESS: (Action.PRESCRIBE, Action.CONFIRM, Action.CHECK_OUT),
    S.RETURNED: (Action.PRESCRIBE, Action.CONFIRM, Action.CHECK_OUT, Action.RETURN),
    S.REJECTED: (Action.SUBMIT, Action.REJECT),
    S.EXPIRED: (Action.SUBMIT, Action.EXPIRE),
    S.CANCELLED: (Action.PRESCRIBE, Action.CANCEL),
    S.NO_SHOW: (Action.PRESCRIBE, Action.CONFIRM, Action.NO_SHOW),
}
REASONS = {
    Action.REJECT: "Demande refusée (banc d'essai).",
    Action.CANCEL: "Location annulée (banc d'essai).",
    Action.NO_SHOW: "Personne absente au rendez-vous (banc d'essai).",
}


def _checked_paths() -> dict[BookingStatus, list[tuple[Action, BookingStatus | None, BookingStatus]]]:
    checked = {}
    for final, actions in PATHS.items():
        moves, status = [], None
        for action in actions:
            move = TRANSITIONS[(status, action)]
            moves.append((action, status, move.target))
            status = move.target
        if status != final:
            raise AssertionError(f"bench path for {final.value} ends in {status}")
        checked[final] = moves
    return checked


MOVES = _checked_paths()


class BenchRefused(Exception):
    """seed-bench will not write here; the message says why, in French and in English."""


@dataclass
class BenchFigures:
    vehicles: int = 0
    beneficiaries: int = 0
    accounts: int = 0
    bookings: int = 0
    holding: int = 0
    transitions: int = 0
    unavailabilities: int = 0
    seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)


def data_already_there() -> tuple[int, int]:
    """(bookings, beneficiary files) already in the database."""
    return (
        db.session.scalar(select(func.count(Booking.id))),
        db.session.scalar(select(func.count(Beneficiary.id))),
    )


def refuse_unless_empty(force: bool) -> None:
    bookings, files = data_already_there()
    if (bookings or files) and not force:
        raise BenchRefused(
            f"La base contient déjà {bookings} location(s) et {files} fiche(s) de bénéficiaire : "
            "seed-bench n'écrit que dans une base vide, de test ou de mesure. Ajoutez --force "
            "seulement si c'est bien une base de test.\n"
            f"The database already holds {bookings} booking(s) and {files} beneficiary file(s): "
            "seed-bench only writes to an empty test or bench database. Add --force only if this "
            "is one."
        )


# The plan: who rents what and when, before any row is written -------------------------------


@dataclass
class PlannedBooking:
    vehicle: int  # index in the vehicle plan
    first_day: int  # days from today, French dates
    last_day: int
    status: BookingStatus


@dataclass
class PlannedVehicle:
    basin_id: int
    site_id: int
    association_id: int
    category: VehicleCategory
    in_service: bool = True
    bookings: list[PlannedBooking] = field(default_factory=list)
    unavailable: list[tuple[int, int]] = field(default_factory=list)  # whole days, inclusive


class _Clock:
    """Day offsets to UTC moments (cached: there are a few thousand distinct ones at most)."""

    def __init__(self, today: date, now: datetime):
        self.today, self.now = today, now
        self._cache: dict[tuple[int, time], datetime] = {}

    def at(self, day: int, moment: time) -> datetime:
        key = (day, moment)
        if key not in self._cache:
            local = datetime.combine(self.today + timedelta(days=day), moment, tzinfo=PARIS)
            self._cache[key] = local.astimezone(UTC)
        return self._cache[key]

    def starts(self, booking: PlannedBooking) -> datetime:
        return self.at(booking.first_day, PICKUP)

    def ends(self, booking: PlannedBooking) -> datetime:
        return self.at(booking.last_day, RETURN)


def _future_status(first_day: int, rng: random.Random) -> BookingStatus:
    if first_day <= 3:
        return S.CONFIRMED
    if first_day <= 14:
        return S.CONFIRMED if rng.random() < 0.6 else S.APPROVED
    draw = rng.random()
    return S.APPROVED if draw < 0.55 else S.REQUESTED if draw < 0.75 else S.CONFIRMED


def _plan_vehicle(
    vehicle: PlannedVehicle, index: int, wanted: int, clock_: _Clock, rng: random.Random
) -> None:
    """The vehicle's rentals: the ones running and to come, then the past fills the rest."""
    longest = MAX_DAYS[vehicle.category]
    future: list[PlannedBooking] = []
    cursor = 1
    if vehicle.in_service:
        if rng.random() < 0.55:  # out with someone today
            first, last = -rng.randint(1, 10), rng.randint(0, 14)
            future.append(PlannedBooking(index, first, last, S.IN_PROGRESS))
            cursor = last + 1
        cursor += rng.randint(0, 4)
        quota = max(1, wanted // 4)
        while len(future) < quota:
            length = min(longest, rng.randint(2, 21))
            if cursor + length - 1 > HORIZON_DAYS:
                break
            future.append(PlannedBooking(index, cursor, cursor + length - 1, _future_status(cursor, rng)))
            # Further ahead, fewer rentals are already booked.
            gap = rng.randint(1, 6) + cursor // 10
            if rng.random() < 0.1 and gap >= 3:
                vehicle.unavailable.append((cursor + length + 1, cursor + length + gap - 1))
            cursor += length + gap
    # A straddling booking that has in fact ended (late evening) is history, not running.
    for booking in future:
        if booking.status == S.IN_PROGRESS and clock_.ends(booking) <= clock_.now:
            booking.status = S.RETURNED
    past_end = min((b.first_day for b in future), default=0) - 1
    past_start = -HISTORY_DAYS
    remaining = max(0, wanted - len(future))
    unfulfilled = round(remaining * UNFULFILLED_SHARE)
    rentals = remaining - unfulfilled
    window = past_end - past_start + 1
    if rentals > window:
        raise BenchRefused(
            f"Trop de locations pour si peu de véhicules : au plus {window} locations passées par véhicule "
            f"sur {HISTORY_DAYS // 365} ans.\nToo many bookings for so few vehicles: at most {window} past "
            f"rentals per vehicle over {HISTORY_DAYS // 365} years."
        )
    past: list[PlannedBooking] = []
    cycle = window / rentals if rentals else 0
    for number in range(rentals):
        first = past_start + math.floor(number * cycle)
        following = past_start + math.floor((number + 1) * cycle) if number + 1 < rentals else past_end + 1
        room = following - first
        length = max(1, min(room, longest, round(room * rng.uniform(0.4, 1.0))))
        past.append(PlannedBooking(index, first, first + length - 1, S.RETURNED))
        if room - length >= 4 and rng.random() < 0.03:
            vehicle.unavailable.append((first + length + 1, following - 2))
    # Requests that never became a rental: their period may meet a later rental (they stopped
    # holding the vehicle long before it was booked again).
    for _ in range(unfulfilled):
        first = rng.randint(past_start, -12)
        draw = rng.random()
        status = (
            S.CANCELLED
            if draw < 0.5
            else S.REJECTED
            if draw < 0.7
            else S.EXPIRED
            if draw < 0.9
            else S.NO_SHOW
        )
        past.append(PlannedBooking(index, first, first + rng.randint(0, 9), status))
    vehicle.bookings = past + future


# Writing ---------------------------------------------------------------------------------------


class _Encoder:
    """Values as the driver takes them, computed once per row, not per value at insert time.

    SQLite gets what SQLAlchemy's types would store (UTC times as naive ISO text, see
    core.types.UTCDateTime; dates as ISO text); PostgreSQL's COPY takes the Python values.
    Going through SQLAlchemy's type processing value by value doubles a 200,000-booking run.
    """

    def __init__(self, dialect: str):
        self.sqlite = dialect == "sqlite"

    def moment(self, value: datetime | None):
        if value is None or not self.sqlite:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def day(self, value: date | None):
        return value.isoformat() if value is not None and self.sqlite else value

    def flag(self, value: bool):
        return int(value) if self.sqlite else value


def _bulk_insert(table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """executemany on SQLite, COPY on PostgreSQL, in the session's transaction."""
    if not rows:
        return
    connection = db.session.connection()
    driver = connection.connection.driver_connection
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor = driver.cursor()
    try:
        cursor.executemany(
            f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})", rows  # table and column names come from the models, values are bound  # nosec B608
        )
    finally:
        cursor.close()


@contextmanager
def _large_cache():
    """On SQLite, a page cache big enough for the booking indexes while the rows go in."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MB
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _reset_sequences(*models) -> None:
    """PostgreSQL: ids were given explicitly, so move each sequence past them."""
    if db.session.connection().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__.name
        highest = f"(SELECT coalesce(max(id), 1) FROM {table})"  # table names come from the models, no input  # nosec B608
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {highest})"))


def _organisation(name: str, kind: OrganisationKind, basins: list[EmploymentBasin]) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind, is_mission_locale=False, basins=basins)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def _staff(email: str, name: str, role: Role, organisation: Organisation) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=name, role=role, organisation=organisation, password_hash=None)
        db.session.add(user)
        db.session.flush()
    return user


def _site(association: Organisation, basin: EmploymentBasin, number: int, commune: Commune) -> Site:
    name = f"Site banc d'essai {basin.name} {number}"
    site = db.session.scalar(select(Site).where(Site.association_id == association.id, Site.name == name))
    if site is None:
        site = Site(
            association=association,
            name=name,
            address=f"{number} place de la Gare (banc d'essai)",
            commune_insee=commune.insee_code,
            basin_id=basin.id,
            opening_hours="Du lundi au vendredi, 9 h – 17 h",
        )
        db.session.add(site)
        db.session.flush()
    return site


@dataclass
class _Setting:
    """The few rows made through the ORM, and what every bulk row refers to."""

    today: date
    now: datetime
    basins: list[EmploymentBasin]
    prescriber: Organisation
    referent: User
    fleet_staff: dict[int, User]  # association id -> user
    sites: list[Site]
    communes_by_basin: dict[int, list[Commune]]
    tariffs: dict[VehicleCategory, Tariff]


# The demo organisations that take the bench data with --on-demo (see devdata/demo.py).
DEMO_REFERENT_EMAIL = "referent@demo.test"
DEMO_ASSOCIATIONS = {
    "montargis": "gestion@demo.test",
    "gien": "gestion@demo.test",
    "orleans": "gestion-orleans@demo.test",
    "pithiviers": "gestion-orleans@demo.test",
}


def _demo_account(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise BenchRefused(
            f"Compte de démonstration {email} absent : lancez d'abord « flask --app wsgi seed-demo ».\n"
            f"Demo account {email} missing: run 'flask --app wsgi seed-demo' first."
        )
    return user


def _setting(today: date, now: datetime, on_demo: bool = False) -> _Setting:
    basins = EmploymentBasin.all_ordered()
    if not basins:
        raise BenchRefused(
            "Données de référence absentes : lancez d'abord « flask --app wsgi db upgrade ».\n"
            "Reference data missing: run 'flask --app wsgi db upgrade' first."
        )
    if on_demo:
        referent = _demo_account(DEMO_REFERENT_EMAIL)
        prescriber = referent.organisation
    else:
        prescriber = _organisation(PRESCRIBER_NAME, OrganisationKind.PRESCRIBER, basins)
        referent = _staff(REFERENT_EMAIL, "Référent banc d'essai", Role.REFERENT, prescriber)
    ensure_demo_tariffs(None)
    tariffs = {row.category: row for row in db.session.scalars(select(Tariff).order_by(Tariff.effective_on))}
    communes_by_basin: dict[int, list[Commune]] = defaultdict(list)
    for commune in db.session.scalars(
        select(Commune).order_by(Commune.population.desc(), Commune.insee_code)
    ):
        communes_by_basin[commune.basin_id].append(commune)
    fleet_staff, sites = {}, []
    for basin in basins:
        if on_demo and basin.code in DEMO_ASSOCIATIONS:
            staff = _demo_account(DEMO_ASSOCIATIONS[basin.code])
            association = staff.organisation
            fleet_staff[association.id] = staff
        else:
            association = _organisation(
                f"Association banc d'essai {basin.name}", OrganisationKind.ASSOCIATION, [basin]
            )
            fleet_staff[association.id] = _staff(
                f"gestion-{basin.code}@{DOMAIN}", f"Gestion banc d'essai {basin.name}", Role.FLEET, association
            )
        largest = communes_by_basin[basin.id][:SITES_PER_BASIN]
        sites += [
            _site(association, basin, number, commune) for number, commune in enumerate(largest, start=1)
        ]
    return _Setting(today, now, basins, prescriber, referent, fleet_staff, sites, communes_by_basin, tariffs)


def seed_bench(
    vehicle_count: int,
    booking_count: int,
    *,
    today: date | None = None,
    force: bool = False,
    random_seed: int = 2026,
    on_demo: bool = False,
) -> BenchFigures:
    """Write the bench data set (flushes, never commits). Raises BenchRefused.

    on_demo: over the demo data, in the demo organisations (the demo's own rows are kept)."""
    started = clock.perf_counter()
    if vehicle_count < 1 or booking_count < 0:
        raise BenchRefused("Il faut au moins un véhicule.\nAt least one vehicle is needed.")
    refuse_unless_empty(force or on_demo)
    rng = random.Random(random_seed)  # bench data, reproducible from a seed: no secret  # nosec B311
    now = utcnow()
    today = today or local(now).date()
    setting = _setting(today, now, on_demo)
    clock_ = _Clock(today, now)
    encode = _Encoder(db.session.connection().dialect.name)

    vehicles = []
    for number in range(vehicle_count):
        site = setting.sites[number % len(setting.sites)]
        category = VehicleCategory.CAR if rng.random() < CAR_SHARE else VehicleCategory.VSP
        vehicles.append(
            PlannedVehicle(site.basin_id, site.id, site.association_id, category, rng.random() > 0.01)
        )
    per_vehicle, extra = divmod(booking_count, vehicle_count)
    for index, vehicle in enumerate(vehicles):
        _plan_vehicle(vehicle, index, per_vehicle + (1 if index < extra else 0), clock_, rng)
    planned = sorted((b for v in vehicles for b in v.bookings), key=lambda b: (b.first_day, b.vehicle))

    figures = BenchFigures(vehicles=vehicle_count)
    people = _write_people(setting, vehicles, planned, encode, rng, figures)
    first_vehicle_id = _write_vehicles(setting, vehicles, encode, rng)
    with _large_cache():
        _write_bookings(setting, vehicles, planned, people, first_vehicle_id, clock_, encode, rng, figures)
    _write_unavailability(setting, vehicles, first_vehicle_id, clock_, encode, figures)
    _reset_sequences(User, Beneficiary, Vehicle, Booking, BookingTransition)
    db.session.flush()
    db.session.expire_all()
    figures.seconds = clock.perf_counter() - started
    return figures


@dataclass
class _People:
    """Per basin: files without an account and (file, account) pairs, in the order handed out."""

    without_account: dict[int, list[int]]
    with_account: dict[int, list[tuple[int, int]]]


USER_COLUMNS = (
    "id",
    "email",
    "full_name",
    "role",
    "organisation_id",
    "password_hash",
    "active",
    "session_version",
    "created_at",
)
BENEFICIARY_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "birth_date",
    "commune_insee",
    "organisation_id",
    "referent_id",
    "user_id",
    "rsa_checked_on",
    "rsa_checked_by_id",
    "licence_b_issued_on",
    "licence_b_expires_on",
    "has_am_licence",
    "driving_rights_checked_on",
    "driving_rights_checked_by_id",
    "cer_valid_until",
    "created_at",
    "updated_at",
    "last_contact_on",
)


def _write_people(
    setting: _Setting,
    vehicles: list[PlannedVehicle],
    planned: list[PlannedBooking],
    encode: _Encoder,
    rng: random.Random,
    figures: BenchFigures,
) -> _People:
    """Enough files in each basin for one holding booking each, and spare ones for the bench."""
    holding, asked, total = defaultdict(int), defaultdict(int), defaultdict(int)
    for booking in planned:
        basin_id = vehicles[booking.vehicle].basin_id
        total[basin_id] += 1
        holding[basin_id] += booking.status in (S.APPROVED, S.CONFIRMED, S.IN_PROGRESS)
        asked[basin_id] += booking.status == S.REQUESTED
    today, now = setting.today, encode.moment(setting.now)
    referent = setting.referent.id
    beneficiary_id, user_id = _next_id(Beneficiary), _next_id(User)
    user_rows, beneficiary_rows = [], []
    people = _People(defaultdict(list), defaultdict(list))
    for basin in setting.basins:
        accounts = max(asked[basin.id] + 20, total[basin.id] // 60)
        files = max(holding[basin.id] + accounts + 100, total[basin.id] // 6)
        communes = setting.communes_by_basin[basin.id]
        for number, commune in enumerate(rng.choices(communes, [c.population for c in communes], k=files)):
            account = None
            if number < accounts:
                account = user_id
                user_rows.append(
                    (
                        user_id,
                        f"beneficiaire-{beneficiary_id:06d}@{DOMAIN}",
                        f"Bénéficiaire Banc {beneficiary_id:06d}",
                        Role.BENEFICIARY.value,
                        setting.prescriber.id,
                        None,
                        encode.flag(True),
                        1,
                        now,
                    )
                )
                people.with_account[basin.id].append((beneficiary_id, user_id))
                user_id += 1
            else:
                people.without_account[basin.id].append(beneficiary_id)
            licence_b = rng.random() < 0.8
            issued = (
                date(rng.randint(1985, today.year - 1), rng.randint(1, 12), rng.randint(1, 28))
                if licence_b
                else None
            )
            beneficiary_rows.append(
                (
                    beneficiary_id,
                    "Bénéficiaire",
                    f"Banc {beneficiary_id:06d}",
                    None,
                    None,
                    encode.day(date(rng.randint(1962, 2004), rng.randint(1, 12), rng.randint(1, 28))),
                    commune.insee_code,
                    setting.prescriber.id,
                    referent,
                    account,
                    encode.day(today - timedelta(days=rng.randint(0, 60))),
                    referent,
                    encode.day(issued),
                    encode.day(today + timedelta(days=rng.randint(365, 3650)) if licence_b else None),
                    encode.flag(not licence_b and rng.random() < 0.3),
                    encode.day(today - timedelta(days=rng.randint(0, 300))),
                    referent,
                    encode.day(today + timedelta(days=rng.randint(30, 365))),
                    now,
                    now,
                    encode.day(today),
                )
            )
            beneficiary_id += 1
        rng.shuffle(people.without_account[basin.id])
        rng.shuffle(people.with_account[basin.id])
    _bulk_insert(User.__table__, USER_COLUMNS, user_rows)
    _bulk_insert(Beneficiary.__table__, BENEFICIARY_COLUMNS, beneficiary_rows)
    figures.beneficiaries, figures.accounts = len(beneficiary_rows), len(user_rows)
    return people


VEHICLE_COLUMNS = (
    "id",
    "association_id",
    "site_id",
    "plate",
    "make",
    "model",
    "category",
    "energy",
    "gearbox",
    "seats",
    "first_registered_on",
    "origin",
    "status",
    "insurance_expires_on",
    "technical_inspection_due_on",
    "created_at",
)


def _write_vehicles(
    setting: _Setting, vehicles: list[PlannedVehicle], encode: _Encoder, rng: random.Random
) -> int:
    first_id = vehicle_id = _next_id(Vehicle)
    today, rows = setting.today, []
    for vehicle in vehicles:
        car = vehicle.category == VehicleCategory.CAR
        make, model = rng.choice(CARS if car else VSPS)
        rows.append(
            (
                vehicle_id,
                vehicle.association_id,
                vehicle.site_id,
                f"BE-{vehicle_id:06d}",
                make,
                model,
                vehicle.category.value,
                (Energy.PETROL if car else Energy.DIESEL).value,
                (Gearbox.MANUAL if car and rng.random() < 0.7 else Gearbox.AUTOMATIC).value,
                5 if car else 2,
                encode.day(date(rng.randint(2008, today.year - 1), rng.randint(1, 12), rng.randint(1, 28))),
                (VehicleOrigin.CEDED if rng.random() < 0.15 else VehicleOrigin.PURCHASED).value,
                (VehicleStatus.ACTIVE if vehicle.in_service else VehicleStatus.MAINTENANCE).value,
                encode.day(today + timedelta(days=rng.randint(30, 365))),
                encode.day(today + timedelta(days=rng.randint(30, 700))),
                encode.moment(setting.now),
            )
        )
        vehicle_id += 1
    _bulk_insert(Vehicle.__table__, VEHICLE_COLUMNS, rows)
    return first_id


BOOKING_COLUMNS = (
    "id",
    "beneficiary_id",
    "requested_by_id",
    "category",
    "basin_id",
    "vehicle_id",
    "association_id",
    "starts_at",
    "ends_at",
    "held_from",
    "held_until",
    "days",
    "purpose",
    "purpose_detail",
    "status",
    "tariff_id",
    "price_cents",
    "deposit_cents",
    "expires_at",
    "created_at",
    "updated_at",
)
TRANSITION_COLUMNS = (
    "id",
    "booking_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "reason",
    "occurred_at",
)


def _write_bookings(
    setting: _Setting,
    vehicles: list[PlannedVehicle],
    planned: list[PlannedBooking],
    people: _People,
    first_vehicle_id: int,
    clock_: _Clock,
    encode: _Encoder,
    rng: random.Random,
    figures: BenchFigures,
) -> None:
    booking_id, transition_id = _next_id(Booking), _next_id(BookingTransition)
    booking_rows, transition_rows = [], []
    by_status: dict[str, int] = defaultdict(int)
    purposes = rng.choices(PURPOSES, PURPOSE_WEIGHTS, k=len(planned))
    encoded: dict[datetime, object] = {}

    def moment(value: datetime):
        if value not in encoded:
            encoded[value] = encode.moment(value)
        return encoded[value]

    for booking, purpose in zip(planned, purposes, strict=True):
        vehicle = vehicles[booking.vehicle]
        person, account = _person_for(booking, people, vehicle.basin_id, rng)
        starts_at, ends_at = clock_.starts(booking), clock_.ends(booking)
        days = booking.last_day - booking.first_day + 1
        tariff = setting.tariffs[vehicle.category]
        moves = MOVES[booking.status]
        moments = _moments(booking, starts_at, ends_at, clock_, rng)
        submitted = moves[0][0] == Action.SUBMIT
        fleet = setting.fleet_staff[vehicle.association_id].id
        booking_rows.append(
            (
                booking_id,
                person,
                account if submitted else setting.referent.id,
                vehicle.category.value,
                vehicle.basin_id,
                first_vehicle_id + booking.vehicle,
                vehicle.association_id,
                moment(starts_at),
                moment(ends_at),
                moment(starts_at),
                moment(ends_at),
                days,
                purpose.value,
                "Démarche vers l'emploi (banc d'essai)" if purpose == Purpose.OTHER else None,
                booking.status.value,
                tariff.id,
                _price(tariff, days),
                tariff.deposit_cents,
                moment(min(moments[0] + timedelta(hours=72), starts_at)) if submitted else None,
                moment(moments[0]),
                moment(moments[-1]),
            )
        )
        for (action, source, target), occurred_at in zip(moves, moments, strict=True):
            transition_rows.append(
                (
                    transition_id,
                    booking_id,
                    action.value,
                    source.value if source else None,
                    target.value,
                    _actor(action, setting.referent.id, fleet, account),
                    REASONS.get(action),
                    moment(occurred_at),
                )
            )
            transition_id += 1
        by_status[booking.status.value] += 1
        booking_id += 1
    _bulk_insert(Booking.__table__, BOOKING_COLUMNS, booking_rows)
    _bulk_insert(BookingTransition.__table__, TRANSITION_COLUMNS, transition_rows)
    figures.bookings, figures.transitions = len(booking_rows), len(transition_rows)
    figures.by_status = dict(sorted(by_status.items()))
    figures.holding = sum(by_status[s.value] for s in (S.REQUESTED, S.APPROVED, S.CONFIRMED, S.IN_PROGRESS))


def _person_for(
    booking: PlannedBooking, people: _People, basin_id: int, rng: random.Random
) -> tuple[int, int | None]:
    """(file, account): a holding booking takes a person of its own; a request needs an account."""
    without_account, with_account = people.without_account[basin_id], people.with_account[basin_id]
    if booking.status == S.REQUESTED:
        return with_account.pop()
    if booking.status in (S.APPROVED, S.CONFIRMED, S.IN_PROGRESS):
        return without_account.pop(), None
    if booking.status in (S.REJECTED, S.EXPIRED):
        if with_account:
            return rng.choice(with_account)
        booking.status = S.CANCELLED  # nobody left with an account: a prescription, cancelled
    return (rng.choice(without_account), None) if without_account else (rng.choice(with_account)[0], None)


UNAVAILABILITY_COLUMNS = (
    "vehicle_id",
    "starts_at",
    "ends_at",
    "kind",
    "reason",
    "created_by_id",
    "created_at",
)


def _write_unavailability(
    setting: _Setting,
    vehicles: list[PlannedVehicle],
    first_vehicle_id: int,
    clock_: _Clock,
    encode: _Encoder,
    figures: BenchFigures,
) -> None:
    rows = []
    for index, vehicle in enumerate(vehicles):
        for first, last in vehicle.unavailable:
            if last < first:
                continue
            rows.append(
                (
                    first_vehicle_id + index,
                    encode.moment(clock_.at(first, time(0))),
                    encode.moment(clock_.at(last + 1, time(0))),
                    (UnavailabilityKind.MAINTENANCE if first < 0 else UnavailabilityKind.REPAIR).value,
                    "Entretien (banc d'essai)",
                    setting.fleet_staff[vehicle.association_id].id,
                    encode.moment(setting.now),
                )
            )
    _bulk_insert(Unavailability.__table__, UNAVAILABILITY_COLUMNS, rows)
    figures.unavailabilities = len(rows)


_PRICES: dict[tuple[int, int], int] = {}


def _price(tariff: Tariff, days: int) -> int:
    key = (tariff.id, days)
    if key not in _PRICES:
        _PRICES[key] = price_for(tariff.as_rule(), days)
    return _PRICES[key]


def _actor(action: Action, referent: int, fleet: int, account: int | None) -> int | None:
    if action == Action.SUBMIT:
        return account
    if action == Action.EXPIRE:
        return None  # the service itself
    if action in (Action.PRESCRIBE, Action.APPROVE, Action.REJECT, Action.CANCEL):
        return referent
    return fleet


def _moments(
    booking: PlannedBooking, starts_at: datetime, ends_at: datetime, clock_: _Clock, rng: random.Random
) -> list[datetime]:
    """When each move of the booking's path happened: in order, and never after now."""
    latest = clock_.now - timedelta(minutes=5)
    if booking.status == S.REQUESTED:
        asked = clock_.now - timedelta(hours=rng.randint(1, 47))
    else:
        lead = timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
        asked = min(starts_at - lead, latest - timedelta(hours=2))
    moments = [asked]
    for action, _, _ in MOVES[booking.status][1:]:
        if action == Action.CHECK_OUT:
            moment = starts_at
        elif action == Action.RETURN:
            moment = ends_at
        elif action == Action.EXPIRE:
            moment = min(asked + timedelta(hours=72), starts_at)
        elif action == Action.NO_SHOW:
            moment = starts_at + timedelta(hours=2)
        else:  # approve, confirm, reject, cancel: between the request and the start
            moment = min(max(asked + (min(starts_at, latest) - asked) / 2, moments[-1]), latest)
        moments.append(moment)
    return moments
