"""/api/v1 for bookings: availability, prescriptions, a booking, cancelling.

Over the same services and messages as the pages (mobility.booking.services, eligibility,
access). Each view gets its input validated by its schema, checks the token's role, loads the
object through the shared loader (404 when the account may not see it), calls the service and
turns each refusal into the JSON error of the rest of /api:

- 400: the body is not a JSON object;
- 403: the token's role may not use the endpoint;
- 404: nothing the token's account may see;
- 409: the vehicle was just taken or nothing is free (`alternatives`), or a move the
  booking's status does not allow;
- 422: bad input (`fields` names each one) or the person is not eligible (`refusals`,
  each with a code, the reason and what to do, and `fields` too).

Availability, a booking and cancelling are open to beneficiary accounts too.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from mobility.api.blueprint import PRESCRIBERS, blp, current_api_user, roles_allowed
from mobility.api.errors import ApiError, default_message
from mobility.api.idempotency import HEADER_PARAMETER, committed_write
from mobility.api.schemas.bookings import (
    AvailabilityQuerySchema,
    AvailabilitySchema,
    BookingRequestSchema,
    BookingSchema,
    CancelSchema,
)
from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role, User
from mobility.beneficiaries.models import Beneficiary
from mobility.beneficiaries.services import get_visible_beneficiary, own_file, visible_beneficiaries
from mobility.booking import access, services
from mobility.booking.eligibility import (
    NotEligible,
    Refusal,
    check_category_offered,
    check_dates_in_order,
    check_duration,
    check_start_not_past,
)
from mobility.booking.eligibility_settings import eligibility_settings
from mobility.booking.models import Booking, local
from mobility.booking.pricing import quote, rental_days
from mobility.booking.services import BookingError, IllegalMove, ReasonRequired, RequestDetails, VehicleTaken
from mobility.core.time import utcnow
from mobility.core.db import commit_keeping_loaded
from mobility.extensions import db
from mobility.fleet.models import Site
from mobility.territory import cached

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


class FieldErrors(dict):
    """{field: [messages]}: every refused field at once, as the forms do."""

    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self:
            raise ApiError(422, default_message(422), dict(self))


def _prescribers_only() -> str:
    return _("Seuls les référents et les administrateurs peuvent demander une location pour une personne.")


def _today() -> date:
    return local(utcnow()).date()


def _check_period(starts_at: datetime, ends_at: datetime, fields: FieldErrors) -> None:
    """The return after the pickup, as the request service checks it."""
    if ends_at <= starts_at:
        fields.add("return_time", _("L'heure de retour doit être après l'heure de prise en charge."))


def _refusals_error(refusals: list[Refusal]) -> ApiError:
    # Only staff prescribe through the API: the reasons are worded for the référent.
    refusals = [refusal.worded_for(staff=True) for refusal in refusals]
    fields = FieldErrors()
    for refusal in refusals:
        fields.add(REFUSAL_FIELDS.get(refusal.code, "beneficiary_id"), str(refusal.message))
    return ApiError(
        422,
        _("La location ne peut pas être demandée pour l'instant : voici pourquoi, et quoi faire."),
        dict(fields),
        refusals=[refusal.as_dict() for refusal in refusals],
    )


# Availability -----------------------------------------------------------------------------


@blp.route("/availability", methods=["GET"])
@blp.errors(422)
@blp.doc(operationId="availability", tags=["bookings"])
@blp.arguments(AvailabilityQuerySchema, location="query")
@blp.response(200, AvailabilitySchema, description="Les véhicules libres et leur prix.")
def availability(query):
    """Les véhicules libres d'une catégorie sur une période, dans un bassin ou partout"""
    user = current_api_user()
    category, basin = query["category"], query.get("basin")
    starts_on, ends_on = query["start"], query["end"]
    fields = FieldErrors()
    settings = eligibility_settings()
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
        query.get("pickup_time") or services.default_pickup_time(),
        ends_on,
        query.get("return_time") or services.default_return_time(),
    )
    _check_period(starts_at, ends_at, fields)
    fields.raise_if_any()

    person = own_file(user) if user.role is Role.BENEFICIARY else None
    free = services.free_vehicles(
        category, starts_at, ends_at, near_commune=person.commune_insee if person else None
    )
    basins = cached.basins()
    # The free vehicles' sites (with their basin and commune, joined) in one statement: each
    # vehicle.site below is then found in the session, not loaded one site at a time.
    site_ids = {vehicle.site_id for vehicle in free}
    sites = {site.id: site for site in db.session.scalars(select(Site).where(Site.id.in_(site_ids)))} if site_ids else {}
    free_in = {row.id: 0 for row in basins}
    for vehicle in free:
        free_in[sites[vehicle.site_id].basin_id] += 1
    shown = [v for v in free if basin is None or sites[v.site_id].basin_id == basin.id]
    rule = services.shown_tariff_rule(category, _today())
    priced = quote(rule, starts_on, ends_on) if rule is not None else None
    return {
        "category": category,
        "basin_code": basin.code if basin else None,
        "start": starts_at,
        "end": ends_at,
        "days": rental_days(starts_on, ends_on),
        "price_cents": priced.price_cents if priced else None,
        "deposit_cents": priced.deposit_cents if priced else None,
        "count": len(shown),
        "by_basin": [{"basin": row, "free": free_in[row.id]} for row in basins],
        "vehicles": shown,
    }


# Prescriptions ----------------------------------------------------------------------------


def followed_beneficiaries(user: User):
    """The people a référent's organisation follows; for an admin, the Département's own.

    Not every file for admins: the plan's tools hold admin tokens, and they never get
    names (DESIGN §7).
    """
    return (
        visible_beneficiaries(user)
        .order_by(None)
        .order_by(Beneficiary.sort_key, Beneficiary.id)
    )


def followed_beneficiary(beneficiary_id: int, user: User) -> Beneficiary | None:
    if user.role is Role.REFERENT:
        return get_visible_beneficiary(beneficiary_id, user)
    return db.session.scalar(followed_beneficiaries(user).where(Beneficiary.id == beneficiary_id))


def _request_details(data: dict) -> RequestDetails:
    basin = data.get("basin")
    return RequestDetails(
        category=data["category"],
        basin_id=basin.id if basin else None,
        starts_on=data["start"],
        ends_on=data["end"],
        purpose=data["purpose"],
        purpose_detail=data.get("purpose_detail"),
        pickup_time=data.get("pickup_time"),
        return_time=data.get("return_time"),
        vehicle_id=data.get("vehicle_id"),
    )


@blp.route("/bookings", methods=["POST"])
@blp.errors(400, 403, 409, 422)
@blp.doc(operationId="create_booking", tags=["bookings"], parameters=[HEADER_PARAMETER])
@roles_allowed(*PRESCRIBERS, message=_prescribers_only)
@blp.arguments(BookingRequestSchema)
@committed_write
@blp.response(201, BookingSchema, description="La location, approuvée (prescription).")
def create_booking(data):
    """Une location demandée par un référent pour une personne suivie : approuvée aussitôt"""
    user = current_api_user()
    beneficiary = followed_beneficiary(data["beneficiary_id"], user)
    if beneficiary is None:
        raise ApiError(404)
    try:
        booking = services.request_booking(beneficiary, _request_details(data), user)
    except NotEligible as refused:
        raise _refusals_error(refused.refusals) from None
    except VehicleTaken as taken:
        raise ApiError(409, taken.message, alternatives=taken.alternatives) from None
    except BookingError as refused:
        field = SERVICE_FIELDS.get(refused.field, refused.field)
        raise ApiError(422, refused.message, {field: [refused.message]} if field else {}) from None
    return booking, 201, {"Location": url_for("api.show_booking", booking_id=booking.id)}


# One booking ------------------------------------------------------------------------------


def booking_or_404(booking_id: int, user: User) -> Booking:
    booking = access.get_visible_booking(booking_id, user)
    if booking is None:
        raise ApiError(404)
    return booking


@blp.route("/bookings/<int:booking_id>", methods=["GET"])
@blp.errors()
@blp.doc(operationId="show_booking", tags=["bookings"])
@blp.response(200, BookingSchema, description="La location, avec ce que ce compte peut en lire.")
def show_booking(booking_id: int):
    """Une location visible par ce compte (la lecture est journalisée)"""
    user = current_api_user()
    booking = booking_or_404(booking_id, user)
    record(AuditAction.READ, "booking", booking.id, actor=user)
    commit_keeping_loaded()
    return booking


@blp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@blp.errors(400, 409, 422)
@blp.doc(operationId="cancel_booking", tags=["bookings"], parameters=[HEADER_PARAMETER])
@blp.arguments(CancelSchema)
@committed_write
@blp.response(200, BookingSchema, description="La location, annulée.")
def cancel_booking(data, booking_id: int):
    """Annuler une location, avec une raison (obligatoire pour le personnel : la personne la lit)"""
    user = current_api_user()
    booking = booking_or_404(booking_id, user)
    try:
        services.cancel(booking, user, data.get("reason"))
    except IllegalMove as refused:
        raise ApiError(409, refused.message) from None
    except ReasonRequired as refused:
        raise ApiError(422, refused.message, {"reason": [refused.message]}) from None
    return booking
