"""When a site is open: weekly hours (a morning and an afternoon range per weekday), closing
periods set by the association, and French public holidays.

The rule, in one place (`Schedule`):
- a site with no weekly hours configured has no schedule: it is treated as always open (no
  holiday, no closing period applies). Existing sites, test factories and sites whose staff
  have not filled the hours yet keep working as before; the site page says "hours not given";
- a site with weekly hours is open on a weekday in its ranges, start included, end excluded
  (a pickup at 12:00 at a site closing at 12:00 is refused), except on French public holidays
  (the `holidays` library) and on the days of its closing periods.

The database holds what it can: one row per site and weekday, each range complete and
increasing, the morning before the afternoon (CHECK constraints), closing periods that end on
or after they start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
    and_,
    exists,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from mobility.core.templating import weekday_date, weekday_datetime
from mobility.core.time import local, utcnow
from mobility.core.types import UTCDateTime
from mobility.extensions import db

WEEKDAYS = range(7)  # Monday = 0, as date.weekday()
# Pickup and return times are offered every half hour within the ranges.
SLOT_MINUTES = 30


def weekday_name(weekday: int) -> str:
    # 7 December 2026 is a Monday: Babel names the weekday in the reader's language.
    return format_date(date(2026, 12, 7) + timedelta(days=weekday), "EEEE")


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


class SiteOpeningHours(db.Model):
    """The hours of a site on one weekday; no row: closed that day (when the site has hours)."""

    __tablename__ = "site_opening_hours"
    __table_args__ = (
        UniqueConstraint("site_id", "weekday", name="uq_site_opening_hours_site_id_weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint(
            "(morning_opens IS NULL AND morning_closes IS NULL) OR "
            "(morning_opens IS NOT NULL AND morning_closes IS NOT NULL AND morning_opens < morning_closes)",
            name="morning_range_valid",
        ),
        CheckConstraint(
            "(afternoon_opens IS NULL AND afternoon_closes IS NULL) OR "
            "(afternoon_opens IS NOT NULL AND afternoon_closes IS NOT NULL AND afternoon_opens < afternoon_closes)",
            name="afternoon_range_valid",
        ),
        CheckConstraint(
            "morning_closes IS NULL OR afternoon_opens IS NULL OR morning_closes <= afternoon_opens",
            name="ranges_not_overlapping",
        ),
        CheckConstraint("morning_opens IS NOT NULL OR afternoon_opens IS NOT NULL", name="open_at_some_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    morning_opens: Mapped[time | None] = mapped_column(Time)
    morning_closes: Mapped[time | None] = mapped_column(Time)
    afternoon_opens: Mapped[time | None] = mapped_column(Time)
    afternoon_closes: Mapped[time | None] = mapped_column(Time)

    def ranges(self) -> list[tuple[time, time]]:
        return [
            (opens, closes)
            for opens, closes in (
                (self.morning_opens, self.morning_closes),
                (self.afternoon_opens, self.afternoon_closes),
            )
            if opens is not None and closes is not None
        ]


class SiteClosure(db.Model):
    """Days the association closes a site (holidays of the team, works…), both days included."""

    __tablename__ = "site_closure"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_on_or_after_start"),
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@lru_cache(maxsize=16)
def _french_holidays(year: int, language: str) -> dict[date, str]:
    return dict(holidays.France(years=year, language="fr" if language == "fr" else "en_US"))


def public_holiday(day: date) -> str | None:
    """The name of the French public holiday on that day, in the reader's language, or None."""
    return _french_holidays(day.year, get_locale().language if get_locale() else "fr").get(day)


@dataclass
class Schedule:
    """A site's hours and closures, read once, answering in memory."""

    site_id: int
    week: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    closures: list[SiteClosure] = field(default_factory=list)

    @property
    def configured(self) -> bool:
        return bool(self.week)

    def closed_reason(self, day: date) -> str | None:
        """Why the site is closed all that day (None: open at some time, or no schedule)."""
        if not self.configured:
            return None
        for closure in self.closures:
            if closure.covers(day):
                return _("fermeture : %(reason)s", reason=closure.reason)
        holiday = public_holiday(day)
        if holiday is not None:
            return _("jour férié : %(holiday)s", holiday=holiday)
        if not self.week.get(day.weekday()):
            return _("pas d'ouverture le %(weekday)s", weekday=weekday_name(day.weekday()))
        return None

    def ranges_on(self, day: date) -> list[tuple[time, time]]:
        if self.closed_reason(day) is not None:
            return []
        return self.week.get(day.weekday(), [])

    def is_open_at(self, moment: datetime) -> bool:
        if not self.configured:
            return True
        wall = local(moment)
        return any(opens <= wall.time() < closes for opens, closes in self.ranges_on(wall.date()))

    def slots_on(self, day: date | None, step_minutes: int = SLOT_MINUTES) -> list[time]:
        """Times to offer: every step within the ranges of that day (any day: their union)."""
        ranges = self.ranges_on(day) if day is not None else [r for rs in self.week.values() for r in rs]
        return slots_within(ranges, step_minutes)

    def describe(self) -> str:
        return describe_week(self.week)


def slots_within(ranges: Iterable[tuple[time, time]], step_minutes: int = SLOT_MINUTES) -> list[time]:
    slots: set[time] = set()
    for opens, closes in ranges:
        minutes = opens.hour * 60 + opens.minute
        end = closes.hour * 60 + closes.minute
        while minutes < end:
            slots.add(time(minutes // 60, minutes % 60))
            minutes += step_minutes
    return sorted(slots)


def describe_ranges(ranges: Sequence[tuple[time, time]]) -> str:
    return _(" et ").join(
        _("%(opens)s–%(closes)s", opens=_hhmm(opens), closes=_hhmm(closes)) for opens, closes in ranges
    )


def describe_week(week: dict[int, list[tuple[time, time]]]) -> str:
    """« lundi au vendredi 08:30–12:00 et 13:30–17:30 ; samedi 09:00–12:00 », grouped by equal days."""
    if not week:
        return str(_l("horaires non indiqués"))
    groups: list[tuple[int, int, list[tuple[time, time]]]] = []
    for weekday in WEEKDAYS:
        ranges = week.get(weekday)
        if not ranges:
            continue
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == ranges:
            groups[-1] = (groups[-1][0], weekday, ranges)
        else:
            groups.append((weekday, weekday, ranges))
    parts = []
    for first, last, ranges in groups:
        if first == last:
            days = weekday_name(first)
        elif last == first + 1:
            days = _("%(first)s et %(last)s", first=weekday_name(first), last=weekday_name(last))
        else:
            days = _("%(first)s au %(last)s", first=weekday_name(first), last=weekday_name(last))
        parts.append(f"{days} {describe_ranges(ranges)}")
    return " ; ".join(parts) + " " + _("(fermé les jours fériés)")


def schedules_for(site_ids: Iterable[int], from_day: date | None = None) -> dict[int, Schedule]:
    """The schedules of these sites, in two queries (closures from `from_day` on)."""
    ids = sorted(set(site_ids))
    schedules = {site_id: Schedule(site_id) for site_id in ids}
    if not ids:
        return schedules
    for row in db.session.scalars(
        select(SiteOpeningHours).where(SiteOpeningHours.site_id.in_(ids)).order_by(SiteOpeningHours.weekday)
    ):
        schedules[row.site_id].week[row.weekday] = row.ranges()
    closures = select(SiteClosure).where(SiteClosure.site_id.in_(ids))
    if from_day is not None:
        closures = closures.where(SiteClosure.ends_on >= from_day)
    for closure in db.session.scalars(closures.order_by(SiteClosure.starts_on)):
        schedules[closure.site_id].closures.append(closure)
    return schedules


def schedule_of(site_id: int, from_day: date | None = None) -> Schedule:
    return schedules_for([site_id], from_day)[site_id]


def closed_message(site_name: str, schedule: Schedule, moment: datetime, what: str) -> str:
    """Why `what` (« la prise en charge », « le retour ») cannot happen then, with the hours."""
    wall = local(moment)
    reason = schedule.closed_reason(wall.date())
    hours = schedule.describe()
    if reason is not None:
        return _(
            "Le site %(site)s est fermé le %(day)s (%(reason)s) : %(what)s n'est pas possible ce jour-là. Horaires du site : %(hours)s.",
            site=site_name,
            day=weekday_date(moment),
            reason=reason,
            what=what,
            hours=hours,
        )
    return _(
        "Le site %(site)s n'est pas ouvert le %(moment)s : %(what)s doit avoir lieu pendant les horaires d'ouverture. Ce jour-là : %(ranges)s. Horaires du site : %(hours)s.",
        site=site_name,
        moment=weekday_datetime(moment),
        what=what,
        ranges=describe_ranges(schedule.ranges_on(wall.date())),
        hours=hours,
    )


# In SQL: the same rule, for the free-vehicle query ---------------------------------------------


def open_at_condition(site_id_column, moment: datetime):
    """SQL condition on a site id: the site is open at that moment (see the module's rule)."""
    wall = local(moment)
    day, clock = wall.date(), wall.time().replace(tzinfo=None)
    no_schedule = not_(exists().where(SiteOpeningHours.site_id == site_id_column))
    if public_holiday_in_france(day):
        return no_schedule
    in_range = exists().where(
        SiteOpeningHours.site_id == site_id_column,
        SiteOpeningHours.weekday == day.weekday(),
        or_(
            and_(SiteOpeningHours.morning_opens <= clock, SiteOpeningHours.morning_closes > clock),
            and_(SiteOpeningHours.afternoon_opens <= clock, SiteOpeningHours.afternoon_closes > clock),
        ),
    )
    closed = exists().where(
        SiteClosure.site_id == site_id_column, SiteClosure.starts_on <= day, SiteClosure.ends_on >= day
    )
    return or_(no_schedule, and_(in_range, not_(closed)))


def public_holiday_in_france(day: date) -> bool:
    return day in _french_holidays(day.year, "fr")


def hours_text(site) -> str:
    """What a person reads about a site's hours: the weekly hours, then the staff's remark."""
    schedule = schedule_of(site.id)
    parts = [schedule.describe()] if schedule.configured else []
    if site.opening_hours:
        parts.append(site.opening_hours)
    return " — ".join(parts) if parts else str(_l("horaires non indiqués : appelez le site"))


def offered_slots() -> list[time]:
    """Times a pickup or a return can ever be chosen at: every slot of some active site's hours
    (empty when no site has hours yet)."""
    from mobility.fleet.models import Site

    rows = db.session.scalars(
        select(SiteOpeningHours).join(Site, Site.id == SiteOpeningHours.site_id).where(Site.active.is_(True))
    )
    return slots_within(r for row in rows for r in row.ranges())


def basin_hours_text(basin_id: int | None) -> str | None:
    """« Horaires des sites du bassin : Site A : … ; Site B : … », for the time fields (None: no
    active site of the basin has hours)."""
    from mobility.fleet.models import Site

    if basin_id is None:
        return None
    sites = list(
        db.session.scalars(select(Site).where(Site.basin_id == basin_id, Site.active.is_(True)).order_by(Site.name))
    )
    schedules = schedules_for([site.id for site in sites])
    described = [f"{site.name} : {schedules[site.id].describe()}" for site in sites if schedules[site.id].configured]
    if not described:
        return None
    return _("Horaires des sites du bassin : %(hours)s.", hours=" ; ".join(described))
