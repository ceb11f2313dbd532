"""The queries of the booking home pages and the approval page: what each shows, in a fixed
number of queries. Every query starts from access.visible_bookings, the one scoping rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from mobility.auth.models import Role, User
from mobility.booking import access
from mobility.booking.models import (
    Booking,
    BookingStatus,
    Extension,
    ExtensionStatus,
    Outcome,
    OutcomeCheckpoint,
)
from mobility.booking.services import overdue_query
from mobility.core.paging import Page, fetch_page
from mobility.core.time import local, local_midnight, utcnow
from mobility.extensions import db
from mobility.fleet.models import Site, Vehicle

# --- The fleet home page (the lists themselves: listing.py) -----------------------------------


def _listed(user: User):
    """The user's visible bookings with what a home-page row shows, joined in the same statement
    (each row has one vehicle and one person: the joins add no rows, LIMIT stays right)."""
    return access.visible_bookings(user).options(joinedload(Booking.vehicle), joinedload(Booking.beneficiary))


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Today in France, from midnight to midnight."""
    today = local(now).date()
    return local_midnight(today), local_midnight(today + timedelta(days=1))


# The statuses fleet staff act on, in the order of their work, each a link to its filtered list.
FLEET_WORK = (BookingStatus.APPROVED, BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS)


def status_counts(user: User, statuses=FLEET_WORK) -> dict[BookingStatus, int]:
    """How many visible bookings are in each of these statuses, in one grouped query.

    Only statuses that hold a vehicle are counted this way: there are at most a few per
    vehicle, whatever the history (index booking(association_id, status, starts_at)).
    """
    rows = db.session.execute(
        access.visible_bookings(user)
        .where(Booking.status.in_(statuses))
        .with_only_columns(Booking.status, func.count(Booking.id))
        .group_by(Booking.status)
    )
    counts = dict.fromkeys(statuses, 0)
    counts.update({status: count for status, count in rows})
    return counts


# A home page shows the first few rows of each list, with a link to the whole list.
HOME_ITEMS = 10


@dataclass(frozen=True)
class FleetAgenda:
    """What the fleet home page puts first: late returns, today's handovers, what to confirm.

    Each is the first page (HOME_ITEMS rows) of an indexed query; `has_next` says there is more.
    """

    overdue: Page
    pickups_today: Page
    returns_today: Page
    to_confirm: Page
    counts: dict[BookingStatus, int]


def _first(query) -> Page:
    return fetch_page(query, page=1, per_page=HOME_ITEMS)


def fleet_agenda(user: User, now: datetime | None = None) -> FleetAgenda:
    now = now or utcnow()
    day_start, day_end = _day_bounds(now)
    base = _listed(user)
    association_id = user.organisation_id if user.role is Role.FLEET else None
    return FleetAgenda(
        overdue=_first(overdue_query(association_id, now)),
        pickups_today=_first(
            base.where(
                Booking.status.in_((BookingStatus.APPROVED, BookingStatus.CONFIRMED)),
                Booking.starts_at >= day_start,
                Booking.starts_at < day_end,
            ).order_by(Booking.starts_at, Booking.id)
        ),
        # Returns due later today; those whose time has passed are overdue, listed above.
        returns_today=_first(
            base.where(
                Booking.status == BookingStatus.IN_PROGRESS,
                Booking.ends_at > now,
                Booking.ends_at < day_end,
            ).order_by(Booking.ends_at, Booking.id)
        ),
        to_confirm=_first(
            base.where(Booking.status == BookingStatus.APPROVED).order_by(Booking.starts_at, Booking.id)
        ),
        counts=status_counts(user),
    )


# --- Référents' approval queue ---------------------------------------------------------------


def _visible_booking_ids(user: User):
    return access.visible_bookings(user).with_only_columns(Booking.id)


def _requests(user: User):
    """The requests waiting for a decision, oldest first, without their related rows."""
    return (
        access.visible_bookings(user)
        .where(Booking.status == BookingStatus.REQUESTED)
        .order_by(Booking.created_at, Booking.id)
    )


def requests_waiting(user: User):
    """The requests waiting for a decision, with their people (the home page's)."""
    return _requests(user).options(selectinload(Booking.beneficiary))


def requests_to_approve(user: User):
    """The same, with the vehicle and its site the approval page shows (a page of them):
    every one of them a many-to-one, joined in the list's own statement."""
    return _requests(user).options(
        joinedload(Booking.beneficiary),
        joinedload(Booking.vehicle).joinedload(Vehicle.site).joinedload(Site.commune),
    )


def pending_extensions(user: User) -> list[Extension]:
    return list(
        db.session.scalars(
            select(Extension)
            .where(
                Extension.status == ExtensionStatus.PENDING, Extension.booking_id.in_(_visible_booking_ids(user))
            )
            .options(joinedload(Extension.booking).joinedload(Booking.beneficiary))
            .order_by(Extension.requested_at, Extension.id)
        )
    )


def awaiting_decision_counts(user: User):
    """The two scalar subqueries of what waits for a référent's decision (requests, extensions),
    so that a page can read them in the same statement as its other counts."""
    requests = select(func.count()).select_from(
        access.visible_bookings(user).where(Booking.status == BookingStatus.REQUESTED).subquery()
    )
    extensions = select(func.count(Extension.id)).where(
        Extension.status == ExtensionStatus.PENDING, Extension.booking_id.in_(_visible_booking_ids(user))
    )
    return requests.scalar_subquery(), extensions.scalar_subquery()


def awaiting_decision(user: User) -> dict[str, int]:
    """For a référent's home page: how many requests and extensions wait for their decision."""
    requests, extensions = db.session.execute(select(*awaiting_decision_counts(user))).one()
    return {"requests": requests, "extensions": extensions}


# --- Outcomes to record ----------------------------------------------------------------------

# When each follow-up falls due after the end of the rental (services.due_checkpoints, in SQL).
CHECKPOINT_AFTER_DAYS = {
    OutcomeCheckpoint.AT_END: 0,
    OutcomeCheckpoint.AFTER_3_MONTHS: 90,
    OutcomeCheckpoint.AFTER_6_MONTHS: 182,
}


def outcomes_due(user: User, today: date, with_outcomes: bool = True):
    """Returned rentals with a follow-up to record now, oldest end first: filtered in SQL.

    A checkpoint is due once `today >= ends_on + N days`, i.e. the rental ended before the
    (local) midnight after `today - N days`, and no outcome holds it yet. The page reads its
    rows with their people joined and their outcomes in one selectin load, never the whole
    history.
    """

    def missing(checkpoint: OutcomeCheckpoint):
        return ~exists().where(Outcome.booking_id == Booking.id, Outcome.checkpoint == checkpoint)

    def ended_by(days: int):
        return Booking.ends_at < local_midnight(today - timedelta(days=days - 1))

    due = or_(
        *(
            missing(checkpoint) if days == 0 else and_(ended_by(days), missing(checkpoint))
            for checkpoint, days in CHECKPOINT_AFTER_DAYS.items()
        )
    )
    query = (
        access.visible_bookings(user)
        .where(Booking.status == BookingStatus.RETURNED, due)
        .options(joinedload(Booking.beneficiary))
        .order_by(Booking.ends_at, Booking.id)
    )
    # The outcomes say which checkpoints are due; a home page lists the rentals only.
    return query.options(selectinload(Booking.outcomes)) if with_outcomes else query
