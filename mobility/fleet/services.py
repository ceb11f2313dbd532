"""The fleet domain across objects: sites, vehicles, odometer, unavailability, maintenance
(documents: fleet/documents.py).

Services take plain values and the acting user, flush and never commit; refusals are
FleetError with a French message and the form field it belongs to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role, User
from mobility.core.db import refusing
from mobility.core.errors import Refused
from mobility.core.time import today as today_of_france
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.fleet.models import (
    ODOMETER_GUARD,
    UNAVAILABILITY_GUARD,
    MaintenanceKind,
    MaintenanceRecord,
    OdometerReading,
    OdometerSource,
    Site,
    Unavailability,
    UnavailabilityKind,
    Vehicle,
    VehicleCategory,
    VehicleStatus,
)
from mobility.fleet import access
from mobility.fleet.ports import plugged
from mobility.fleet.settings import fleet_settings
from mobility.territory.models import Commune

SITE_FIELDS = ("name", "address", "commune_insee", "basin_id", "opening_hours", "phone", "active")
VEHICLE_FIELDS = (
    "site_id",
    "plate",
    "vin",
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
    "notes",
)


class FleetError(Refused):
    """A refusal of the fleet's rules, with the form field it belongs to (None: the whole form)."""


def _fr_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _fr_km(km: int) -> str:
    return f"{km:,}".replace(",", "\u202f")


# --- Scoping: fleet staff see their own association's fleet, nobody else sees it here ---------


def _is_fleet(user: User) -> bool:
    return user.is_authenticated and user.role is Role.FLEET


def sites_of(user: User, *, active_only: bool = False) -> list[Site]:
    if not _is_fleet(user):
        return []
    return list(db.session.scalars(access.visible_sites(user, active_only=active_only)))


def sites_with_vehicle_counts(user: User) -> list[tuple[Site, int]]:
    """The user's sites, each with how many vehicles it holds, in one statement."""
    if not _is_fleet(user):
        return []
    count = select(func.count(Vehicle.id)).where(Vehicle.site_id == Site.id).correlate(Site).scalar_subquery()
    return [(site, vehicles) for site, vehicles in db.session.execute(access.visible_sites(user).add_columns(count))]


def get_visible_site(site_id: int, user: User) -> Site | None:
    """The fleet pages' loader: fleet staff only (admins have the planning, not these pages)."""
    if not _is_fleet(user):
        return None
    return access.get_visible_site(site_id, user)


def visible_vehicles(
    user: User,
    *,
    site_id: int | None = None,
    category: VehicleCategory | None = None,
    status: VehicleStatus | None = None,
):
    query = select(Vehicle).where(Vehicle.association_id == user.organisation_id)
    if site_id is not None:
        query = query.where(Vehicle.site_id == site_id)
    if category is not None:
        query = query.where(Vehicle.category == category)
    if status is not None:
        query = query.where(Vehicle.status == status)
    return query.order_by(Vehicle.plate)


def get_visible_vehicle(vehicle_id: int, user: User) -> Vehicle | None:
    if not _is_fleet(user):
        return None
    return db.session.scalar(
        select(Vehicle).where(Vehicle.id == vehicle_id, Vehicle.association_id == user.organisation_id)
    )


# --- Sites --------------------------------------------------------------------------------------


def _apply_site(site: Site, data: dict) -> set[str]:
    commune = db.session.get(Commune, data["commune_insee"])
    if commune is None:
        raise FleetError(_("Choisissez une commune du Loiret dans la liste."), field="commune_insee")
    data = dict(data)
    if data.get("basin_id") is None:
        # The commune's basin unless the staff chose another one.
        data["basin_id"] = commune.basin_id
    changed = set()
    for name in SITE_FIELDS:
        if getattr(site, name) != data[name]:
            setattr(site, name, data[name])
            changed.add(name)
    return changed


def _check_site_name_free(name: str, actor: User, site_id: int | None = None) -> None:
    query = select(Site.id).where(
        Site.association_id == actor.organisation_id, func.lower(Site.name) == name.lower()
    )
    if site_id is not None:
        query = query.where(Site.id != site_id)
    if db.session.scalar(query) is not None:
        raise FleetError(_("Votre association a déjà un site de ce nom."), field="name")


def create_site(data: dict, actor: User) -> Site:
    _check_site_name_free(data["name"], actor)
    site = Site(association_id=actor.organisation_id)
    changed = _apply_site(site, data)
    db.session.add(site)
    db.session.flush()
    record(AuditAction.CREATE, "site", site.id, actor=actor, fields=changed)
    return site


def update_site(site: Site, data: dict, actor: User) -> set[str]:
    _check_site_name_free(data["name"], actor, site.id)
    if not data["active"] and site.active:
        in_service = db.session.scalar(
            select(func.count())
            .select_from(Vehicle)
            .where(Vehicle.site_id == site.id, Vehicle.status != VehicleStatus.RETIRED)
        )
        if in_service:
            raise FleetError(
                _("Rattachez d'abord les véhicules de ce site à un autre site avant de le fermer."),
                field="active",
            )
    changed = _apply_site(site, data)
    if changed:
        db.session.flush()
        record(AuditAction.UPDATE, "site", site.id, actor=actor, fields=changed)
    return changed


def delete_site(site: Site, actor: User) -> None:
    if db.session.scalar(select(func.count()).select_from(Vehicle).where(Vehicle.site_id == site.id)):
        raise FleetError(
            _(
                "Ce site a des véhicules : rattachez-les à un autre site, ou fermez le site au lieu de le supprimer."
            )
        )
    record(AuditAction.DELETE, "site", site.id, actor=actor)
    db.session.delete(site)
    db.session.flush()


def regenerate_ics_token(site: Site, actor: User) -> None:
    """Revoke the site's calendar link: the old address stops working at once."""
    site.regenerate_ics_token()
    db.session.flush()
    record(AuditAction.UPDATE, "site", site.id, actor=actor, fields=["ics_token"])


# --- Vehicles -----------------------------------------------------------------------------------


def _apply_vehicle(vehicle: Vehicle, data: dict, actor: User) -> set[str]:
    site = get_visible_site(data["site_id"], actor) if data["site_id"] is not None else None
    if site is None:
        raise FleetError(_("Choisissez un site de votre association dans la liste."), field="site_id")
    if not site.active and vehicle.site_id != site.id:
        raise FleetError(_("Ce site est fermé : choisissez un site ouvert."), field="site_id")
    duplicate = db.session.scalar(
        select(Vehicle.id).where(Vehicle.plate == data["plate"], Vehicle.id != vehicle.id)
    )
    if duplicate is not None:
        raise FleetError(_("Un véhicule porte déjà cette immatriculation."), field="plate")
    if data["vin"]:
        duplicate = db.session.scalar(
            select(Vehicle.id).where(Vehicle.vin == data["vin"], Vehicle.id != vehicle.id)
        )
        if duplicate is not None:
            raise FleetError(_("Un véhicule porte déjà ce numéro VIN."), field="vin")
    changed = set()
    for name in VEHICLE_FIELDS:
        if getattr(vehicle, name) != data[name]:
            setattr(vehicle, name, data[name])
            changed.add(name)
    return changed


def _plate_and_vin_still_free():
    """Run the write in a savepoint; a plate or VIN taken meanwhile by another request gives the
    same message as the check above, and the session stays usable for the page that explains.
    """
    return refusing(
        {
            "uq_vehicle_vin": lambda: FleetError(_("Un véhicule porte déjà ce numéro VIN."), field="vin"),
            "uq_vehicle_plate": lambda: FleetError(_("Un véhicule porte déjà cette immatriculation."), field="plate"),
        }
    )


def create_vehicle(
    data: dict, actor: User, *, initial_km: int | None = None, today: date | None = None
) -> Vehicle:
    vehicle = Vehicle(association_id=actor.organisation_id)
    with _plate_and_vin_still_free():
        changed = _apply_vehicle(vehicle, dict(data), actor)
        db.session.add(vehicle)
    if initial_km is not None:
        record_odometer(vehicle, today or today_of_france(), initial_km, OdometerSource.MANUAL, actor)
    record(AuditAction.CREATE, "vehicle", vehicle.id, actor=actor, fields=changed)
    return vehicle


def update_vehicle(vehicle: Vehicle, data: dict, actor: User) -> set[str]:
    with _plate_and_vin_still_free():
        changed = _apply_vehicle(vehicle, dict(data), actor)
    if changed:
        record(AuditAction.UPDATE, "vehicle", vehicle.id, actor=actor, fields=changed)
    return changed


# --- Odometer -----------------------------------------------------------------------------------


def _latest_reading_day(vehicle: Vehicle) -> date | None:
    return db.session.scalar(
        select(func.max(OdometerReading.read_on)).where(OdometerReading.vehicle_id == vehicle.id)
    )


def _odometer_backwards_message(last: OdometerReading) -> str:
    return _(
        "Le kilométrage ne peut pas baisser : le dernier relevé indique %(km)s km (le %(date)s).",
        km=_fr_km(last.km),
        date=_fr_date(last.read_on),
    )


class ImplausibleOdometer(FleetError):
    """A reading far above what the vehicle could have driven since the last one: a question,
    answered by ticking the confirmation the form then shows."""


def plausible_km_since(last: OdometerReading, read_on: date) -> int:
    """The most km a vehicle plausibly drives between the last reading and read_on (a day at least)."""
    days = max(1, (read_on - last.read_on).days)
    return days * fleet_settings().odometer_max_km_per_day


def _ask_if_implausible(last: OdometerReading, read_on: date, km: int, km_field: str) -> None:
    driven = km - last.km
    if driven <= plausible_km_since(last, read_on):
        return
    raise ImplausibleOdometer(
        _(
            "%(driven)s km depuis le dernier relevé (%(last)s km le %(date)s), soit plus de "
            "%(per_day)s km par jour : vérifiez le chiffre. S'il est juste, cochez la case "
            "de confirmation et enregistrez à nouveau.",
            driven=_fr_km(driven),
            last=_fr_km(last.km),
            date=_fr_date(last.read_on),
            per_day=_fr_km(fleet_settings().odometer_max_km_per_day),
        ),
        field=km_field,
    )


def record_odometer(
    vehicle: Vehicle,
    read_on: date,
    km: int,
    source: OdometerSource,
    actor: User | None,
    *,
    km_field: str = "km",
    day_field: str | None = "read_on",
    implausible_confirmed: bool = False,
) -> OdometerReading:
    """Add a reading; one below the highest so far, or dated before the latest, is refused, and
    one above a plausible distance per day since the last is asked to be confirmed (refused
    with ImplausibleOdometer until `implausible_confirmed`).

    The one owner of the odometer rule, for readings, maintenance and handovers alike; the
    caller names its form's fields so that the refusal lands next to the right one.
    """
    last = vehicle.last_odometer_reading
    if last is not None:
        if km < last.km:
            raise FleetError(_odometer_backwards_message(last), field=km_field)
        latest_day = _latest_reading_day(vehicle)
        if read_on < latest_day:
            raise FleetError(
                _(
                    "La date ne peut pas être antérieure au dernier relevé, du %(date)s.",
                    date=_fr_date(latest_day),
                ),
                field=day_field,
            )
        if not implausible_confirmed:
            _ask_if_implausible(last, read_on, km, km_field)
    # By id, not through the relationship: the row must enter the session inside the savepoint.
    reading = OdometerReading(
        vehicle_id=vehicle.id,
        read_on=read_on,
        km=km,
        source=source,
        recorded_by_id=actor.id if actor else None,
    )
    # Another reading went in meanwhile; the database trigger refused this one.
    higher_reading_meanwhile = {
        ODOMETER_GUARD: lambda: FleetError(
            _("Le kilométrage ne peut pas baisser : un relevé plus élevé vient d'être enregistré."),
            field=km_field,
        )
    }
    with refusing(higher_reading_meanwhile):
        db.session.add(reading)
    return reading


# --- Unavailability -----------------------------------------------------------------------------


def add_unavailability(
    vehicle: Vehicle,
    starts_at: datetime,
    ends_at: datetime,
    kind: UnavailabilityKind,
    reason: str | None,
    actor: User,
) -> Unavailability:
    if ends_at <= starts_at:
        raise FleetError(_("La date de fin doit être après la date de début."), field="last_day")
    if ends_at <= utcnow():
        raise FleetError(
            _(
                "Cette période est entièrement passée : une indisponibilité se déclare pour "
                "aujourd'hui ou pour plus tard (un entretien passé s'inscrit dans le carnet d'entretien)."
            ),
            field="last_day",
        )
    overlapping = vehicle.unavailabilities_overlapping(starts_at, ends_at)
    if overlapping:
        other = overlapping[0]
        first, last = other.local_days
        raise FleetError(
            _(
                "Le véhicule est déjà indisponible sur une partie de cette période (du %(first)s au %(last)s).",
                first=_fr_date(first),
                last=_fr_date(last),
            ),
            field="first_day",
        )
    def holding_references() -> list[str]:
        return [
            reference
            for source in plugged().holding_periods
            for reference in source.holding_references(vehicle.id, starts_at, ends_at)
        ]

    def booked_refusal(references: list[str]) -> FleetError:
        if not references:
            return FleetError(_("Le véhicule vient d'être réservé sur cette période."), field="first_day")
        return FleetError(
            ngettext(
                "Le véhicule est réservé sur cette période (location %(references)s) : "
                "confirmez-la avec un autre véhicule ou annulez-la d'abord.",
                "Le véhicule est réservé sur cette période (locations %(references)s) : "
                "confirmez-les avec d'autres véhicules ou annulez-les d'abord.",
                len(references),
                references=", ".join(references),
            ),
            field="first_day",
        )

    references = holding_references()
    if references:
        raise booked_refusal(references)
    # By id, not through the relationship: the row must enter the session inside the savepoint.
    unavailability = Unavailability(
        vehicle_id=vehicle.id,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        reason=reason,
        created_by_id=actor.id,
    )
    # A booking came in between the check and the write: the database refused the period.
    with refusing({UNAVAILABILITY_GUARD: lambda: booked_refusal(holding_references())}):
        db.session.add(unavailability)
    record(AuditAction.CREATE, "unavailability", unavailability.id, actor=actor)
    return unavailability


def delete_unavailability(unavailability: Unavailability, actor: User) -> None:
    record(AuditAction.DELETE, "unavailability", unavailability.id, actor=actor)
    db.session.delete(unavailability)
    db.session.flush()


# --- Maintenance --------------------------------------------------------------------------------


def add_maintenance(
    vehicle: Vehicle,
    *,
    done_on: date,
    kind: MaintenanceKind,
    odometer_km: int | None,
    cost_cents: int,
    garage: str | None,
    notes: str | None,
    actor: User,
    km_confirmed: bool = False,
) -> MaintenanceRecord:
    """Log work on the vehicle; a kilometre figure newer than the last reading becomes a reading."""
    if odometer_km is not None:
        last = vehicle.last_odometer_reading
        if last is None:
            record_odometer(
                vehicle, done_on, odometer_km, OdometerSource.MAINTENANCE, actor,
                km_field="odometer_km", implausible_confirmed=km_confirmed,
            )
        elif done_on >= _latest_reading_day(vehicle):
            if odometer_km < last.km:
                raise FleetError(_odometer_backwards_message(last), field="odometer_km")
            if odometer_km > last.km:
                record_odometer(
                vehicle, done_on, odometer_km, OdometerSource.MAINTENANCE, actor,
                km_field="odometer_km", implausible_confirmed=km_confirmed,
            )
        elif odometer_km > last.km:
            raise FleetError(
                _(
                    "Ce kilométrage dépasse celui du dernier relevé (%(km)s km le %(date)s), "
                    "alors que l'intervention est plus ancienne.",
                    km=_fr_km(last.km),
                    date=_fr_date(last.read_on),
                ),
                field="odometer_km",
            )
    entry = MaintenanceRecord(
        vehicle=vehicle,
        done_on=done_on,
        kind=kind,
        odometer_km=odometer_km,
        cost_cents=cost_cents,
        garage=garage,
        notes=notes,
        created_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    record(AuditAction.CREATE, "maintenance_record", entry.id, actor=actor)
    return entry


@dataclass(frozen=True)
class MaintenanceTotals:
    total_cents: int
    by_year: list[tuple[int, int]]  # (year, cents), latest year first


def maintenance_totals(vehicle: Vehicle) -> MaintenanceTotals:
    by_year: dict[int, int] = defaultdict(int)
    for entry in vehicle.maintenance_records:
        by_year[entry.done_on.year] += entry.cost_cents
    return MaintenanceTotals(sum(by_year.values()), sorted(by_year.items(), reverse=True))


# --- Overview for the fleet home page -----------------------------------------------------------


@dataclass(frozen=True)
class FleetOverview:
    by_status: dict[str, int]  # status value -> vehicles
    by_category: list[tuple[VehicleCategory, int]]  # vehicles not retired
    sites: int
    alerts: list[tuple[Vehicle, list]]  # vehicles with alerts, most urgent first

    @property
    def vehicles(self) -> int:
        return sum(self.by_status.values())


def overview(user: User, today: date | None = None) -> FleetOverview:
    today = today or today_of_france()
    vehicles = list(db.session.scalars(visible_vehicles(user)))
    by_status = {status.value: 0 for status in VehicleStatus}
    by_category = {category: 0 for category in VehicleCategory}
    alerts = []
    for vehicle in vehicles:
        by_status[vehicle.status.value] += 1
        if vehicle.status is not VehicleStatus.RETIRED:
            by_category[vehicle.category] += 1
        vehicle_alerts = vehicle.alerts(today)
        if vehicle_alerts:
            alerts.append((vehicle, vehicle_alerts))
    alerts.sort(key=lambda item: item[1][0].due_on)
    sites = db.session.scalar(
        select(func.count()).select_from(Site).where(Site.association_id == user.organisation_id, Site.active)
    )
    return FleetOverview(by_status, [(c, n) for c, n in by_category.items() if n], sites, alerts)
