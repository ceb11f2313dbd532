"""Search and filters of the booking lists (référents, admins, fleet staff), in SQL, a page at a time.

The filters travel in the URL (a GET form: Back and shared links keep them) as `q`, `statut`,
`site`, `du`, `au`. A value the page did not offer or cannot read gets a French message next to
its field and is ignored; the list still shows, never an error page.

What the search matches follows the privacy policy (mobility.booking.privacy): a booking's
reference for everyone; the person's name only for an audience that may read names (référents,
fleet staff), the plate only for those who keep the fleet (fleet staff, admins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.services import contains_pattern, name_matches
from mobility.booking import access, privacy
from mobility.booking.models import Booking, BookingStatus
from mobility.core.forms import BaseForm, EnumSelectField, FrenchDateField, optional_int, strip_filter
from mobility.core.time import local_midnight
from mobility.fleet import access as fleet_access
from mobility.fleet.models import Site, Vehicle

PER_PAGE = 25
SEARCH_MAX = 80
# "L-000123", "l000123", "123": a booking's reference, whatever the dash and the zeros.
_REFERENCE = re.compile(r"^(?:L-?)?0*(\d{1,9})$", re.IGNORECASE)
# Statuses whose list is worked through in date order (the next to act on first).
_BY_START = (BookingStatus.REQUESTED, BookingStatus.APPROVED, BookingStatus.CONFIRMED)


class BookingFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter that changes nothing

    q = StringField(
        _l("Rechercher"),
        filters=[strip_filter],
        validators=[Optional(), Length(max=SEARCH_MAX, message=_l("La recherche ne doit pas dépasser 80 caractères."))],
    )
    statut = EnumSelectField(
        _l("État"), BookingStatus, _l("Choisissez un état dans la liste."), placeholder=_l("Tous les états")
    )
    site = SelectField(_l("Site"), coerce=optional_int, validate_choice=False)
    du = FrenchDateField(_l("Du"), validators=[Optional()])
    au = FrenchDateField(_l("Au"), description=_l("Dernier jour, compris."), validators=[Optional()])

    def __init__(self, *args, sites: list[Site], user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.statut.allowed.add(None)  # blank: every status
        self.site.choices = [("", _l("Tous les sites"))] + [(site.id, site.name) for site in sites]
        self.q.description = search_hint(user)

    def validate_statut(self, field):
        if _typed(field) and field.data is None:
            raise ValidationError(_l("Choisissez un état dans la liste."))

    def validate_site(self, field):
        if _typed(field) and field.data not in {choice[0] for choice in field.choices[1:]}:
            raise ValidationError(_l("Choisissez un site dans la liste."))

    def validate_au(self, field):
        if field.data and self.du.data and field.data < self.du.data:
            raise ValidationError(_l("Le dernier jour doit être après le premier."))


def _typed(field) -> bool:
    """Something was sent for this filter (blank means "no filter")."""
    return bool(field.raw_data and field.raw_data[0].strip())


def search_hint(user: User):
    names, plates = _searches_names(user), access.may_see_plates(user)
    if names and plates:
        return _l("Référence de la location (L-000123), nom de la personne ou plaque.")
    if names:
        return _l("Référence de la location (L-000123) ou nom de la personne.")
    if plates:
        return _l("Référence de la location (L-000123) ou plaque.")
    return _l("Référence de la location (L-000123).")


def _searches_names(user: User) -> bool:
    return "display_name" in privacy.visible_person_fields(privacy.audience_of(user))


@dataclass(frozen=True)
class BookingFilters:
    search: str = ""
    status: BookingStatus | None = None
    site_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None

    def as_args(self) -> dict:
        """The filters as the URL spells them, for the pager's links (blank ones left out)."""
        args = {
            "q": self.search,
            "statut": self.status.value if self.status else "",
            "site": self.site_id or "",
            "du": self.starts_on.isoformat() if self.starts_on else "",
            "au": self.ends_on.isoformat() if self.ends_on else "",
        }
        return {name: value for name, value in args.items() if value}


def filter_sites(user: User) -> list[Site]:
    """The sites a list may be filtered on: fleet staff their association's, others every site."""
    from mobility.extensions import db

    if user.role is Role.FLEET:
        return list(db.session.scalars(fleet_access.visible_sites(user)))
    return list(db.session.scalars(select(Site).order_by(Site.name)))


def read_filters(form: BookingFilterForm) -> BookingFilters:
    """The valid filters of the form; a value refused is dropped (its field says why)."""
    form.validate()

    def ok(field):
        return field.data if not field.errors else None

    return (
        BookingFilters(
            search=ok(form.q) or "",
            status=ok(form.statut),
            site_id=ok(form.site),
            starts_on=ok(form.du),
            ends_on=ok(form.au),
        )
    )


def _search(query: Select, user: User, text: str) -> Select:
    """Bookings whose reference, person or plate matches: a union of booking ids, each part on
    its own index (the primary key, booking(beneficiary_id), booking(vehicle_id, starts_at)),
    so a search never walks the whole history to find a few rows."""
    matches = []
    reference = _REFERENCE.match(text)
    if reference:
        matches.append(select(Booking.id).where(Booking.id == int(reference.group(1))))
    if _searches_names(user):
        people = select(Beneficiary.id).where(name_matches(text))
        if user.role is Role.REFERENT:
            people = people.where(Beneficiary.organisation_id == user.organisation_id)
        matches.append(select(Booking.id).where(Booking.beneficiary_id.in_(people)))
    if access.may_see_plates(user):
        plate = re.sub(r"[\s-]", "", text).upper()
        if plate:
            vehicles = select(Vehicle.id).where(
                func.replace(func.replace(Vehicle.plate, "-", ""), " ", "").like(contains_pattern(plate).upper(), escape="\\")
            )
            if user.role is Role.FLEET:
                vehicles = vehicles.where(Vehicle.association_id == user.organisation_id)
            matches.append(select(Booking.id).where(Booking.vehicle_id.in_(vehicles)))
    if not matches:
        return query.where(False)
    return query.where(Booking.id.in_(union_all(*matches)))


def _ordered(query: Select, user: User, status: BookingStatus | None) -> Select:
    if user.role is not Role.FLEET:
        # Référents and admins: the most recent request first (index booking(created_at, id)).
        return query.order_by(Booking.created_at.desc(), Booking.id.desc())
    if status in _BY_START:
        return query.order_by(Booking.starts_at, Booking.id)
    if status is BookingStatus.IN_PROGRESS:
        return query.order_by(Booking.ends_at, Booking.id)
    # The association's history, latest departure first (index booking(association_id, starts_at)).
    return query.order_by(Booking.starts_at.desc(), Booking.id.desc())


def searched_bookings(user: User, filters: BookingFilters) -> Select:
    """The user's visible bookings matching the filters, sorted, with what a row shows in one
    selectin load each (vehicles, their sites with commune and basin, people). Not joined: the
    page's statement stays small enough for PostgreSQL to plan its joins freely (below
    join_collapse_limit), which a search needs."""
    query = access.visible_bookings(user).options(
        selectinload(Booking.vehicle).selectinload(Vehicle.site), selectinload(Booking.beneficiary)
    )
    if filters.search:
        query = _search(query, user, filters.search)
    if filters.status is not None:
        query = query.where(Booking.status == filters.status)
    if filters.site_id is not None:
        query = query.where(Booking.vehicle_id.in_(select(Vehicle.id).where(Vehicle.site_id == filters.site_id)))
    if filters.starts_on is not None:
        query = query.where(Booking.ends_at >= local_midnight(filters.starts_on))
    if filters.ends_on is not None:
        query = query.where(Booking.starts_at < local_midnight(filters.ends_on + timedelta(days=1)))
    return _ordered(query, user, filters.status)
