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
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mobility.booking.models import Booking, BookingStatus, BookingTransition, reference_of
from mobility.core.time import local, utcnow
from mobility.extensions import db
from mobility.fleet.ics import CANCELLED, CONFIRMED, CalendarEvent
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
# The site's feed also keeps those called off after they were on its agenda, as cancelled, so
# that a calendar which had them shows them called off rather than silently keeping them.
CALLED_OFF = (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
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


def _label_templates() -> dict[BookingStatus | str, str]:
    """The translated label of each state, its reference (and day) left to fill: translated
    once per board rather than once per booking."""
    return {
        BookingStatus.REQUESTED: _("Demandé %(reference)s (en attente du référent)"),
        BookingStatus.APPROVED: _("À confirmer %(reference)s"),
        BookingStatus.CONFIRMED: _("Réservé %(reference)s"),
        BookingStatus.IN_PROGRESS: _("En cours %(reference)s"),
        BookingStatus.RETURNED: _("Rendu %(reference)s"),
        OVERDUE: _("En retard %(reference)s (retour prévu le %(day)s)"),
    }


def booking_spans(vehicles: list[Vehicle], starts_at: datetime, ends_at: datetime) -> Iterable[Span]:
    """The spans of every booking of these vehicles over the period: one statement, reading
    only the columns a cell shows (no Booking objects built for a month of a basin)."""
    if not vehicles:
        return []
    now = utcnow()
    rows = db.session.execute(
        select(Booking.id, Booking.vehicle_id, Booking.status, Booking.held_from, Booking.held_until, Booking.ends_at)
        .where(
            Booking.vehicle_id.in_([vehicle.id for vehicle in vehicles]),
            Booking.status.in_(SHOWN_ON_BOARD),
            Booking.held_from < ends_at,
            # An overdue rental runs on until the vehicle comes back, whatever its planned end.
            (Booking.held_until > starts_at) | (Booking.status == BookingStatus.IN_PROGRESS),
        )
        .order_by(Booking.held_from, Booking.id)
    )
    labels = _label_templates()
    spans = []
    # The time the vehicle is really held (from an early handover until a late return:
    # booking.availability); one not back when due is also "late" from then until now.
    for booking_id, vehicle_id, status, held_from, held_until, due_back in rows:
        reference = reference_of(booking_id)

        def span(state, begins: datetime, ends: datetime, **words) -> Span:
            return Span(
                vehicle_id=vehicle_id,
                kind=SPAN_KIND,
                starts_at=begins,
                ends_at=ends,
                label=labels[state] % {"reference": reference, **words},
                code=CODES[state],
                state=state if isinstance(state, str) else state.value,
            )

        spans.append(span(status, held_from, held_until))
        if status is BookingStatus.IN_PROGRESS and due_back <= now:
            day = local(due_back).date().strftime("%d/%m")
            spans.append(span(OVERDUE, held_until, max(now, held_until + timedelta(minutes=1)), day=day))
    return spans


def _vehicle_words(vehicle: Vehicle) -> str:
    return f"{vehicle.make} {vehicle.model} ({vehicle.plate})"


def _changes_logged():
    """How many moves a booking's log holds: its calendar SEQUENCE is that count less one."""
    return (
        select(func.count(BookingTransition.id))
        .where(BookingTransition.booking_id == Booking.id)
        .correlate(Booking)
        .scalar_subquery()
    )


def _was_on_the_agenda():
    return (
        select(BookingTransition.id)
        .where(BookingTransition.booking_id == Booking.id, BookingTransition.to_status.in_(IN_CALENDAR))
        .correlate(Booking)
        .exists()
    )


def calendar_state(booking: Booking, changes: int | None = None) -> dict:
    """SEQUENCE, STATUS and LAST-MODIFIED of a booking's events, the same on every request:
    the sequence counts the moves of its log (every change of status, swap, extension)."""
    if changes is None:
        changes = len(booking.transitions)
    return {
        "sequence": max(changes - 1, 0),
        "status": CONFIRMED if booking.happens else CANCELLED,
        "last_modified": booking.updated_at,
    }


def booking_events(site: Site, since: datetime) -> Iterable[CalendarEvent]:
    """A pickup and a return per booking of the site's vehicles, with no personal data; a
    booking cancelled after it was on the agenda stays there as cancelled."""
    rows = db.session.execute(
        select(Booking, _changes_logged())
        .join(Vehicle, Vehicle.id == Booking.vehicle_id)
        .options(joinedload(Booking.vehicle))
        .where(Vehicle.site_id == site.id, Booking.ends_at > since)
        .where(Booking.status.in_(IN_CALENDAR) | (Booking.status.in_(CALLED_OFF) & _was_on_the_agenda()))
        .order_by(Booking.starts_at, Booking.id)
    )
    location = f"{site.name}, {site.address}, {site.commune.name}"
    length = timedelta(minutes=HANDOVER_MINUTES)
    for booking, changes in rows:
        vehicle = _vehicle_words(booking.vehicle)
        status = _("Statut : %(status)s.", status=booking.status.label)
        state = calendar_state(booking, changes)
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
            **state,
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
            **state,
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
    """The fleet's VehicleHistory port: a vehicle's latest rentals, newest first, and their
    number, in one statement (the vehicle page is already scoped to its association). A
    vehicle rented for years has hundreds: the page shows the latest, not all of them."""

    def uses_of(self, vehicle: Vehicle, limit: int) -> tuple[list[VehicleUse], int]:
        now = utcnow()
        rows = db.session.execute(
            select(
                Booking.id, Booking.starts_at, Booking.ends_at, Booking.status, func.count().over().label("total")
            )
            .where(Booking.vehicle_id == vehicle.id)
            .order_by(Booking.starts_at.desc(), Booking.id.desc())
            .limit(limit)
        ).all()
        uses = [
            VehicleUse(
                reference=reference_of(booking_id),
                url=url_for("booking.show", booking_id=booking_id),
                starts_at=starts_at,
                ends_at=ends_at,
                status_label=status.label,
                overdue=status is BookingStatus.IN_PROGRESS and ends_at <= now,
            )
            for booking_id, starts_at, ends_at, status, _total in rows
        ]
        return uses, rows[0].total if rows else 0
