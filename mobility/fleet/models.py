"""Fleet: sites, vehicles, odometer readings, unavailability, maintenance and documents.

Invariants are CHECK/UNIQUE/FOREIGN KEY constraints too; the odometer's "never goes down"
is a trigger in the migration (it compares rows, which a CHECK cannot).
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import Organisation, User
from mobility.core.types import UTCDateTime, str_enum
from mobility.core.time import PARIS, utcnow
from mobility.extensions import db
from mobility.fleet.rules import ACCEPTED_CONTENT_TYPES, MAX_DOCUMENT_BYTES, Alert, expiry_alerts
from mobility.territory.models import Commune, EmploymentBasin


# The database's guards that services turn into refusals, by name (see mobility.core.db): the
# odometer trigger's own message, and the trigger refusing an unavailability over a booking.
ODOMETER_GUARD = "odometer reading below the last reading of the vehicle"
UNAVAILABILITY_GUARD = "unavailability_over_booking"


class _Labelled(enum.Enum):
    """Enum whose members have a French label: `vehicle.category.label`."""

    @property
    def label(self) -> str:
        return str(LABELS[self])


class VehicleCategory(_Labelled):
    CAR = "car"
    VSP = "vsp"
    SCOOTER = "scooter"
    EBIKE = "ebike"


class Energy(_Labelled):
    PETROL = "petrol"
    DIESEL = "diesel"
    ELECTRIC = "electric"
    HYBRID = "hybrid"
    LPG = "lpg"


class Gearbox(_Labelled):
    MANUAL = "manual"
    AUTOMATIC = "automatic"


class VehicleOrigin(_Labelled):
    PURCHASED = "purchased"
    CEDED = "ceded"


class VehicleStatus(_Labelled):
    ACTIVE = "active"
    MAINTENANCE = "maintenance"
    RETIRED = "retired"


class OdometerSource(_Labelled):
    HANDOVER = "handover"
    RETURN = "return"
    MAINTENANCE = "maintenance"
    MANUAL = "manual"


class UnavailabilityKind(_Labelled):
    MAINTENANCE = "maintenance"
    REPAIR = "repair"
    INCIDENT = "incident"
    OTHER = "other"


class MaintenanceKind(_Labelled):
    SERVICE = "service"
    REPAIR = "repair"
    TYRES = "tyres"
    TECHNICAL_INSPECTION = "technical_inspection"
    OTHER = "other"


class DocumentKind(_Labelled):
    REGISTRATION = "registration"
    INSURANCE = "insurance"
    TECHNICAL_INSPECTION = "technical_inspection"
    OTHER = "other"


LABELS = {
    VehicleCategory.CAR: _l("Voiture (permis B)"),
    VehicleCategory.VSP: _l("Voiture sans permis"),
    VehicleCategory.SCOOTER: _l("Scooter"),
    VehicleCategory.EBIKE: _l("Vélo à assistance électrique"),
    Energy.PETROL: _l("Essence"),
    Energy.DIESEL: _l("Diesel"),
    Energy.ELECTRIC: _l("Électrique"),
    Energy.HYBRID: _l("Hybride"),
    Energy.LPG: _l("GPL"),
    Gearbox.MANUAL: _l("Manuelle"),
    Gearbox.AUTOMATIC: _l("Automatique"),
    VehicleOrigin.PURCHASED: _l("Acheté ou loué par l'association"),
    VehicleOrigin.CEDED: _l("Cédé par le Département"),
    VehicleStatus.ACTIVE: _l("En service"),
    VehicleStatus.MAINTENANCE: _l("En entretien"),
    VehicleStatus.RETIRED: _l("Retiré de la flotte"),
    OdometerSource.HANDOVER: _l("Remise du véhicule"),
    OdometerSource.RETURN: _l("Retour du véhicule"),
    OdometerSource.MAINTENANCE: _l("Entretien"),
    OdometerSource.MANUAL: _l("Relevé manuel"),
    UnavailabilityKind.MAINTENANCE: _l("Entretien"),
    UnavailabilityKind.REPAIR: _l("Réparation"),
    UnavailabilityKind.INCIDENT: _l("Sinistre ou incident"),
    UnavailabilityKind.OTHER: _l("Autre"),
    MaintenanceKind.SERVICE: _l("Révision"),
    MaintenanceKind.REPAIR: _l("Réparation"),
    MaintenanceKind.TYRES: _l("Pneumatiques"),
    MaintenanceKind.TECHNICAL_INSPECTION: _l("Contrôle technique"),
    MaintenanceKind.OTHER: _l("Autre"),
    DocumentKind.REGISTRATION: _l("Certificat d'immatriculation (carte grise)"),
    DocumentKind.INSURANCE: _l("Attestation d'assurance"),
    DocumentKind.TECHNICAL_INSPECTION: _l("Procès-verbal de contrôle technique"),
    DocumentKind.OTHER: _l("Autre document"),
}

# Most seats a vehicle of each category may have (a VSP, L6e, has two at most).
MAX_SEATS = {
    VehicleCategory.CAR: 9,
    VehicleCategory.VSP: 2,
    VehicleCategory.SCOOTER: 2,
    VehicleCategory.EBIKE: 1,
}


def new_ics_token() -> str:
    return secrets.token_urlsafe(32)


class Site(db.Model):
    """A pickup and return place of an association."""

    __tablename__ = "site"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        CheckConstraint("length(trim(address)) > 0", name="address_not_blank"),
        CheckConstraint("length(ics_token) >= 32", name="ics_token_long_enough"),
        UniqueConstraint("association_id", "name", name="uq_site_association_id_name"),
        # Target of vehicle's (site_id, association_id): a vehicle's site is its association's.
        UniqueConstraint("id", "association_id", name="uq_site_id_association_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200))
    commune_insee: Mapped[str] = mapped_column(ForeignKey("commune.insee_code"), index=True)
    basin_id: Mapped[int] = mapped_column(ForeignKey("employment_basin.id"), index=True)
    opening_hours: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(20))
    # Secret of the site's ICS feed URL; revoking it means generating a new one.
    ics_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_ics_token)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))

    association: Mapped[Organisation] = relationship()
    commune: Mapped[Commune] = relationship(lazy="joined")
    basin: Mapped[EmploymentBasin] = relationship(lazy="joined")
    vehicles: Mapped[list[Vehicle]] = relationship(
        back_populates="site",
        primaryjoin="Site.id == foreign(Vehicle.site_id)",
        order_by="Vehicle.plate",
    )

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return f"{self.name} ({self.commune.name})"

    def regenerate_ics_token(self) -> None:
        self.ics_token = new_ics_token()


class Vehicle(db.Model):
    __tablename__ = "vehicle"
    __table_args__ = (
        ForeignKeyConstraint(
            ["site_id", "association_id"],
            ["site.id", "site.association_id"],
            name="fk_vehicle_site_id_site",
        ),
        CheckConstraint("plate = upper(plate) AND length(plate) BETWEEN 6 AND 12", name="plate_normalised"),
        CheckConstraint("vin IS NULL OR (length(vin) = 17 AND vin = upper(vin))", name="vin_format"),
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint(
            "seats <= CASE category WHEN 'car' THEN 9 WHEN 'ebike' THEN 1 ELSE 2 END",
            name="seats_within_category",
        ),
        CheckConstraint("cession_id IS NULL OR origin = 'ceded'", name="cession_only_if_ceded"),
        # A VIN is one vehicle through its whole life: a vehicle brought by a cession carries
        # that cession's VIN (mobility/cession/models.py holds the target).
        CheckConstraint("cession_id IS NULL OR vin IS NOT NULL", name="ceded_vehicle_has_vin"),
        ForeignKeyConstraint(
            ["cession_id", "vin"], ["cession.id", "cession.vin"], name="fk_vehicle_cession_id_cession"
        ),
        CheckConstraint("first_registered_on > '1950-01-01'", name="first_registered_plausible"),
        CheckConstraint("length(trim(make)) > 0 AND length(trim(model)) > 0", name="make_model_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    site_id: Mapped[int] = mapped_column(Integer, index=True)
    plate: Mapped[str] = mapped_column(String(12), unique=True)
    vin: Mapped[str | None] = mapped_column(String(17), unique=True)
    make: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(60))
    category: Mapped[VehicleCategory] = mapped_column(
        str_enum(VehicleCategory, "vehicle_category"), index=True
    )
    energy: Mapped[Energy] = mapped_column(str_enum(Energy, "energy"))
    gearbox: Mapped[Gearbox] = mapped_column(str_enum(Gearbox, "gearbox"))
    seats: Mapped[int] = mapped_column(Integer)
    first_registered_on: Mapped[date] = mapped_column(Date)
    origin: Mapped[VehicleOrigin] = mapped_column(str_enum(VehicleOrigin, "vehicle_origin"))
    # The Cession that brought a ceded vehicle (one vehicle per cession).
    cession_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    status: Mapped[VehicleStatus] = mapped_column(
        str_enum(VehicleStatus, "vehicle_status"), default=VehicleStatus.ACTIVE, index=True
    )
    insurance_expires_on: Mapped[date | None] = mapped_column(Date)
    technical_inspection_due_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    association: Mapped[Organisation] = relationship()
    site: Mapped[Site] = relationship(
        back_populates="vehicles", primaryjoin="foreign(Vehicle.site_id) == Site.id", lazy="joined"
    )
    odometer_readings: Mapped[list[OdometerReading]] = relationship(
        back_populates="vehicle",
        order_by="(OdometerReading.read_on.desc(), OdometerReading.km.desc(), OdometerReading.id.desc())",
        cascade="all, delete-orphan",
    )
    unavailabilities: Mapped[list[Unavailability]] = relationship(
        back_populates="vehicle", order_by="Unavailability.starts_at", cascade="all, delete-orphan"
    )
    maintenance_records: Mapped[list[MaintenanceRecord]] = relationship(
        back_populates="vehicle",
        order_by="(MaintenanceRecord.done_on.desc(), MaintenanceRecord.id.desc())",
        cascade="all, delete-orphan",
    )
    documents: Mapped[list[VehicleDocument]] = relationship(
        back_populates="vehicle", order_by="VehicleDocument.uploaded_at.desc()", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.make} {self.model} ({self.plate})"

    @property
    def label(self) -> str:
        return str(self)

    @property
    def current_odometer_km(self) -> int | None:
        """The highest reading (readings never go down), or None without any reading."""
        return db.session.scalar(
            select(func.max(OdometerReading.km)).where(OdometerReading.vehicle_id == self.id)
        )

    @property
    def last_odometer_reading(self) -> OdometerReading | None:
        return db.session.scalar(
            select(OdometerReading)
            .where(OdometerReading.vehicle_id == self.id)
            .order_by(OdometerReading.km.desc(), OdometerReading.read_on.desc(), OdometerReading.id.desc())
            .limit(1)
        )

    def alerts(self, today: date) -> list[Alert]:
        """Insurance or contrôle technique due within 30 days or past (none once retired)."""
        if self.status is VehicleStatus.RETIRED:
            return []
        return expiry_alerts(self.insurance_expires_on, self.technical_inspection_due_on, today)

    def unavailabilities_overlapping(self, starts_at: datetime, ends_at: datetime) -> list[Unavailability]:
        """Unavailability periods meeting the half-open period [starts_at, ends_at)."""
        return list(
            db.session.scalars(
                select(Unavailability)
                .where(
                    Unavailability.vehicle_id == self.id,
                    Unavailability.starts_at < ends_at,
                    Unavailability.ends_at > starts_at,
                )
                .order_by(Unavailability.starts_at)
            )
        )

    @property
    def is_in_service(self) -> bool:
        return self.status is VehicleStatus.ACTIVE


class OdometerReading(db.Model):
    """A reading of the odometer. Append-only; a trigger refuses one below the highest."""

    __tablename__ = "odometer_reading"
    __table_args__ = (
        CheckConstraint("km >= 0", name="km_not_negative"),
        CheckConstraint("km < 2000000", name="km_plausible"),
        Index("ix_odometer_reading_vehicle_id_km", "vehicle_id", "km"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"))
    read_on: Mapped[date] = mapped_column(Date)
    km: Mapped[int] = mapped_column(Integer)
    source: Mapped[OdometerSource] = mapped_column(str_enum(OdometerSource, "odometer_source"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vehicle: Mapped[Vehicle] = relationship(back_populates="odometer_readings")
    recorded_by: Mapped[User | None] = relationship()


class Unavailability(db.Model):
    """A period [starts_at, ends_at) when a vehicle cannot be booked."""

    __tablename__ = "unavailability"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_unavailability_vehicle_id_starts_at", "vehicle_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[UnavailabilityKind] = mapped_column(str_enum(UnavailabilityKind, "unavailability_kind"))
    reason: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vehicle: Mapped[Vehicle] = relationship(back_populates="unavailabilities")
    created_by: Mapped[User | None] = relationship()

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and self.ends_at > starts_at

    @property
    def whole_days(self) -> bool:
        """True when the period runs from midnight to midnight, Paris time."""
        return (
            self.starts_at.astimezone(PARIS).time() == time.min
            and self.ends_at.astimezone(PARIS).time() == time.min
        )

    @property
    def local_days(self) -> tuple[date, date]:
        """First and last day touched, Paris time (the end is exclusive)."""
        first = self.starts_at.astimezone(PARIS).date()
        end = self.ends_at.astimezone(PARIS)
        last = end.date() - timedelta(days=1) if end.time() == time.min else end.date()
        return first, max(first, last)


class MaintenanceRecord(db.Model):
    __tablename__ = "maintenance_record"
    __table_args__ = (
        CheckConstraint("cost_cents >= 0", name="cost_not_negative"),
        CheckConstraint("odometer_km IS NULL OR odometer_km >= 0", name="odometer_not_negative"),
        Index("ix_maintenance_record_vehicle_id_done_on", "vehicle_id", "done_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"))
    done_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[MaintenanceKind] = mapped_column(str_enum(MaintenanceKind, "maintenance_kind"))
    odometer_km: Mapped[int | None] = mapped_column(Integer)
    cost_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    garage: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vehicle: Mapped[Vehicle] = relationship(back_populates="maintenance_records")
    created_by: Mapped[User | None] = relationship()


def stored_file_constraints() -> tuple:
    """The database's share of the document rules, for every table of stored files (a new set
    each call: a constraint belongs to one table)."""
    return (
        CheckConstraint(f"size_bytes > 0 AND size_bytes <= {MAX_DOCUMENT_BYTES}", name="size_within_limit"),
        CheckConstraint(
            "content_type IN (" + ", ".join(f"'{value}'" for value in ACCEPTED_CONTENT_TYPES) + ")",
            name="content_type_accepted",
        ),
        CheckConstraint("length(trim(original_filename)) > 0", name="original_filename_not_blank"),
    )


class StoredFile:
    """The columns of a file kept under UPLOAD_DIR with a generated name: one owner for the
    vehicle documents and every other table of uploaded files (cessions)."""

    original_filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VehicleDocument(StoredFile, db.Model):
    """A file kept under UPLOAD_DIR with a generated name; the row says what it is."""

    __tablename__ = "vehicle_document"
    __table_args__ = stored_file_constraints()

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    expires_on: Mapped[date | None] = mapped_column(Date)

    vehicle: Mapped[Vehicle] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()


# The site's structured hours live beside their rules; imported here so that the metadata (and
# anything that loads the fleet's models) knows their tables.
from mobility.fleet.opening_hours import SiteClosure, SiteOpeningHours  # noqa: E402

__all_hours__ = (SiteClosure, SiteOpeningHours)
