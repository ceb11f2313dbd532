from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.auth.models import Organisation, User
from mobility.core.french import sort_key as french_sort_key, sort_key_column_type
from mobility.core.types import UTCDateTime, str_enum
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.notify.contacts import Contact
from mobility.notify.models import ContactChoice
from mobility.territory.models import Commune, EmploymentBasin

# Age bands kept after anonymisation (those the plan's indicators use).
AGE_BANDS = ((0, 25, "-26"), (26, 34, "26-34"), (35, 44, "35-44"), (45, 54, "45-54"), (55, 200, "55+"))


def age_band(age: int) -> str:
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


class Beneficiary(db.Model):
    """A person followed by a référent. Deliberately no NIR, no CAF file, no health data."""

    __tablename__ = "beneficiary"
    __table_args__ = (
        CheckConstraint("length(trim(first_name)) > 0", name="first_name_not_blank"),
        CheckConstraint("length(trim(last_name)) > 0", name="last_name_not_blank"),
        CheckConstraint("birth_date > '1900-01-01'", name="birth_date_plausible"),
        # Only an anonymised file lacks its birth date and commune (kept as age band and basin).
        CheckConstraint(
            "anonymised_on IS NOT NULL OR (birth_date IS NOT NULL AND commune_insee IS NOT NULL)",
            name="identity_until_anonymised",
        ),
        CheckConstraint(
            "(rsa_checked_on IS NULL) = (rsa_checked_by_id IS NULL)", name="rsa_check_has_author"
        ),
        CheckConstraint(
            "(driving_rights_checked_on IS NULL) = (driving_rights_checked_by_id IS NULL)",
            name="driving_check_has_author",
        ),
        CheckConstraint(
            "licence_b_issued_on IS NOT NULL OR licence_b_expires_on IS NULL",
            name="licence_expiry_needs_licence",
        ),
        CheckConstraint(
            "licence_b_expires_on IS NULL OR licence_b_expires_on > licence_b_issued_on",
            name="licence_expires_after_issue",
        ),
        # The list of an organisation's files, in alphabetical order, a page at a time.
        Index("ix_beneficiary_organisation_name", "organisation_id", "sort_key", "id"),
        # The name search ("contains", any case): trigrams on PostgreSQL (pg_trgm); SQLite has
        # none and keeps an ordinary index of the same columns.
        Index(
            "ix_beneficiary_name_trgm",
            "first_name",
            "last_name",
            postgresql_using="gin",
            postgresql_ops={"first_name": "gin_trgm_ops", "last_name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    # Last name then first name as a French reader files them (accents ignored).
    sort_key: Mapped[str] = mapped_column(sort_key_column_type(170), server_default="", index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    birth_date: Mapped[date | None] = mapped_column(Date)
    commune_insee: Mapped[str | None] = mapped_column(ForeignKey("commune.insee_code"), index=True)
    # E-mail, SMS or both; None: every channel the contact details allow.
    contact_channel: Mapped[ContactChoice | None] = mapped_column(str_enum(ContactChoice, "contact_choice"))

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    referent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The person's own login, once the référent has invited them.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)

    rsa_checked_on: Mapped[date | None] = mapped_column(Date)
    rsa_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    licence_b_issued_on: Mapped[date | None] = mapped_column(Date)
    licence_b_expires_on: Mapped[date | None] = mapped_column(Date)
    has_am_licence: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    driving_rights_checked_on: Mapped[date | None] = mapped_column(Date)
    driving_rights_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    cer_valid_until: Mapped[date | None] = mapped_column(Date)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Retention runs from the last contact (CNIL framework: 2 years).
    last_contact_on: Mapped[date] = mapped_column(Date, default=date.today)
    # Retention (RGPD): the anonymisation date the référent was told about, and what is kept.
    retention_notice_for: Mapped[date | None] = mapped_column(Date)
    anonymised_on: Mapped[date | None] = mapped_column(Date)
    age_band: Mapped[str | None] = mapped_column(String(8))
    anonymised_basin_id: Mapped[int | None] = mapped_column(ForeignKey("employment_basin.id"))

    commune: Mapped[Commune | None] = relationship(lazy="joined")
    anonymised_basin: Mapped[EmploymentBasin | None] = relationship()
    organisation: Mapped[Organisation] = relationship()
    referent: Mapped[User | None] = relationship(foreign_keys=[referent_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    rsa_checked_by: Mapped[User | None] = relationship(foreign_keys=[rsa_checked_by_id])
    driving_rights_checked_by: Mapped[User | None] = relationship(
        foreign_keys=[driving_rights_checked_by_id]
    )

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def basin(self):
        return self.commune.basin if self.commune is not None else self.anonymised_basin

    def contact(self) -> Contact:
        """How messages reach the person: their login's address first, then the file's."""
        account = self.user if self.user is not None and self.user.active else None
        return Contact.of(
            email=account.email if account is not None else self.email,
            phone=self.phone,
            language=account.locale if account is not None else None,
            choice=self.contact_channel,
        )

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_on is not None

    def anonymise(self, day: date) -> None:
        """Keep what the indicators count (age band, basin), drop what identifies the person.

        The file id stays, so bookings, payments and figures remain, pseudonymous.
        """
        if self.is_anonymised:
            return
        self.age_band = age_band(self.age_on(day)) if self.birth_date else None
        self.anonymised_basin_id = self.commune.basin_id if self.commune is not None else None
        self.first_name = "Anonyme"
        self.last_name = f"n° {self.id}"
        self.email = None
        self.phone = None
        self.birth_date = None
        self.commune_insee = None
        self.commune = None
        self.contact_channel = None
        self.licence_b_issued_on = None
        self.licence_b_expires_on = None
        self.cer_valid_until = None
        self.anonymised_on = day

    @property
    def has_licence_b(self) -> bool:
        return self.licence_b_issued_on is not None

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def licence_b_valid_on(self, day: date) -> bool:
        return self.has_licence_b and (
            self.licence_b_expires_on is None or self.licence_b_expires_on >= day
        )


@event.listens_for(Beneficiary, "before_insert")
@event.listens_for(Beneficiary, "before_update")
def _file_beneficiary(mapper, connection, beneficiary: Beneficiary) -> None:
    beneficiary.sort_key = french_sort_key(beneficiary.last_name, beneficiary.first_name)
