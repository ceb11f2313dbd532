"""Bookings on the fleet's planning board and in the site calendar feed.

The fleet planning knows nothing of bookings: `BookingPlanning` implements the fleet's
PlanningSource port (mobility.fleet.ports), plugged in by create_app: spans (each booking that
holds a vehicle, or was returned, told in words with its reference), their legend, and events
(pickups and returns). `BookingHistory` gives the vehicle page its rentals. The calendar feed is a shared secret URL: its events carry the
booking reference and the vehicle, never the person's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mobility.booking.models import Booking, BookingStatus
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.fleet.ics import CalendarEvent
from mobility.fleet.models import Site, Vehicle
from mobility.fleet.planning import Span
from mobility.fleet.ports import VehicleUse

SPAN_KIND = "booking"
# Statuses shown on the board: those that hold the vehicle, and the rentals that took place.
SHOWN_ON_BOARD = (
    BookingStatus.REQUESTED,
    BookingStatus.APPROVED,
    BookingStatus.CONFIRMED,
    BookingStatus.IN_PROGRESS,
    BookingStatus.RETURNED,
)
# Statuses whose pickup and return are on the site's agenda (a bare request may still be refused).
IN_CALENDAR = (
    BookingStatus.APPROVED,
    BookingStatus.CONFIRMED,
    BookingStatus.IN_PROGRESS,
    BookingStatus.RETURNED,
)
OVERDUE = "overdue"
# One or two letters for the narrow cells of the month view.
CODES = {
    BookingStatus.REQUESTED: "D",
    BookingStatus.APPROVED: "V",
    BookingStatus.CONFIRMED: "R",
    BookingStatus.IN_PROGRESS: "C",
    BookingStatus.RETURNED: "T",
    OVERDUE: "RT",
}
# How long a pickup or a return takes in the calendar.
HANDOVER_MINUTES = 30


def span_label(booking: Booking, state: BookingStatus | str) -> str:
    reference = booking.reference
    if state == OVERDUE:
        return _(
            "En retard %(reference)s (retour prévu le %(day)s)",
            reference=reference,
            day=booking.ends_on.strftime("%d/%m"),
        )
    return {
        BookingStatus.REQUESTED: _("Demandé %(reference)s (en attente du référent)", reference=reference),
        BookingStatus.APPROVED: _("À confirmer %(reference)s", reference=reference),
        BookingStatus.CONFIRMED: _("Réservé %(reference)s", reference=reference),
        BookingStatus.IN_PROGRESS: _("En cours %(reference)s", reference=reference),
        BookingStatus.RETURNED: _("Rendu %(reference)s", reference=reference),
    }[state]


def legend() -> tuple[tuple[str, str, str], ...]:
    """(code, meaning, span kind) of the booking codes, added to the board's legend."""
    return (
        (CODES[BookingStatus.REQUESTED], _("Demande en attente du référent"), SPAN_KIND),
        (CODES[BookingStatus.APPROVED], _("Location à confirmer par l'association"), SPAN_KIND),
        (CODES[BookingStatus.CONFIRMED], _("Réservé (location confirmée)"), SPAN_KIND),
        (CODES[BookingStatus.IN_PROGRESS], _("En cours de location"), SPAN_KIND),
        (CODES[OVERDUE], _("En retard : véhicule pas encore rendu"), SPAN_KIND),
        (CODES[BookingStatus.RETURNED], _("Location terminée, véhicule rendu"), SPAN_KIND),
    )


def _span(booking: Booking, state, starts_at: datetime, ends_at: datetime) -> Span:
    return Span(
        vehicle_id=booking.vehicle_id,
        kind=SPAN_KIND,
        starts_at=starts_at,
        ends_at=ends_at,
        label=span_label(booking, state),
        code=CODES[state],
        state=state if isinstance(state, str) else state.value,
    )


def spans_of(booking: Booking, now: datetime) -> list[Span]:
    """The time the booking really holds its vehicle (from an early handover, until a late or
    early return: booking.availability); a vehicle not back in time is also "late" from its due
    return until now."""
    spans = [_span(booking, booking.status, booking.held_from, booking.held_until)]
    if booking.is_overdue(now):
        spans.append(
            _span(booking, OVERDUE, booking.held_until, max(now, booking.held_until + timedelta(minutes=1)))
        )
    return spans


def booking_spans(vehicles: list[Vehicle], starts_at: datetime, ends_at: datetime) -> Iterable[Span]:
    if not vehicles:
        return []
    now = utcnow()
    bookings = db.session.scalars(
        select(Booking)
        .where(
            Booking.vehicle_id.in_([vehicle.id for vehicle in vehicles]),
            Booking.status.in_(SHOWN_ON_BOARD),
            Booking.held_from < ends_at,
            # An overdue rental runs on until the vehicle comes back, whatever its planned end.
            (Booking.held_until > starts_at) | (Booking.status == BookingStatus.IN_PROGRESS),
        )
        .order_by(Booking.held_from, Booking.id)
    )
    return [span for booking in bookings for span in spans_of(booking, now)]


def _vehicle_words(vehicle: Vehicle) -> str:
    return f"{vehicle.make} {vehicle.model} ({vehicle.plate})"


def booking_events(site: Site, since: datetime) -> Iterable[CalendarEvent]:
    """A pickup and a return per booking of the site's vehicles, with no personal data."""
    bookings = db.session.scalars(
        select(Booking)
        .join(Vehicle, Vehicle.id == Booking.vehicle_id)
        .options(joinedload(Booking.vehicle))
        .where(Vehicle.site_id == site.id, Booking.status.in_(IN_CALENDAR), Booking.ends_at > since)
        .order_by(Booking.starts_at, Booking.id)
    )
    location = f"{site.name}, {site.address}, {site.commune.name}"
    length = timedelta(minutes=HANDOVER_MINUTES)
    for booking in bookings:
        vehicle = _vehicle_words(booking.vehicle)
        status = _("Statut : %(status)s.", status=booking.status.label)
        yield CalendarEvent(
            uid=f"booking-{booking.id}-pickup@mobilite-emploi-loiret",
            starts_at=booking.starts_at,
            ends_at=booking.starts_at + length,
            summary=_("Départ %(reference)s — %(vehicle)s", reference=booking.reference, vehicle=vehicle),
            description=_("Remise du véhicule pour la location %(reference)s.", reference=booking.reference)
            + " "
            + status,
            location=location,
            categories=(_("Départ"),),
        )
        yield CalendarEvent(
            uid=f"booking-{booking.id}-return@mobilite-emploi-loiret",
            starts_at=booking.ends_at,
            ends_at=booking.ends_at + length,
            summary=_("Retour %(reference)s — %(vehicle)s", reference=booking.reference, vehicle=vehicle),
            description=_("Retour du véhicule de la location %(reference)s.", reference=booking.reference)
            + " "
            + status,
            location=location,
            categories=(_("Retour"),),
        )


class BookingPlanning:
    """The fleet's PlanningSource port, answered with bookings."""

    def spans(self, vehicles: list[Vehicle], starts_at: datetime, ends_at: datetime) -> Iterable[Span]:
        return booking_spans(vehicles, starts_at, ends_at)

    def legend(self) -> tuple[tuple[str, str, str], ...]:
        return legend()

    def events(self, site: Site, since: datetime) -> Iterable[CalendarEvent]:
        return booking_events(site, since)


class BookingHistory:
    """The fleet's VehicleHistory port: a vehicle's rentals, newest first (the vehicle page is
    already scoped to its association)."""

    def uses_of(self, vehicle: Vehicle) -> list[VehicleUse]:
        now = utcnow()
        bookings = db.session.scalars(
            select(Booking)
            .where(Booking.vehicle_id == vehicle.id)
            .order_by(Booking.starts_at.desc(), Booking.id.desc())
        )
        return [
            VehicleUse(
                reference=booking.reference,
                url=url_for("booking.show", booking_id=booking.id),
                starts_at=booking.starts_at,
                ends_at=booking.ends_at,
                status_label=booking.status.label,
                overdue=booking.is_overdue(now),
            )
            for booking in bookings
        ]
