"""What the fleet needs from the floors above it, declared here and plugged in by create_app.

The fleet knows nothing of bookings, yet a vehicle on rental is not free, the planning board
shows rentals, the site calendar lists pickups and returns, and the vehicle page lists its
rentals and its other records (fines). Each of these is a port: an interface the fleet declares (a Protocol) and that a
higher floor implements. `create_app` passes the implementations to `plug`, explicitly; the
fleet reads them from the application with `plugged()`. Nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from flask import current_app
from sqlalchemy import Select

if TYPE_CHECKING:  # pragma: no cover - names for type checkers only
    from mobility.fleet.ics import CalendarEvent
    from mobility.fleet.models import Site, Vehicle
    from mobility.fleet.planning import Span

EXTENSION_KEY = "mobility.fleet.ports"


@runtime_checkable
class HoldingPeriods(Protocol):
    """Periods, other than the fleet's own unavailabilities, during which a vehicle is held."""

    def held_vehicle_ids(self, starts_at: datetime, ends_at: datetime, now: datetime) -> Sequence[Select]:
        """Selects of one column, vehicle ids, held at some moment of [starts_at, ends_at)
        (or still out at `now`, past their due end). Several plain selects rather than one
        union: SQLite refuses a parenthesised compound inside another."""

    def holding_references(self, vehicle_id: int, starts_at: datetime, ends_at: datetime) -> list[str]:
        """The references of what holds that vehicle during the period, in order, for a message."""


@runtime_checkable
class PlanningSource(Protocol):
    """Spans on the planning board, rows of its legend and events of the site calendar."""

    def spans(self, vehicles: list[Vehicle], starts_at: datetime, ends_at: datetime) -> Iterable[Span]: ...

    def legend(self) -> Sequence[tuple[str, str, str]]: ...

    def events(self, site: Site, since: datetime) -> Iterable[CalendarEvent]: ...


@dataclass(frozen=True)
class VehicleUse:
    """One line of a vehicle's history of uses (a rental), as the vehicle page shows it."""

    reference: str
    url: str
    starts_at: datetime
    ends_at: datetime
    status_label: str
    overdue: bool


@runtime_checkable
class VehicleHistory(Protocol):
    def uses_of(self, vehicle: Vehicle, limit: int) -> tuple[list[VehicleUse], int]:
        """The vehicle's latest uses, newest first, at most `limit`, and how many there are."""


@dataclass(frozen=True)
class VehicleEvent:
    """One line of a vehicle's history of incidents, claims and repairs, as its page shows it."""

    kind_label: str
    reference: str
    url: str | None
    on: datetime
    status_label: str
    detail: str = ""


@runtime_checkable
class VehicleEvents(Protocol):
    def events_of(self, vehicle: Vehicle) -> list[VehicleEvent]:
        """What happened to the vehicle (incidents, claims, repairs), newest first."""

    def warnings_of(self, vehicle: Vehicle) -> list[str]:
        """Warnings for its page (repeated incidents), in words."""


@dataclass(frozen=True)
class FleetPorts:
    holding_periods: tuple[HoldingPeriods, ...] = ()
    planning_sources: tuple[PlanningSource, ...] = ()
    vehicle_histories: tuple[VehicleHistory, ...] = ()
    vehicle_events: tuple[VehicleEvents, ...] = ()


def plug(
    app,
    *,
    holding_periods: Iterable[HoldingPeriods] = (),
    planning_sources: Iterable[PlanningSource] = (),
    vehicle_histories: Iterable[VehicleHistory] = (),
    vehicle_events: Iterable[VehicleEvents] = (),
) -> FleetPorts:
    """Give this application's fleet the implementations of its ports (called by create_app)."""
    ports = FleetPorts(
        holding_periods=tuple(holding_periods),
        planning_sources=tuple(planning_sources),
        vehicle_histories=tuple(vehicle_histories),
        vehicle_events=tuple(vehicle_events),
    )
    for implementation, protocol in (
        *((item, HoldingPeriods) for item in ports.holding_periods),
        *((item, PlanningSource) for item in ports.planning_sources),
        *((item, VehicleHistory) for item in ports.vehicle_histories),
        *((item, VehicleEvents) for item in ports.vehicle_events),
    ):
        if not isinstance(implementation, protocol):
            raise TypeError(f"{implementation!r} does not implement {protocol.__name__}")
    app.extensions[EXTENSION_KEY] = ports
    return ports


def plugged() -> FleetPorts:
    """The implementations plugged into the current application (none: the fleet alone)."""
    return current_app.extensions.get(EXTENSION_KEY) or FleetPorts()

