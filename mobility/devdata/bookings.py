"""Demonstration bookings: tariffs, ten more people followed by referent@demo.test, and
rentals in every status, so that every page has something to show (idempotent).

Dates are relative to the day of the seed, so the demo stays alive. Rentals that are still
running or to come go through the booking services (with `now` set back to the day they were
asked for, where they started in the past); finished ones are history, which the services
refuse to write (past dates): they are inserted directly, each with the log of moves that the
lifecycle table allows, and checked against that table. The database guards hold either way:
a history rental is never holding, and it is put on a vehicle that had nothing else then.

People are visibly demo placeholders ("Bénéficiaire Démo 06"): the project invents no identities.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, select

from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.booking import services
from mobility.booking.eligibility import NotEligible, Purpose
from mobility.booking.lifecycle import TRANSITIONS, Action
from mobility.booking.models import (
    Booking,
    BookingStatus,
    BookingTransition,
    Handover,
    HandoverKind,
    OutcomeCheckpoint,
    OutcomeResult,
    PaymentKind,
    PaymentMethod,
    Tariff,
    local,
)
from mobility.booking.pricing import DEMO_TARIFFS, quote
from mobility.core.time import PARIS, utcnow
from mobility.extensions import db
from mobility.fleet.opening_hours import public_holiday_in_france
from mobility.fleet.models import (
    OdometerReading,
    Site,
    Unavailability,
    Vehicle,
    VehicleCategory,
    VehicleStatus,
)
from mobility.territory.models import Commune

CAR, VSP = VehicleCategory.CAR, VehicleCategory.VSP
REFERENT_EMAIL = "referent@demo.test"
ADMIN_EMAIL = "admin@demo.test"
PICKUP, RETURN = time(9, 0), time(17, 0)
# Kilometres a demo rental adds per day when the vehicle's readings say nothing better.
KM_PER_DAY = 35


@dataclass(frozen=True)
class DemoPerson:
    """A file followed by referent@demo.test; checks are counted back from the seed day."""

    label: str
    commune_insee: str
    birth_date: date
    licence_b: str | None  # "valid", "expired" or None
    am_licence: bool = False
    rsa_checked_days_ago: int = 20
    what: str = ""  # the situation it shows, for whoever reads this table


# Files 01-05 come with mobility/demo.py; these add the situations the pages need.
PEOPLE = (
    DemoPerson("06", "45147", date(1994, 5, 3), "valid", what="car: in progress, extension pending"),
    DemoPerson("07", "45068", date(1981, 10, 21), "valid", what="car: in progress and overdue"),
    DemoPerson("08", "45053", date(1988, 2, 9), "valid", what="car: confirmed, starts in 3 days"),
    DemoPerson("09", "45191", date(1998, 7, 30), "valid", what="car: approved, awaits the association"),
    DemoPerson("10", "45284", date(2002, 12, 1), "valid", what="car: cancelled, now in the queue"),
    DemoPerson("11", "45208", date(1971, 4, 2), None, what="VSP only: born before 1988, no licence"),
    DemoPerson("12", "45155", date(1999, 2, 14), None, am_licence=True, what="VSP only: AM licence"),
    DemoPerson("13", "45232", date(1990, 9, 8), None, what="nothing: born 1990, no AM, no B"),
    DemoPerson("14", "45234", date(1984, 11, 30), "expired", what="licence expired: VSP only"),
    DemoPerson("15", "45252", date(1976, 6, 17), "valid", rsa_checked_days_ago=45, what="car: history only"),
)


@dataclass(frozen=True)
class LiveRental:
    """A rental running or to come, made through the services (days relative to the seed day)."""

    person: str
    category: VehicleCategory
    first_day: int
    last_day: int
    asked_day: int
    purpose: Purpose
    purpose_detail: str | None = None
    by_person: bool = False  # asked by the person (requested) rather than prescribed (approved)
    confirmed_day: int | None = None
    checked_out: bool = False
    extension_to: int | None = None  # a pending extension up to that day
    cancelled: tuple[int, str] | None = None  # (day, reason)
    queue: tuple[int, int] | None = None  # then waits in the queue for (first day, last day)


LIVE = (
    LiveRental(
        "06",
        CAR,
        -6,
        8,
        -9,
        Purpose.JOB,
        "CDD de 6 mois dans la logistique (démonstration)",
        confirmed_day=-8,
        checked_out=True,
        extension_to=15,
    ),
    LiveRental("07", CAR, -12, -2, -16, Purpose.TRAINING, confirmed_day=-14, checked_out=True),
    LiveRental(
        "08",
        CAR,
        3,
        7,
        -2,
        Purpose.JOB_INTERVIEW,
        "Entretien dans une entreprise de démonstration",
        confirmed_day=-1,
    ),
    LiveRental("09", CAR, 10, 24, -1, Purpose.JOB),
    LiveRental(
        "01", CAR, 14, 18, 0, Purpose.JOB_INTERVIEW, "Entretien d'embauche (démonstration)", by_person=True
    ),
    LiveRental(
        "10",
        CAR,
        20,
        30,
        -5,
        Purpose.TRAINING,
        cancelled=(-3, "La formation est reportée : nous referons la demande."),
        queue=(35, 45),
    ),
)


@dataclass(frozen=True)
class Step:
    """One move of a finished rental: who made it ("person", "referent", "fleet", None for the
    service itself), on which day (relative to the seed day) and at what hour."""

    action: Action
    day: int
    hour: int
    actor: str | None
    reason: str | None = None


@dataclass(frozen=True)
class PastRental:
    person: str
    category: VehicleCategory
    first_day: int
    last_day: int
    purpose: Purpose
    steps: tuple[Step, ...]
    purpose_detail: str | None = None
    outcomes: tuple[tuple[OutcomeCheckpoint, OutcomeResult, int], ...] = ()  # (checkpoint, result, day)
    damage_notes: str | None = None


def _prescribed_and_returned(first: int, last: int) -> tuple[Step, ...]:
    return (
        Step(Action.PRESCRIBE, first - 5, 10, "referent"),
        Step(Action.CONFIRM, first - 3, 11, "fleet"),
        Step(Action.CHECK_OUT, first, 9, "fleet"),
        Step(Action.RETURN, last, 17, "fleet"),
    )


AT_END, AFTER_3, AFTER_6 = (
    OutcomeCheckpoint.AT_END,
    OutcomeCheckpoint.AFTER_3_MONTHS,
    OutcomeCheckpoint.AFTER_6_MONTHS,
)
R = OutcomeResult

PAST = (
    PastRental(
        "01",
        CAR,
        -140,
        -136,
        Purpose.JOB_INTERVIEW,
        (
            Step(Action.SUBMIT, -150, 10, "person"),
            Step(
                Action.REJECT,
                -149,
                14,
                "referent",
                "Le rendez-vous avec l'employeur n'est pas confirmé : parlons-en au prochain entretien.",
            ),
        ),
        purpose_detail="Entretien d'embauche (démonstration)",
    ),
    PastRental(
        "01",
        CAR,
        -88,
        -85,
        Purpose.JOB_SEARCH,
        (
            Step(Action.SUBMIT, -95, 18, "person"),
            Step(Action.EXPIRE, -92, 18, None),
        ),
    ),
    PastRental(
        "01",
        CAR,
        -45,
        -41,
        Purpose.JOB_INTERVIEW,
        (
            Step(Action.SUBMIT, -50, 9, "person"),
            Step(Action.APPROVE, -50, 15, "referent"),
            Step(Action.CONFIRM, -49, 10, "fleet"),
            Step(Action.CHECK_OUT, -45, 9, "fleet"),
            Step(Action.RETURN, -41, 17, "fleet"),
        ),
        purpose_detail="Entretien d'embauche (démonstration)",
        outcomes=((AT_END, R.OTHER_JOB, -38),),
    ),
    PastRental(
        "02",
        CAR,
        -230,
        -200,
        Purpose.JOB,
        _prescribed_and_returned(-230, -200),
        outcomes=((AT_END, R.OTHER_JOB, -198), (AFTER_3, R.OTHER_JOB, -105), (AFTER_6, R.DURABLE_JOB, -15)),
    ),
    PastRental(
        "03",
        VSP,
        -75,
        -45,
        Purpose.TRAINING,
        _prescribed_and_returned(-75, -45),
        outcomes=((AT_END, R.TRAINING, -44),),
    ),
    PastRental(
        "04",
        VSP,
        -120,
        -60,
        Purpose.JOB,
        _prescribed_and_returned(-120, -60),
        outcomes=((AT_END, R.TRAINING, -58),),
        damage_notes="Rétroviseur gauche fêlé, signalé par la personne au retour.",
    ),
    PastRental(
        "11",
        VSP,
        -40,
        -12,
        Purpose.JOB,
        _prescribed_and_returned(-40, -12),
        outcomes=((AT_END, R.DURABLE_JOB, -10),),
    ),
    PastRental(
        "12",
        VSP,
        -20,
        -15,
        Purpose.JOB_SEARCH,
        (
            Step(Action.PRESCRIBE, -25, 10, "referent"),
            Step(Action.CONFIRM, -22, 11, "fleet"),
            Step(
                Action.NO_SHOW,
                -20,
                11,
                "fleet",
                "Personne absente au rendez-vous et injoignable par téléphone.",
            ),
        ),
    ),
    PastRental(
        "14",
        CAR,
        -160,
        -130,
        Purpose.OTHER,
        _prescribed_and_returned(-160, -130),
        purpose_detail="Démarches pour créer une activité (démonstration)",
        outcomes=((AT_END, R.NONE, -129), (AFTER_3, R.OTHER_JOB, -38)),
    ),
    PastRental(
        "15",
        CAR,
        -60,
        -55,
        Purpose.JOB_INTERVIEW,
        (
            Step(Action.PRESCRIBE, -70, 10, "referent"),
            Step(Action.CONFIRM, -65, 11, "fleet"),
            Step(Action.CANCEL, -62, 16, "referent", "Entretien annulé par l'employeur."),
        ),
        purpose_detail="Entretien d'embauche (démonstration)",
    ),
    PastRental(
        "15",
        CAR,
        -30,
        -25,
        Purpose.JOB,
        _prescribed_and_returned(-30, -25),
        outcomes=((AT_END, R.MOBILITY_SOLUTION, -24),),
    ),
)


class _Seed:
    """What every scenario needs: the day, the demo accounts, the files by label."""

    def __init__(self, today: date):
        self.today = today
        real_now = utcnow()
        # Seeding for another day than today (tests): that day at noon is "now".
        self.now = real_now if local(real_now).date() == today else self.at(0, 12)
        self.referent = _user(REFERENT_EMAIL)
        self.admin = _user(ADMIN_EMAIL)
        self.fleet_by_association = {
            user.organisation_id: user
            for user in db.session.scalars(
                select(User).where(User.role == Role.FLEET, User.email.like("%@demo.test")).order_by(User.id)
            )
        }
        self.people: dict[str, Beneficiary] = {}

    def at(self, day: int, hour: int) -> datetime:
        return datetime.combine(self.today + timedelta(days=day), time(hour), tzinfo=PARIS)

    def on(self, day: int) -> date:
        return self.today + timedelta(days=day)

    def person(self, label: str) -> Beneficiary:
        if label not in self.people:
            self.people[label] = db.session.scalar(
                select(Beneficiary).where(
                    Beneficiary.first_name == "Bénéficiaire", Beneficiary.last_name == f"Démo {label}"
                )
            )
        return self.people[label]

    def fleet_user(self, booking: Booking) -> User:
        return self.fleet_by_association.get(booking.association_id) or self.admin

    def actor(self, who: str | None, booking: Booking) -> User | None:
        if who is None:
            return None
        if who == "person":
            return booking.beneficiary.user
        return self.referent if who == "referent" else self.fleet_user(booking)


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise RuntimeError(f"demo account {email} missing: mobility.devdata.demo.seed_demo creates it first")
    return user


def seed_bookings(today: date) -> dict[str, int]:
    """Create the demo tariffs, people and rentals that are missing; a second run changes nothing.

    Needs the demo accounts, files 01-05 and the demo fleet (mobility.devdata.demo.seed_demo).
    """
    seed = _Seed(today)
    tariffs = ensure_demo_tariffs(seed.admin.id)
    people = _seed_people(seed)
    db.session.flush()
    # A person's rentals are all there or none: a file that has any booking is left alone.
    fresh = [label for label in _labels(LIVE, PAST) if not _has_bookings(seed.person(label))]
    created = 0
    # Running and future rentals first: the history is then fitted around what they hold.
    for rental in (r for r in LIVE if r.person in fresh):
        created += _live(seed, rental) is not None
    for rental in (r for r in PAST if r.person in fresh):
        created += _past(seed, rental) is not None
    db.session.flush()
    return {"new_tariffs": tariffs, "new_people": people, "new_bookings": created}


def _labels(*tables) -> list[str]:
    labels: list[str] = []
    for table in tables:
        for rental in table:
            if rental.person not in labels:
                labels.append(rental.person)
    return labels


def _has_bookings(person: Beneficiary) -> bool:
    return db.session.scalar(select(exists().where(Booking.beneficiary_id == person.id)))


# Tariffs and people ------------------------------------------------------------------------


def ensure_demo_tariffs(created_by_id: int | None) -> int:
    """The demo tariffs (pricing.DEMO_TARIFFS) as Tariff rows, those missing only; how many added."""
    created = 0
    for rule in DEMO_TARIFFS:
        found = db.session.scalar(
            select(Tariff.id).where(
                Tariff.category == rule.category, Tariff.effective_on == rule.effective_on
            )
        )
        if found is None:
            db.session.add(
                Tariff(
                    category=rule.category,
                    effective_on=rule.effective_on,
                    daily_cents=rule.daily_cents,
                    weekly_cap_cents=rule.weekly_cap_cents,
                    monthly_cap_cents=rule.monthly_cap_cents,
                    deposit_cents=rule.deposit_cents,
                    created_by_id=created_by_id,
                )
            )
            created += 1
    db.session.flush()
    return created


def _seed_people(seed: _Seed) -> int:
    created = 0
    referent, today = seed.referent, seed.today
    for index, person in enumerate(PEOPLE):
        if seed.person(person.label) is not None:
            continue
        checked_on = today - timedelta(days=10 + 3 * index)
        if person.licence_b == "valid":
            issued, expires = (
                date(today.year - 6 - index, 4, 1 + index),
                date(today.year + 5 + index % 4, 4, 1 + index),
            )
        elif person.licence_b == "expired":
            issued, expires = today - timedelta(days=15 * 365 + 40), today - timedelta(days=40)
        else:
            issued = expires = None
        beneficiary = Beneficiary(
            first_name="Bénéficiaire",
            last_name=f"Démo {person.label}",
            birth_date=person.birth_date,
            phone=f"06 00 00 00 {person.label}",
            commune_insee=person.commune_insee,
            organisation=referent.organisation,
            referent=referent,
            rsa_checked_on=today - timedelta(days=person.rsa_checked_days_ago),
            rsa_checked_by=referent,
            has_am_licence=person.am_licence,
            licence_b_issued_on=issued,
            licence_b_expires_on=expires,
            driving_rights_checked_on=checked_on,
            driving_rights_checked_by=referent,
            cer_valid_until=today + timedelta(days=120 + 10 * index),
        )
        db.session.add(beneficiary)
        seed.people[person.label] = beneficiary
        created += 1
    return created


# Running and future rentals: through the services ------------------------------------------


def _open_offset(seed: _Seed, offset: int) -> int:
    """The nearest day the demo sites are open (Monday to Friday, not a public holiday): earlier
    for today and the past, later for the future, so that a rental running today still does."""
    step = -1 if offset <= 0 else 1
    while seed.on(offset).weekday() >= 5 or public_holiday_in_france(seed.on(offset)):
        offset += step
    return offset


def _on_open_days(seed: _Seed, rental: LiveRental) -> LiveRental:
    first = _open_offset(seed, rental.first_day)
    last = max(_open_offset(seed, rental.last_day), first)
    extension = _open_offset(seed, rental.extension_to) if rental.extension_to is not None else None
    if extension is not None and extension <= last:
        extension = None
    queue = rental.queue
    if queue is not None:
        queue_first = _open_offset(seed, queue[0])
        queue = (queue_first, max(_open_offset(seed, queue[1]), queue_first))
    return replace(rental, first_day=first, last_day=last, extension_to=extension, queue=queue)


def _live(seed: _Seed, rental: LiveRental) -> Booking | None:
    """The rental through the services; None when they refuse it (a demo database used for a while)."""
    rental = _on_open_days(seed, rental)
    person = seed.person(rental.person)
    actor = person.user if rental.by_person else seed.referent
    commune = db.session.get(Commune, person.commune_insee)
    details = services.RequestDetails(
        category=rental.category,
        basin_id=commune.basin_id,
        starts_on=seed.on(rental.first_day),
        ends_on=seed.on(rental.last_day),
        purpose=rental.purpose,
        purpose_detail=rental.purpose_detail,
        pickup_time=PICKUP,
        return_time=RETURN,
    )
    asked_at = seed.now if rental.asked_day == 0 else seed.at(rental.asked_day, 10)
    try:
        booking = services.request_booking(person, details, actor, now=asked_at)
    except (services.VehicleTaken, NotEligible, services.BookingError):
        return None
    moments = [asked_at]
    if rental.confirmed_day is not None:
        services.confirm(booking, seed.fleet_user(booking))
        moments.append(seed.at(rental.confirmed_day, 11))
    if rental.checked_out:
        fleet = seed.fleet_user(booking)
        checked_out_at = seed.at(rental.first_day, 9)
        km = (booking.vehicle.current_odometer_km or 0) + 12
        services.check_out(
            booking,
            services.HandoverDetails(
                odometer_km=km,
                fuel_eighths=8,
                bodywork_ok=True,
                tyres_ok=True,
                lights_ok=True,
                interior_ok=True,
                papers_in_vehicle=True,
                deposit_received=True,
                contract_signed=True,
                # The deposit ticked as received is its ledger entry, written by the check-out.
                deposit_method=PaymentMethod.CHEQUE,
                deposit_receipt_number=f"DEMO-{booking.reference}-1",
            ),
            fleet,
            now=checked_out_at,
        )
        moments.append(checked_out_at)
        booking.check_out.recorded_at = checked_out_at
    if rental.extension_to is not None:
        extension = services.request_extension(booking, seed.on(rental.extension_to), seed.referent)
        extension.requested_at = seed.at(-1, 15)
    if rental.cancelled is not None:
        day, reason = rental.cancelled
        services.cancel(booking, seed.referent, reason)
        moments.append(seed.at(day, 16))
    _date_the_log(booking, moments)
    if rental.queue is not None:
        first, last = rental.queue
        services.join_queue(
            person,
            services.RequestDetails(
                category=rental.category,
                basin_id=commune.basin_id,
                starts_on=seed.on(first),
                ends_on=seed.on(last),
                purpose=rental.purpose,
                pickup_time=PICKUP,
                return_time=RETURN,
            ),
            seed.referent,
            now=seed.now,
        )
    return booking


def _date_the_log(booking: Booking, moments: list[datetime]) -> None:
    """The services log each move when it runs; put each on the day the story says."""
    db.session.flush()
    log = db.session.scalars(
        select(BookingTransition)
        .where(BookingTransition.booking_id == booking.id)
        .order_by(BookingTransition.id)
    ).all()
    for transition, moment in zip(log, moments, strict=True):
        transition.occurred_at = moment


# History: written directly, checked against the lifecycle table ----------------------------


def _past(seed: _Seed, rental: PastRental) -> Booking | None:
    """The finished rental, written directly; None when no vehicle was free then."""
    person = seed.person(rental.person)
    starts_at, ends_at = seed.at(rental.first_day, PICKUP.hour), seed.at(rental.last_day, RETURN.hour)
    vehicle = _vehicle_free_in_history(rental.category, person, starts_at, ends_at)
    if vehicle is None:
        return None
    asked_at = seed.at(rental.steps[0].day, rental.steps[0].hour)
    tariff = _tariff_on(rental.category, asked_at.date())
    priced = quote(tariff.as_rule(), starts_at.date(), ends_at.date())
    booking = Booking(
        beneficiary=person,
        category=rental.category,
        basin_id=vehicle.site.basin_id,
        vehicle=vehicle,
        association_id=vehicle.association_id,
        starts_at=starts_at,
        ends_at=ends_at,
        days=priced.days,
        purpose=rental.purpose,
        purpose_detail=rental.purpose_detail,
        tariff_id=tariff.id,
        price_cents=priced.price_cents,
        deposit_cents=priced.deposit_cents,
        created_at=asked_at,
        updated_at=seed.at(rental.steps[-1].day, rental.steps[-1].hour),
    )
    # Check the whole story against the lifecycle table first: the row goes in with its final
    # status, never holding (an intermediate holding status would meet the live rentals).
    moves, status = [], None
    for step in rental.steps:
        rule = TRANSITIONS.get((status, step.action))
        actor = seed.actor(step.actor, booking)
        if (
            rule is None
            or (actor is None) != (not rule.roles)
            or (actor is not None and actor.role not in rule.roles)
        ):
            raise ValueError(
                f"demo history of file {rental.person}: {step.action.value} not allowed from {status}"
            )
        moves.append((step, status, rule.target, actor))
        status = rule.target
    _, _, first_status, first_actor = moves[0]
    booking.status = status
    booking.requested_by_id = first_actor.id if first_actor is not None else None
    if first_status == BookingStatus.REQUESTED:
        booking.expires_at = min(asked_at + timedelta(hours=72), starts_at)
    db.session.add(booking)
    for step, source, target, actor in moves:
        moment = seed.at(step.day, step.hour)
        db.session.add(
            BookingTransition(
                booking=booking,
                action=step.action.value,
                from_status=source,
                to_status=target,
                actor_id=actor.id if actor is not None else None,
                reason=step.reason,
                occurred_at=moment,
            )
        )
        if step.action in (Action.CHECK_OUT, Action.RETURN):
            _handover(seed, booking, step, moment, rental.damage_notes)
    db.session.flush()
    if any(step.action == Action.RETURN for step in rental.steps):
        _paid(seed, booking, rental)
        for checkpoint, result, day in rental.outcomes:
            services.record_outcome(booking, checkpoint, result, seed.referent, today=seed.on(day))
    return booking


def _vehicle_free_in_history(
    category: VehicleCategory, person: Beneficiary, starts_at: datetime, ends_at: datetime
) -> Vehicle | None:
    """A vehicle of the person's basin (their commune first) that nothing else had then."""
    commune = db.session.get(Commune, person.commune_insee)
    booked = select(Booking.id).where(
        Booking.vehicle_id == Vehicle.id, Booking.starts_at < ends_at, Booking.ends_at > starts_at
    )
    unavailable = select(Unavailability.id).where(
        Unavailability.vehicle_id == Vehicle.id,
        Unavailability.starts_at < ends_at,
        Unavailability.ends_at > starts_at,
    )
    return db.session.scalar(
        select(Vehicle)
        .join(Site, Site.id == Vehicle.site_id)
        .where(
            Vehicle.category == category,
            Vehicle.status != VehicleStatus.RETIRED,
            Site.basin_id == commune.basin_id,
            ~exists(booked),
            ~exists(unavailable),
        )
        .order_by((Site.commune_insee != person.commune_insee), Vehicle.plate)
        .limit(1)
    )


def _tariff_on(category: VehicleCategory, day: date) -> Tariff:
    """The tariff in force that day, or the first one for a day before any (an old demo day)."""
    rows = services.tariffs_of(category)
    in_force = [row for row in rows if row.effective_on <= day]
    return in_force[-1] if in_force else rows[0]


def _odometer_on(vehicle: Vehicle, day: date) -> int:
    """What the odometer showed that day, from the readings around it (linear in between)."""
    readings = db.session.execute(
        select(OdometerReading.read_on, OdometerReading.km)
        .where(OdometerReading.vehicle_id == vehicle.id)
        .order_by(OdometerReading.read_on, OdometerReading.km)
    ).all()
    if not readings:
        return 20000
    before = [r for r in readings if r.read_on <= day]
    after = [r for r in readings if r.read_on > day]
    if before and after:
        (d0, k0), (d1, k1) = before[-1], after[0]
        return k0 + (k1 - k0) * (day - d0).days // max(1, (d1 - d0).days)
    if after:
        d1, k1 = after[0]
        return max(0, k1 - KM_PER_DAY * (d1 - day).days)
    d0, k0 = before[-1]
    return k0 + KM_PER_DAY * (day - d0).days


def _handover(seed: _Seed, booking: Booking, step: Step, moment: datetime, damage_notes: str | None) -> None:
    checking_out = step.action == Action.CHECK_OUT
    day = moment.date()
    km = _odometer_on(booking.vehicle, day)
    if not checking_out:
        km = max(km, _odometer_on(booking.vehicle, booking.starts_at.date()) + 10 * booking.days)
    db.session.add(
        Handover(
            booking=booking,
            kind=HandoverKind.CHECK_OUT if checking_out else HandoverKind.RETURN,
            odometer_km=km,
            fuel_eighths=8 if checking_out else 5,
            bodywork_ok=checking_out or damage_notes is None,
            tyres_ok=True,
            lights_ok=True,
            interior_ok=True,
            papers_in_vehicle=True,
            damage_notes=None if checking_out else damage_notes,
            deposit_received=checking_out,
            contract_signed=checking_out,
            recorded_by_id=seed.fleet_user(booking).id,
            recorded_at=moment,
        )
    )


def _paid(seed: _Seed, booking: Booking, rental: PastRental) -> None:
    fleet = seed.fleet_user(booking)
    first, last = seed.on(rental.first_day), seed.on(rental.last_day)
    payments = [
        (PaymentKind.DEPOSIT, booking.deposit_cents, PaymentMethod.CHEQUE, first),
        (PaymentKind.RENTAL, booking.price_cents, PaymentMethod.CASH, last),
    ]
    if rental.damage_notes is None:
        payments.append((PaymentKind.DEPOSIT_REFUND, booking.deposit_cents, PaymentMethod.CHEQUE, last))
    for number, (kind, amount, method, day) in enumerate(payments, start=1):
        if amount > 0:
            services.record_payment(
                booking, kind, amount, method, day, f"DEMO-{booking.reference}-{number}", fleet
            )
