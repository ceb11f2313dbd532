from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from mobility.auth.labels import organisation_kind_label, role_label
from mobility.core.types import UTCDateTime, str_enum
from mobility.core.time import utcnow
from mobility.extensions import db
from mobility.territory.models import EmploymentBasin


class OrganisationKind(enum.Enum):
    DEPARTEMENT = "departement"
    ASSOCIATION = "association"
    PRESCRIBER = "prescriber"


class Role(enum.Enum):
    BENEFICIARY = "beneficiary"
    REFERENT = "referent"
    FLEET = "fleet"
    ADMIN = "admin"


organisation_basin = Table(
    "organisation_basin",
    db.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("basin_id", ForeignKey("employment_basin.id"), primary_key=True),
)


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(
            "NOT is_mission_locale OR kind = 'prescriber'", name="mission_locale_is_prescriber"
        ),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        # 14 digits (the Luhn key is checked by the form: core/siret.py); ltrim with a set of
        # characters is the same function on SQLite and PostgreSQL.
        CheckConstraint("siret IS NULL OR (length(siret) = 14 AND ltrim(siret, '0123456789') = '')", name="siret_fourteen_digits"),
        CheckConstraint("postal_address IS NULL OR length(trim(postal_address)) > 0", name="postal_address_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    # Printed on the Cerfa 15776 (the cession file) for an association or the Département.
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    postal_address: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    is_mission_locale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # An association's number to call when something goes wrong with a vehicle (shown to the
    # person who reports an incident).
    emergency_phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    basins: Mapped[list[EmploymentBasin]] = relationship(
        secondary=organisation_basin, order_by=EmploymentBasin.name
    )
    users: Mapped[list["User"]] = relationship(back_populates="organisation")

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return organisation_kind_label(self)

    @classmethod
    def all_ordered(cls) -> list["Organisation"]:
        # Lists show each organisation's basins: one more query in all, not one per row.
        return list(db.session.scalars(select(cls).options(selectinload(cls.basins)).order_by(cls.name)))


# Which organisation kinds each role may belong to.
ROLE_ORGANISATION_KINDS = {
    Role.BENEFICIARY: {OrganisationKind.PRESCRIBER, OrganisationKind.DEPARTEMENT},
    Role.REFERENT: {OrganisationKind.PRESCRIBER, OrganisationKind.DEPARTEMENT},
    Role.FLEET: {OrganisationKind.ASSOCIATION},
    Role.ADMIN: {OrganisationKind.DEPARTEMENT},
}


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
        CheckConstraint("locale IS NULL OR locale IN ('fr', 'en')", name="locale_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # NULL until the person sets a first password from their invitation.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # Bumped by a password change and by "log out everywhere": older sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    locale: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

    def __str__(self) -> str:
        return self.full_name

    # The token of the login session this object was loaded through (set by auth.sessions,
    # never stored on the account): what Flask-Login keeps in the session and remember-me cookies.
    session_token = None

    # Identity, not Flask-Login's comparison of get_id(): two objects of one account are equal
    # whatever session loaded them.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def get_id(self) -> str:
        """Flask-Login: a revocable session token, never the account id (a copied cookie must
        become worthless at logout)."""
        if not self.session_token:
            raise RuntimeError("log in through mobility.auth.sessions.start_session")
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def revoke_sessions(self) -> None:
        self.session_version += 1

    @property
    def role_label(self) -> str:
        return role_label(self.role)


class UserSession(db.Model):
    """One login: the session cookie and the remember-me cookie carry its random token (only
    its SHA-256 is kept). Logging out revokes it; it never outlives expires_at; a password
    change, "log out everywhere" or a deactivation (the account's session version) ends all."""

    __tablename__ = "user_session"
    __table_args__ = (
        CheckConstraint("length(token_hash) = 64", name="token_hash_is_sha256_hex"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The account's session version at login: bumping it ends this session too.
    session_version: Mapped[int] = mapped_column(Integer)
    remember: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
