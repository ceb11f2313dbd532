"""/api/v1 for bookings: availability, prescriptions, a booking, cancelling, the people followed.

Over the same services and messages as the pages (mobility.booking.services, eligibility,
access). Each view parses its input, checks the token's role, loads the object through the
shared loader (404 when the account may not see it), calls the service, commits once, and
turns each refusal into the JSON error of the rest of /api (mobility.api.errors):

- 400: the body is not a JSON object;
- 403: the token's role may not use the endpoint;
- 404: nothing the token's account may see;
- 409: the vehicle was just taken or nothing is free (`alternatives`), or a move the
  booking's status does not allow;
- 422: bad input (`fields` names each one) or the person is not eligible (`refusals`,
  each with a code, the reason and what to do, and `fields` too).

A blueprint of its own rather than the `api` one: availability, a booking and cancelling
are open to beneficiary accounts as well, which the `api` blueprint refuses as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from mobility.api import errors
from mobility.api import services as tokens
from mobility.api.errors import ApiError, default_message, json_error
from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.services import get_visible_beneficiary, own_file, visible_beneficiaries
from mobility.booking import access, services
from mobility.booking.eligibility import (
    NotEligible,
    Purpose,
    Refusal,
    check_category_offered,
    check_dates_in_order,
    check_duration,
    check_start_not_past,
    refusals_by_category,
    settings_from_config,
)
from mobility.booking.forms import PURPOSE_DETAIL_MAX, REASON_MAX, REASON_TOO_LONG
from mobility.booking.models import HOLDING_STATUSES, Booking, local
from mobility.booking.pricing import quote, rental_days
from mobility.booking.services import (
    BookingError,
    IllegalMove,
    ReasonRequired,
    RequestDetails,
    VehicleTaken,
)
from mobility.core.time import utcnow
from mobility.extensions import csrf, db
from mobility.fleet.models import Vehicle, VehicleCategory
from mobility.territory.models import EmploymentBasin

bp = Blueprint("booking_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
errors.register(bp)

# Ids are database integers: anything larger is refused before it reaches the database.
MAX_ID = 2**31 - 1
MAX_PARAMETER = 100
BENEFICIARIES_PER_PAGE = 50
BENEFICIARIES_MAX_PER_PAGE = 100

PRESCRIBERS = (Role.REFERENT, Role.ADMIN)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"\d{2}:\d{2}")

# Where each eligibility refusal belongs among the request's fields; the rest are about the person.
REFUSAL_FIELDS = {
    "dates_reversed": "end",
    "start_in_past": "start",
    "category_not_offered": "category",
    "duration_too_long": "end",
    "purpose_missing": "purpose",
    "purpose_detail_missing": "purpose_detail",
}
# The services name form fields; the API's names differ for these.
SERVICE_FIELDS = {"basin_id": "basin"}


class DetailedApiError(ApiError):
    """An ApiError whose body says more: the eligibility refusals, or the free alternatives."""

    def __init__(self, status: int, message: str, fields: dict | None = None, **details: Any):
        super().__init__(status, message, fields)
        self.details = details


@bp.errorhandler(DetailedApiError)
def detailed_api_error(error: DetailedApiError):
    response = json_error(error.status, error.message, error.fields)
    body = response.get_json()
    body["error"].update(error.details)
    response.set_data(current_app.json.dumps(body))
    return response


# Authentication and roles -----------------------------------------------------------------


def current_api_user() -> User:
    return g.api_user


@bp.before_request
def authenticate():
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    user = tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(401, _("Jeton d'API manquant, inconnu, révoqué, ou compte désactivé."))
    db.session.commit()  # last_used_at
    g.api_user = user


@bp.after_request
def no_shared_caching(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def roles_allowed(*roles: Role, message: Callable[[], str]):
    """Only these roles may use the endpoint; any other gets 403 with `message()`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_api_user().role not in roles:
                raise ApiError(403, message())
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _prescribers_only() -> str:
    return _("Seuls les référents et les administrateurs peuvent demander une location pour une personne.")


def _followers_only() -> str:
    return _("Seuls les référents et les administrateurs suivent des personnes.")


# Input ------------------------------------------------------------------------------------


class FieldErrors(dict):
    """{field: [messages]}: every bad field at once, as the forms do."""

    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self:
            raise ApiError(422, default_message(422), dict(self))


def _is_text(value: Any) -> bool:
    """A string that can be stored: JSON's "\\udcff" escapes give lone surrogates that cannot."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _missing(name: str, fields: FieldErrors) -> None:
    fields.add(name, _("Ce champ est obligatoire."))


def json_object(*, empty_allowed: bool = False) -> dict:
    """The request's JSON object; 400 for anything else (an empty body may stand for {})."""
    body = request.get_data(cache=True)
    if empty_allowed and not body.strip():
        return {}
    try:
        data = current_app.json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, _('Le corps de la demande doit être un objet JSON, par exemple {"reason": "…"}.'))
    return data


def parse_text(
    value: Any, name: str, fields: FieldErrors, max_length: int, too_long: str | None = None
) -> str | None:
    """Optional text, stripped; None when absent or blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not _is_text(value):
        fields.add(name, _("Saisissez un texte."))
        return None
    value = value.strip()
    if len(value) > max_length:
        fields.add(name, too_long or _("Ce champ ne doit pas dépasser %(max)d caractères.", max=max_length))
        return None
    return value


def parse_id(value: Any, name: str, fields: FieldErrors, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            _missing(name, fields)
        return None
    # bool is an int in Python: true is never an id.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        fields.add(name, _("Saisissez un identifiant : un nombre entier positif, par exemple 12."))
        return None
    return value


def parse_enum(enum_class, value: Any, name: str, fields: FieldErrors, required: bool = False):
    if value is None or value == "":
        if required:
            _missing(name, fields)
        return None
    member = next((m for m in enum_class if isinstance(value, str) and m.value == value.strip()), None)
    if member is None:
        allowed = ", ".join(m.value for m in enum_class)
        fields.add(name, _("Valeur inconnue. Valeurs possibles : %(values)s.", values=allowed))
    return member


def parse_basin(value: Any, name: str, fields: FieldErrors) -> EmploymentBasin | None:
    if value is None or value == "":
        return None
    basin = None
    if _is_text(value) and len(value) <= MAX_PARAMETER:
        basin = db.session.scalar(select(EmploymentBasin).where(EmploymentBasin.code == value.strip()))
    if basin is None:
        codes = ", ".join(row.code for row in EmploymentBasin.all_ordered())
        fields.add(name, _("Bassin inconnu. Valeurs possibles : %(values)s.", values=codes))
    return basin


def parse_day(value: Any, name: str, fields: FieldErrors, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            _missing(name, fields)
        return None
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    fields.add(name, _("Saisissez une date au format AAAA-MM-JJ, par exemple 2026-12-07."))
    return None


def parse_clock(value: Any, name: str, fields: FieldErrors) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and _CLOCK.fullmatch(value.strip()):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    fields.add(name, _("Saisissez une heure au format HH:MM, par exemple 09:00."))
    return None


def parse_page(value: Any, name: str, fields: FieldErrors, default: int, maximum: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 6:
        number = int(value)
        if 1 <= number <= maximum:
            return number
    fields.add(name, _("Saisissez un nombre entier de 1 à %(max)s.", max=maximum))
    return default


def _check_period(starts_at: datetime, ends_at: datetime, fields: FieldErrors) -> None:
    """The return after the pickup, as the request service checks it."""
    if ends_at <= starts_at:
        fields.add("return_time", _("L'heure de retour doit être après l'heure de prise en charge."))


def _api_field(service_field: str | None) -> str | None:
    return SERVICE_FIELDS.get(service_field, service_field)


# Output -----------------------------------------------------------------------------------


def shows_plate(user: User, vehicle: Vehicle) -> bool:
    """Plates for those who keep the fleet, and fleet staff only for their association's."""
    if not access.may_see_plates(user):
        return False
    return user.role is Role.ADMIN or vehicle.association_id == user.organisation_id


def _moment(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, in French time."""
    return local(value).isoformat() if value is not None else None


def booking_json(booking: Booking, user: User) -> dict:
    vehicle = services.vehicle_summary(booking.vehicle, shows_plate(user, booking.vehicle))
    return {
        "id": booking.id,
        "reference": booking.reference,
        "status": booking.status.value,
        "status_label": booking.status.label,
        "beneficiary_id": booking.beneficiary_id,
        "category": booking.category.value,
        "basin": booking.basin.code,
        "site": vehicle["site"],
        "vehicle": vehicle,
        "start": _moment(booking.starts_at),
        "end": _moment(booking.ends_at),
        "days": booking.days,
        "purpose": booking.purpose.value,
        "purpose_detail": booking.purpose_detail,
        "price_cents": booking.price_cents,
        "deposit_cents": booking.deposit_cents,
        "expires_at": _moment(booking.expires_at),
    }


def _refusals_error(refusals: list[Refusal]) -> DetailedApiError:
    # Only staff prescribe through the API: the reasons are worded for the référent.
    refusals = [refusal.worded_for(staff=True) for refusal in refusals]
    fields = FieldErrors()
    for refusal in refusals:
        fields.add(REFUSAL_FIELDS.get(refusal.code, "beneficiary_id"), str(refusal.message))
    return DetailedApiError(
        422,
        _("La location ne peut pas être demandée pour l'instant : voici pourquoi, et quoi faire."),
        dict(fields),
        refusals=[refusal.as_dict() for refusal in refusals],
    )


def _today() -> date:
    return local(utcnow()).date()


# Availability -----------------------------------------------------------------------------


@bp.get("/availability")
def availability():
    """Free vehicles of a category on a period, in a basin or everywhere, with counts by basin."""
    user = current_api_user()
    args = request.args
    fields = FieldErrors()
    category = parse_enum(VehicleCategory, args.get("category"), "category", fields, required=True)
    basin = parse_basin(args.get("basin"), "basin", fields)
    starts_on = parse_day(args.get("start"), "start", fields, required=True)
    ends_on = parse_day(args.get("end"), "end", fields, required=True)
    pickup = parse_clock(args.get("pickup_time"), "pickup_time", fields)
    return_at = parse_clock(args.get("return_time"), "return_time", fields)
    fields.raise_if_any()

    settings = settings_from_config(current_app.config)
    for refusal in (
        check_dates_in_order(starts_on, ends_on),
        check_start_not_past(starts_on, _today()),
        check_category_offered(category, settings),
        check_duration(category, starts_on, ends_on, settings),
    ):
        if refusal is not None:
            fields.add(REFUSAL_FIELDS[refusal.code], str(refusal.message))
    fields.raise_if_any()
    starts_at, ends_at = services.period(
        starts_on,
        pickup or services.default_pickup_time(),
        ends_on,
        return_at or services.default_return_time(),
    )
    _check_period(starts_at, ends_at, fields)
    fields.raise_if_any()

    person = own_file(user) if user.role is Role.BENEFICIARY else None
    free = services.free_vehicles(
        category, starts_at, ends_at, near_commune=person.commune_insee if person else None
    )
    basins = EmploymentBasin.all_ordered()
    free_in = {row.id: 0 for row in basins}
    for vehicle in free:
        free_in[vehicle.site.basin_id] += 1
    shown = [v for v in free if basin is None or v.site.basin_id == basin.id]
    try:
        tariff = services.tariff_for(category, _today())
    except BookingError:
        priced = None
    else:
        priced = quote(tariff.as_rule(), starts_on, ends_on)
    return jsonify(
        {
            "category": category.value,
            "basin": basin.code if basin else None,
            "start": _moment(starts_at),
            "end": _moment(ends_at),
            "days": rental_days(starts_on, ends_on),
            "price_cents": priced.price_cents if priced else None,
            "deposit_cents": priced.deposit_cents if priced else None,
            "count": len(shown),
            "by_basin": [{"basin": row.code, "name": row.name, "free": free_in[row.id]} for row in basins],
            "vehicles": [services.vehicle_summary(v, shows_plate(user, v)) for v in shown],
        }
    )


# Prescriptions ----------------------------------------------------------------------------


def followed_beneficiaries(user: User):
    """The people a référent's organisation follows; for an admin, the Département's own.

    Not every file for admins: the plan's tools hold admin tokens, and they never get
    names (DESIGN §7).
    """
    return (
        visible_beneficiaries(user)
        .order_by(None)
        .order_by(Beneficiary.last_name, Beneficiary.first_name, Beneficiary.id)
    )


def followed_beneficiary(beneficiary_id: int, user: User) -> Beneficiary | None:
    if user.role is Role.REFERENT:
        return get_visible_beneficiary(beneficiary_id, user)
    return db.session.scalar(followed_beneficiaries(user).where(Beneficiary.id == beneficiary_id))


def _request_details(data: Mapping[str, Any]) -> tuple[int, RequestDetails]:
    """The beneficiary's id and what they ask for; 422 naming every bad field."""
    fields = FieldErrors()
    beneficiary_id = parse_id(data.get("beneficiary_id"), "beneficiary_id", fields, required=True)
    category = parse_enum(VehicleCategory, data.get("category"), "category", fields, required=True)
    basin = parse_basin(data.get("basin"), "basin", fields)
    vehicle_id = parse_id(data.get("vehicle_id"), "vehicle_id", fields)
    if basin is None and vehicle_id is None and "basin" not in fields and "vehicle_id" not in fields:
        fields.add("basin", _("Choisissez un bassin d'emploi, ou un véhicule (vehicle_id)."))
    starts_on = parse_day(data.get("start"), "start", fields, required=True)
    ends_on = parse_day(data.get("end"), "end", fields, required=True)
    purpose = parse_enum(Purpose, data.get("purpose"), "purpose", fields, required=True)
    purpose_detail = parse_text(data.get("purpose_detail"), "purpose_detail", fields, PURPOSE_DETAIL_MAX)
    pickup = parse_clock(data.get("pickup_time"), "pickup_time", fields)
    return_at = parse_clock(data.get("return_time"), "return_time", fields)
    fields.raise_if_any()
    return beneficiary_id, RequestDetails(
        category=category,
        basin_id=basin.id if basin else None,
        starts_on=starts_on,
        ends_on=ends_on,
        purpose=purpose,
        purpose_detail=purpose_detail,
        pickup_time=pickup,
        return_time=return_at,
        vehicle_id=vehicle_id,
    )


@bp.post("/bookings")
@roles_allowed(*PRESCRIBERS, message=_prescribers_only)
def create_booking():
    """A référent (or an admin) asks for a vehicle for someone they follow: approved at once."""
    user = current_api_user()
    beneficiary_id, details = _request_details(json_object())
    beneficiary = followed_beneficiary(beneficiary_id, user)
    if beneficiary is None:
        raise ApiError(404, default_message(404))
    try:
        booking = services.request_booking(beneficiary, details, user)
    except NotEligible as refused:
        db.session.rollback()
        raise _refusals_error(refused.refusals) from None
    except VehicleTaken as taken:
        db.session.rollback()
        raise DetailedApiError(
            409, taken.message, alternatives=taken.alternatives.as_dict(access.may_see_plates(user))
        ) from None
    except BookingError as refused:
        db.session.rollback()
        field = _api_field(refused.field)
        raise ApiError(422, refused.message, {field: [refused.message]} if field else {}) from None
    db.session.commit()
    response = jsonify(booking_json(booking, user))
    response.status_code = 201
    response.headers["Location"] = url_for("booking_api.show_booking", booking_id=booking.id)
    return response


# One booking ------------------------------------------------------------------------------


def booking_or_404(booking_id: int, user: User) -> Booking:
    booking = access.get_visible_booking(booking_id, user)
    if booking is None:
        raise ApiError(404, default_message(404))
    return booking


@bp.get(f"/bookings/<int(max={MAX_ID}):booking_id>")
def show_booking(booking_id: int):
    user = current_api_user()
    booking = booking_or_404(booking_id, user)
    record(AuditAction.READ, "booking", booking.id, actor=user)
    response = jsonify(booking_json(booking, user))
    db.session.commit()
    return response


@bp.post(f"/bookings/<int(max={MAX_ID}):booking_id>/cancel")
def cancel_booking(booking_id: int):
    """Cancel with a reason (staff must give one: the person reads it)."""
    user = current_api_user()
    booking = booking_or_404(booking_id, user)
    fields = FieldErrors()
    reason = parse_text(
        json_object(empty_allowed=True).get("reason"), "reason", fields, REASON_MAX, REASON_TOO_LONG
    )
    fields.raise_if_any()
    try:
        services.cancel(booking, user, reason)
    except IllegalMove as refused:
        db.session.rollback()
        raise ApiError(409, refused.message) from None
    except ReasonRequired as refused:
        db.session.rollback()
        raise ApiError(422, refused.message, {"reason": [refused.message]}) from None
    db.session.commit()
    return jsonify(booking_json(booking, user))


# The people followed ----------------------------------------------------------------------


def _holding_counts(beneficiary_ids: list[int]) -> dict[int, int]:
    """services.holding_bookings_of for a page of people, in one query."""
    rows = db.session.execute(
        select(Booking.beneficiary_id, func.count(Booking.id))
        .where(Booking.beneficiary_id.in_(beneficiary_ids), Booking.status.in_(HOLDING_STATUSES))
        .group_by(Booking.beneficiary_id)
    )
    return {beneficiary_id: count for beneficiary_id, count in rows}


@bp.get("/beneficiaries")
@roles_allowed(*PRESCRIBERS, message=_followers_only)
def beneficiaries():
    """The people followed, a page at a time, with what each may rent today and why not.

    Each person listed is a read of their file: one audit row per person returned.
    """
    user = current_api_user()
    fields = FieldErrors()
    page_number = parse_page(request.args.get("page"), "page", fields, 1, 100_000)
    per_page = parse_page(
        request.args.get("per_page"), "per_page", fields, BENEFICIARIES_PER_PAGE, BENEFICIARIES_MAX_PER_PAGE
    )
    fields.raise_if_any()
    page = db.paginate(
        followed_beneficiaries(user),
        page=page_number,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
    people = list(page.items)
    holding = _holding_counts([person.id for person in people])
    settings = settings_from_config(current_app.config)
    today = _today()
    listed = []
    for person in people:
        refusals = refusals_by_category(person, holding.get(person.id, 0), today, settings)
        listed.append(
            {
                "id": person.id,
                "display_name": person.display_name,
                "basin": person.basin.code,
                "holding_bookings": holding.get(person.id, 0),
                "eligible_categories": [category.value for category, why in refusals.items() if not why],
                "refusals_by_category": {
                    category.value: [refusal.worded_for(staff=True).as_dict() for refusal in why]
                    for category, why in refusals.items()
                },
            }
        )
        record(AuditAction.READ, "beneficiary", person.id, actor=user)
    db.session.commit()
    return jsonify(
        {
            "count": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "pages": page.pages,
            "beneficiaries": listed,
        }
    )
