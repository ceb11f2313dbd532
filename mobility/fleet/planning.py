"""The planning board and the site calendar: which vehicle is held when, as text.

A board is vehicles in rows and days in columns. What fills a cell is a list of Spans, each
one period that holds the vehicle (today: unavailability, and the vehicle's own status).
The fleet's own spans and events (unavailabilities, the vehicle's status) come from this
module; those of higher floors (bookings by status, pickups and returns) from the planning
sources create_app plugs into the fleet's ports (mobility.fleet.ports), so that this module
never imports them.
"""

from __future__ import annotations

import calendar
import hmac
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from mobility.auth.models import Role, User
from mobility.core.boundary import date_in_range
from mobility.core.time import local_midnight
from mobility.extensions import db
from mobility.fleet.ics import CalendarEvent
from mobility.fleet import access
from mobility.fleet.ports import plugged
from mobility.fleet.models import Site, Unavailability, Vehicle, VehicleCategory, VehicleStatus
from mobility.territory.models import EmploymentBasin

MONTH = "mois"
WEEK = "semaine"
# The calendar feed shows events that ended at most this long ago.
CALENDAR_PAST_DAYS = 60


# Who sees which site -------------------------------------------------------------------------


def can_manage_calendar(site: Site, user: User) -> bool:
    """Regenerating the feed's secret: the site's association's staff, and admins."""
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.FLEET and site.association_id == user.organisation_id


# Periods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Days first..last (inclusive) of a month or an ISO week."""

    view: str
    first: date
    last: date

    @classmethod
    def month_of(cls, day: date) -> "Period":
        length = calendar.monthrange(day.year, day.month)[1]
        return cls(MONTH, day.replace(day=1), day.replace(day=length))

    @classmethod
    def week_of(cls, day: date) -> "Period":
        monday = day - timedelta(days=day.weekday())
        return cls(WEEK, monday, monday + timedelta(days=6))

    @classmethod
    def parse(cls, view: str, value: str, today: date) -> "Period":
        """From the query string (mois=2026-11 or semaine=2026-11-23); the current one if bad."""
        if view == WEEK:
            try:
                day = date.fromisoformat(value)
            except (TypeError, ValueError):
                day = None
            # A week of year 9999 is a typo (and its Sunday would overflow): the current one.
            return cls.week_of(day if day is not None and date_in_range(day) else today)
        try:
            year, month = (int(part) for part in value.split("-"))
            first = date(year, month, 1)
        except (AttributeError, TypeError, ValueError, OverflowError):
            first = None
        return cls.month_of(first if first is not None and date_in_range(first) else today)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def starts_at(self) -> datetime:
        return local_midnight(self.first)

    @property
    def ends_at(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))

    @property
    def previous(self) -> "Period":
        before = self.first - timedelta(days=1)
        return Period.month_of(before) if self.view == MONTH else Period.week_of(before)

    @property
    def next(self) -> "Period":
        after = self.last + timedelta(days=1)
        return Period.month_of(after) if self.view == MONTH else Period.week_of(after)

    @property
    def query_value(self) -> str:
        return self.first.strftime("%Y-%m") if self.view == MONTH else self.first.isoformat()

    def query_args(self) -> dict[str, str]:
        return {"vue": self.view, self.view: self.query_value}


# Cells ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One period that holds a vehicle, told in words.

    kind: "unavailability" or "status" now; "booking" once bookings exist (state: its status).
    label: the text of a cell, e.g. "Indisponible : entretien".
    code: one or two letters shown in narrow cells, explained by the legend.
    """

    vehicle_id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    label: str
    code: str
    state: str = ""
    detail: str = ""

    def meets(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and self.ends_at > starts_at


@dataclass(frozen=True)
class Cell:
    """One vehicle on one day. Its words are computed once per board for each distinct set of
    spans (see _CellWords), not per cell and per template access: a basin's month is 2,000
    cells or more."""

    day: date
    spans: tuple[Span, ...]
    text: str
    codes: str
    css_class: str
    is_weekend: bool

    @property
    def is_free(self) -> bool:
        return not self.spans


class _CellWords:
    """text, codes and CSS classes of a cell, by its spans: "Libre" translated once per board."""

    def __init__(self):
        self.free = (_("Libre"), "", "planning-cell--free")
        self._known: dict[tuple[Span, ...], tuple[str, str, str]] = {}

    def __call__(self, spans: tuple[Span, ...]) -> tuple[str, str, str]:
        if not spans:
            return self.free
        words = self._known.get(spans)
        if words is None:
            words = self._known[spans] = (
                " ; ".join(dict.fromkeys(span.label for span in spans)),
                " ".join(dict.fromkeys(span.code for span in spans)),
                " ".join(dict.fromkeys(f"planning-cell--{span.kind}" for span in spans)),
            )
        return words


@dataclass(frozen=True)
class Row:
    vehicle: Vehicle
    cells: tuple[Cell, ...]

    @property
    def free_days(self) -> int:
        return sum(1 for cell in self.cells if cell.is_free)


@dataclass(frozen=True)
class SiteBoard:
    site: Site
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Board:
    period: Period
    sites: tuple[SiteBoard, ...]
    category: VehicleCategory | None = None
    legend: tuple[tuple[str, str, str], ...] = field(default=())


def unavailability_label(unavailability: Unavailability) -> str:
    return _("Indisponible : %(kind)s", kind=unavailability.kind.label.lower())


UNAVAILABILITY_CODE = "I"
STATUS_CODE = "H"


def unavailability_spans(vehicles: list[Vehicle], starts_at: datetime, ends_at: datetime) -> Iterable[Span]:
    if not vehicles:
        return []
    periods = db.session.scalars(
        select(Unavailability)
        .where(
            Unavailability.vehicle_id.in_([vehicle.id for vehicle in vehicles]),
            Unavailability.starts_at < ends_at,
            Unavailability.ends_at > starts_at,
        )
        .order_by(Unavailability.starts_at)
    )
    return [
        Span(
            vehicle_id=period.vehicle_id,
            kind="unavailability",
            starts_at=period.starts_at,
            ends_at=period.ends_at,
            label=unavailability_label(period),
            code=UNAVAILABILITY_CODE,
            state=period.kind.value,
            detail=period.reason or "",
        )
        for period in periods
    ]


def status_spans(vehicles: list[Vehicle], starts_at: datetime, ends_at: datetime) -> Iterable[Span]:
    """A vehicle marked "in maintenance" is out of service for the whole period shown."""
    return [
        Span(
            vehicle_id=vehicle.id,
            kind="status",
            starts_at=starts_at,
            ends_at=ends_at,
            label=_("Hors service : %(status)s", status=vehicle.status.label.lower()),
            code=STATUS_CODE,
            state=vehicle.status.value,
        )
        for vehicle in vehicles
        if vehicle.status is VehicleStatus.MAINTENANCE
    ]


def legend() -> tuple[tuple[str, str, str], ...]:
    """(code, meaning, span kind) for each code a narrow cell may show."""
    own = (
        (UNAVAILABILITY_CODE, _("Indisponible (entretien, réparation, incident…)"), "unavailability"),
        (STATUS_CODE, _("Hors service (véhicule en entretien)"), "status"),
    )
    return own + tuple(row for source in plugged().planning_sources for row in source.legend())


def _board_vehicles(sites: list[Site], category: VehicleCategory | None) -> list[Vehicle]:
    if not sites:
        return []
    query = select(Vehicle).where(
        Vehicle.site_id.in_([site.id for site in sites]), Vehicle.status != VehicleStatus.RETIRED
    )
    if category is not None:
        query = query.where(Vehicle.category == category)
    query = query.order_by(Vehicle.category, Vehicle.make, Vehicle.model, Vehicle.plate)
    return list(db.session.scalars(query))


def build_board(sites: list[Site], period: Period, category: VehicleCategory | None = None) -> Board:
    """The board of these sites over the period, one table per site.

    Three statements whatever the number of vehicles and days: the vehicles, their
    unavailabilities over the period, and each planning source's spans (the bookings, one
    query). Cells are then filled in memory, each vehicle's spans against each day.
    """
    vehicles = _board_vehicles(sites, category)
    spans_by_vehicle: dict[int, list[Span]] = defaultdict(list)
    own = (unavailability_spans(vehicles, period.starts_at, period.ends_at), status_spans(vehicles, period.starts_at, period.ends_at))
    plugged_spans = tuple(source.spans(vehicles, period.starts_at, period.ends_at) for source in plugged().planning_sources)
    for spans in (*own, *plugged_spans):
        for span in spans:
            spans_by_vehicle[span.vehicle_id].append(span)
    day_bounds = [
        (day, local_midnight(day), local_midnight(day + timedelta(days=1)), day.weekday() >= 5) for day in period.days
    ]
    words = _CellWords()
    rows_by_site: dict[int, list[Row]] = defaultdict(list)
    for vehicle in vehicles:
        spans = spans_by_vehicle.get(vehicle.id, [])
        cells = []
        for day, start, end, weekend in day_bounds:
            meeting = tuple(span for span in spans if span.meets(start, end)) if spans else ()
            cells.append(Cell(day, meeting, *words(meeting), weekend))
        rows_by_site[vehicle.site_id].append(Row(vehicle, tuple(cells)))
    return Board(
        period=period,
        sites=tuple(SiteBoard(site, tuple(rows_by_site.get(site.id, []))) for site in sites),
        category=category,
        legend=legend(),
    )


def sites_of_basin(basin: EmploymentBasin, user: User) -> list[Site]:
    return list(db.session.scalars(access.visible_sites(user).where(Site.basin_id == basin.id)))


# Calendar feed -------------------------------------------------------------------------------


def site_by_calendar_token(site_id: int, token: str) -> Site | None:
    """The site whose feed secret this is; None for a wrong, old or malformed one."""
    site = db.session.get(Site, site_id)
    if site is None or not token or not hmac.compare_digest(site.ics_token.encode(), token.encode()):
        return None
    return site


def unavailability_events(site: Site, since: datetime) -> Iterable[CalendarEvent]:
    periods = db.session.scalars(
        select(Unavailability)
        .join(Vehicle, Vehicle.id == Unavailability.vehicle_id)
        .where(Vehicle.site_id == site.id, Unavailability.ends_at > since)
        .order_by(Unavailability.starts_at, Unavailability.id)
    )
    for period in periods:
        vehicle = period.vehicle
        yield CalendarEvent(
            uid=f"unavailability-{period.id}@mobilite-emploi-loiret",
            starts_at=period.starts_at,
            ends_at=period.ends_at,
            summary=f"{unavailability_label(period)} — {vehicle.make} {vehicle.model} ({vehicle.plate})",
            description=period.reason or "",
            location=f"{site.name}, {site.address}, {site.commune.name}",
            categories=(_("Indisponibilité"),),
        )


def site_calendar_events(site: Site, now: datetime) -> list[CalendarEvent]:
    since = now - timedelta(days=CALENDAR_PAST_DAYS)
    events = list(unavailability_events(site, since))
    events += [event for source in plugged().planning_sources for event in source.events(site, since)]
    return sorted(events, key=lambda event: (event.starts_at, event.uid))


def regenerate_calendar_token(site: Site) -> None:
    """A new feed secret: the old URL stops working at once."""
    site.regenerate_ics_token()
