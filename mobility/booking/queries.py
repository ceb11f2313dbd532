"""The list queries of the booking pages: what each audience's lists show, in a fixed number
of queries. Every query starts from access.visible_bookings, the one scoping rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from mobility.auth.models import Role, User
from mobility.booking import access
from mobility.booking.models import Booking, BookingStatus, Extension, ExtensionStatus, Handover, HandoverKind
from mobility.booking.services import overdue_bookings
from mobility.core.time import local, local_midnight, utcnow
from mobility.extensions import db
from mobility.fleet.models import Vehicle

# "Terminées récemment": vehicles given back in the last days.
RECENTLY_RETURNED_DAYS = 30


# --- Lists (the bookings page and the fleet home page) -----------------------------------------


def _listed(user: User, site_id: int | None = None):
    """The user's visible bookings with what a list row shows, loaded in a fixed number of queries."""
    query = access.visible_bookings(user).options(
        joinedload(Booking.vehicle), joinedload(Booking.beneficiary)
    )
    if site_id is not None:
        query = query.where(Booking.vehicle_id.in_(select(Vehicle.id).where(Vehicle.site_id == site_id)))
    return query


def _rows(query) -> list[Booking]:
    return list(db.session.scalars(query).unique())


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Today in France, from midnight to midnight."""
    today = local(now).date()
    return local_midnight(today), local_midnight(today + timedelta(days=1))


@dataclass(frozen=True)
class BookingLists:
    to_confirm: list[Booking]
    upcoming: list[Booking]
    in_progress: list[Booking]
    recently_returned: list[Booking]


def booking_lists(user: User, site_id: int | None, now: datetime) -> BookingLists:
    base = _listed(user, site_id)
    returned_lately = select(Handover.booking_id).where(
        Handover.kind == HandoverKind.RETURN,
        Handover.recorded_at >= now - timedelta(days=RECENTLY_RETURNED_DAYS),
    )
    return BookingLists(
        to_confirm=_rows(
            base.where(Booking.status == BookingStatus.APPROVED).order_by(Booking.starts_at, Booking.id)
        ),
        upcoming=_rows(
            base.where(Booking.status == BookingStatus.CONFIRMED).order_by(Booking.starts_at, Booking.id)
        ),
        in_progress=_rows(
            base.where(Booking.status == BookingStatus.IN_PROGRESS).order_by(Booking.ends_at, Booking.id)
        ),
        recently_returned=_rows(
            base.where(Booking.status == BookingStatus.RETURNED, Booking.id.in_(returned_lately)).order_by(
                Booking.ends_at.desc(), Booking.id.desc()
            )
        ),
    )


@dataclass(frozen=True)
class FleetAgenda:
    """What the fleet home page puts first: late returns, today's handovers, what to confirm."""

    overdue: list[Booking]
    pickups_today: list[Booking]
    returns_today: list[Booking]
    to_confirm: list[Booking]


def fleet_agenda(user: User, now: datetime | None = None) -> FleetAgenda:
    now = now or utcnow()
    day_start, day_end = _day_bounds(now)
    base = _listed(user)
    association_id = user.organisation_id if user.role is Role.FLEET else None
    return FleetAgenda(
        overdue=overdue_bookings(association_id, now),
        pickups_today=_rows(
            base.where(
                Booking.status.in_((BookingStatus.APPROVED, BookingStatus.CONFIRMED)),
                Booking.starts_at >= day_start,
                Booking.starts_at < day_end,
            ).order_by(Booking.starts_at, Booking.id)
        ),
        # Returns due later today; those whose time has passed are overdue, listed above.
        returns_today=_rows(
            base.where(
                Booking.status == BookingStatus.IN_PROGRESS,
                Booking.ends_at > now,
                Booking.ends_at < day_end,
            ).order_by(Booking.ends_at, Booking.id)
        ),
        to_confirm=_rows(
            base.where(Booking.status == BookingStatus.APPROVED).order_by(Booking.starts_at, Booking.id)
        ),
    )



# --- Référents' approval queue ---------------------------------------------------------------


def _visible_booking_ids(user: User):
    return access.visible_bookings(user).with_only_columns(Booking.id)


def requests_to_approve(user: User) -> list[Booking]:
    return list(
        db.session.scalars(
            access.visible_bookings(user)
            .where(Booking.status == BookingStatus.REQUESTED)
            .options(
                selectinload(Booking.beneficiary), selectinload(Booking.vehicle).selectinload(Vehicle.site)
            )
            .order_by(Booking.created_at, Booking.id)
        )
    )


def pending_extensions(user: User) -> list[Extension]:
    return list(
        db.session.scalars(
            select(Extension)
            .where(
                Extension.status == ExtensionStatus.PENDING, Extension.booking_id.in_(_visible_booking_ids(user))
            )
            .options(selectinload(Extension.booking).selectinload(Booking.beneficiary))
            .order_by(Extension.requested_at, Extension.id)
        )
    )


def awaiting_decision(user: User) -> dict[str, int]:
    """For a référent's home page: how many requests and extensions wait for their decision."""
    requests = db.session.scalar(
        select(func.count()).select_from(
            access.visible_bookings(user).where(Booking.status == BookingStatus.REQUESTED).subquery()
        )
    )
    extensions = db.session.scalar(
        select(func.count(Extension.id)).where(
            Extension.status == ExtensionStatus.PENDING, Extension.booking_id.in_(_visible_booking_ids(user))
        )
    )
    return {"requests": requests, "extensions": extensions}
