"""The OpenAPI 3.1 description of /api/v1, kept in one place.

Each endpoint of the API has its entry in PATHS (key: the path under /api/v1, with
{name} for URL variables); later endpoints add theirs here, with their schemas in SCHEMAS.
tests/api/test_openapi.py fails when a route under /api/v1 is missing or mis-described.
"""

from __future__ import annotations

import copy

from mobility.booking.eligibility import Purpose
from mobility.booking.models import BookingStatus
from mobility.fleet.models import Energy, Gearbox, VehicleCategory, VehicleOrigin, VehicleStatus

API_VERSION = "1.0.0"
SERVER_URL = "/api/v1"
# The four employment basins are reference data loaded by the first migration.
BASIN_CODES = ["gien", "montargis", "orleans", "pithiviers"]


def _values(enum_class) -> list[str]:
    return [member.value for member in enum_class]


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("schemas", "Error")}}}


SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "description": "Every error of the API, whatever its status.",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message", "fields"],
                "additionalProperties": False,
                "properties": {
                    "status": {
                        "type": "integer", "description": "The HTTP status, repeated.", "example": 422,
                    },
                    "message": {
                        "type": "string",
                        "description": "What went wrong, in French, for a person.",
                        "example": "Certains paramètres sont invalides.",
                    },
                    "fields": {
                        "type": "object",
                        "description": "For bad input: the messages for each parameter at fault; "
                        "empty otherwise.",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        "example": {
                            "category": ["Valeur inconnue. Valeurs possibles : car, vsp, scooter, ebike."]
                        },
                    },
                    "refusals": {
                        "type": "array",
                        "description": "422 on a booking request the person is not eligible for: every "
                        "reason at once. `fields` then holds the same messages under the field they "
                        "concern (`beneficiary_id` for those about the person).",
                        "items": _ref("schemas", "Refusal"),
                    },
                    "alternatives": {
                        "$ref": "#/components/schemas/Alternatives",
                        "description": "409 when the vehicle was just taken or nothing is free: what "
                        "remains possible.",
                    },
                },
            }
        },
    },
    "Association": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    },
    "VehicleSite": {
        "type": "object",
        "description": "The site where the vehicle is picked up and returned.",
        "required": ["id", "name", "commune", "commune_insee", "basin", "active"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "commune": {"type": "string", "example": "Montargis"},
            "commune_insee": {"type": "string", "pattern": "^[0-9]{5}$", "example": "45208"},
            "basin": {"type": "string", "enum": BASIN_CODES},
            "active": {"type": "boolean"},
        },
    },
    "Vehicle": {
        "type": "object",
        "description": "A vehicle of a partner association. plate, vin and the due dates are given "
        "to the association's own fleet staff only.",
        "required": [
            "id", "make", "model", "category", "energy", "gearbox", "seats", "origin", "status",
            "association", "site",
        ],
        "properties": {
            "id": {"type": "integer"},
            "make": {"type": "string", "example": "Renault"},
            "model": {"type": "string", "example": "Clio"},
            "category": {"type": "string", "enum": _values(VehicleCategory)},
            "energy": {"type": "string", "enum": _values(Energy)},
            "gearbox": {"type": "string", "enum": _values(Gearbox)},
            "seats": {"type": "integer", "minimum": 1},
            "origin": {"type": "string", "enum": _values(VehicleOrigin)},
            "status": {"type": "string", "enum": _values(VehicleStatus)},
            "association": _ref("schemas", "Association"),
            "site": _ref("schemas", "VehicleSite"),
            "plate": {"type": "string", "description": "Fleet staff only.", "example": "AB-123-CD"},
            "vin": {
                "type": ["string", "null"], "description": "Fleet staff only.", "minLength": 17, "maxLength": 17,
            },
            "first_registered_on": {"type": "string", "format": "date", "description": "Fleet staff only."},
            "insurance_expires_on": {
                "type": ["string", "null"], "format": "date", "description": "Fleet staff only.",
            },
            "technical_inspection_due_on": {
                "type": ["string", "null"], "format": "date", "description": "Fleet staff only.",
            },
        },
    },
    "VehicleList": {
        "type": "object",
        "required": ["count", "vehicles"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "vehicles": {"type": "array", "items": _ref("schemas", "Vehicle")},
        },
    },
}

RESPONSES: dict[str, dict] = {
    "BadRequest": _error_response("Malformed request."),
    "Unauthorized": _error_response(
        "No token, an unknown or revoked token, or the token's account is deactivated."
    ),
    "Forbidden": _error_response("The token's account may not use this endpoint (beneficiary accounts)."),
    "NotFound": _error_response("No such resource, or not one the token's account may see."),
    "MethodNotAllowed": _error_response("The resource exists but not with this method."),
    "UnprocessableEntity": _error_response("Bad parameter values; `fields` names each one."),
    "TooManyRequests": _error_response("Too many requests; wait a few minutes."),
    "InternalError": _error_response("Unexpected error; nothing was saved."),
}

# Every operation can meet these; each operation adds its own.
COMMON_ERRORS = {
    "401": _ref("responses", "Unauthorized"),
    "404": _ref("responses", "NotFound"),
    "405": _ref("responses", "MethodNotAllowed"),
    "429": _ref("responses", "TooManyRequests"),
    "500": _ref("responses", "InternalError"),
}

PARAMETERS: dict[str, dict] = {
    "basin": {
        "name": "basin",
        "in": "query",
        "required": False,
        "description": "Only vehicles whose site is in this employment basin.",
        "schema": {"type": "string", "enum": BASIN_CODES},
    },
    "category": {
        "name": "category",
        "in": "query",
        "required": False,
        "description": "Only vehicles of this category (vsp: voiture sans permis).",
        "schema": {"type": "string", "enum": _values(VehicleCategory)},
    },
    "status": {
        "name": "status",
        "in": "query",
        "required": False,
        "description": "Only vehicles with this status.",
        "schema": {"type": "string", "enum": _values(VehicleStatus)},
    },
}

PATHS: dict[str, dict] = {
    "/vehicles": {
        "get": {
            "operationId": "listVehicles",
            "summary": "Vehicles the token's account may see",
            "description": "Fleet staff: their association's vehicles, with plate, VIN and due dates. "
            "Référents and admins: every association's vehicles, without plate, VIN or due dates. "
            "Beneficiary accounts: 403.",
            "tags": ["fleet"],
            "parameters": [
                _ref("parameters", "basin"),
                _ref("parameters", "category"),
                _ref("parameters", "status"),
            ],
            "responses": {
                "200": {
                    "description": "The vehicles, by site then make and model.",
                    "content": {"application/json": {"schema": _ref("schemas", "VehicleList")}},
                },
                "403": _ref("responses", "Forbidden"),
                "422": _ref("responses", "UnprocessableEntity"),
                **COMMON_ERRORS,
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApiDocument",
            "summary": "This description of the API",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **{code: ref for code, ref in COMMON_ERRORS.items() if code != "401"},
            },
        }
    },
}


# Bookings (mobility/booking/api.py) ---------------------------------------------------------

_MOMENT = {
    "type": "string",
    "format": "date-time",
    "description": "In French time, with its offset.",
    "example": "2026-12-07T09:00:00+01:00",
}
_CLOCK = {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$", "example": "09:00"}
_DAY = {"type": "string", "format": "date", "example": "2026-12-07"}

SCHEMAS.update(
    {
        "Refusal": {
            "type": "object",
            "description": "One reason a person cannot rent, in plain French for them.",
            "required": ["code", "message", "what_to_do"],
            "additionalProperties": False,
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable: dates_reversed, start_in_past, category_not_offered, "
                    "duration_too_long, purpose_missing, purpose_detail_missing, licence_b_missing, "
                    "licence_b_not_checked, licence_b_expired, licence_b_expires_during_rental, "
                    "am_licence_missing, am_licence_not_checked, too_young, rsa_not_checked, "
                    "rsa_check_too_old, active_booking_exists.",
                    "example": "rsa_check_too_old",
                },
                "message": {"type": "string"},
                "what_to_do": {"type": "string"},
            },
        },
        "SummarySite": {
            "type": "object",
            "required": ["id", "name", "commune"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "commune": {"type": "string", "pattern": "^[0-9]{5}$", "description": "INSEE code."},
            },
        },
        "VehicleSummary": {
            "type": "object",
            "description": "A vehicle as offered for rental. `plate` only for admins, and for fleet "
            "staff on their own association's vehicles.",
            "required": ["id", "category", "make", "model", "gearbox", "energy", "seats", "site", "basin"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "integer"},
                "category": {"type": "string", "enum": _values(VehicleCategory)},
                "make": {"type": "string"},
                "model": {"type": "string"},
                "gearbox": {"type": "string", "enum": _values(Gearbox)},
                "energy": {"type": "string", "enum": _values(Energy)},
                "seats": {"type": "integer", "minimum": 1},
                "site": _ref("schemas", "SummarySite"),
                "basin": {"type": "string", "enum": BASIN_CODES},
                "plate": {"type": "string", "example": "AB-123-CD"},
            },
        },
        "FreeInBasin": {
            "type": "object",
            "required": ["basin", "name", "free"],
            "properties": {
                "basin": {"type": "string", "enum": BASIN_CODES},
                "name": {"type": "string"},
                "free": {"type": "integer", "minimum": 0},
            },
        },
        "Alternatives": {
            "type": "object",
            "description": "What to offer instead: other free vehicles on the same dates; when "
            "there is none, the nearest free dates of the same length; other basins with free "
            "vehicles.",
            "required": ["vehicles", "dates", "basins"],
            "additionalProperties": False,
            "properties": {
                "vehicles": {"type": "array", "items": _ref("schemas", "VehicleSummary")},
                "dates": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["start", "end"],
                        "properties": {"start": _DAY, "end": _DAY},
                    },
                },
                "basins": {"type": "array", "items": _ref("schemas", "FreeInBasin")},
            },
        },
        "Availability": {
            "type": "object",
            "required": [
                "category", "basin", "start", "end", "days", "price_cents", "deposit_cents", "count",
                "by_basin", "vehicles",
            ],
            "additionalProperties": False,
            "properties": {
                "category": {"type": "string", "enum": _values(VehicleCategory)},
                "basin": {"type": ["string", "null"], "enum": [*BASIN_CODES, None]},
                "start": _MOMENT,
                "end": _MOMENT,
                "days": {"type": "integer", "minimum": 1, "description": "Rental days, both ends included."},
                "price_cents": {
                    "type": ["integer", "null"],
                    "description": "The price of these days at today's tariff; null when none is set.",
                },
                "deposit_cents": {"type": ["integer", "null"]},
                "count": {"type": "integer", "minimum": 0, "description": "Free vehicles listed."},
                "by_basin": {
                    "type": "array",
                    "description": "Free vehicles in each of the four basins, whatever `basin` asked.",
                    "items": _ref("schemas", "FreeInBasin"),
                },
                "vehicles": {
                    "type": "array",
                    "description": "Nearest first for a beneficiary (their commune's sites), then by site.",
                    "items": _ref("schemas", "VehicleSummary"),
                },
            },
        },
        "BookingRequest": {
            "type": "object",
            "description": "A rental a référent asks for someone their organisation follows (an admin: "
            "someone the Département follows). Approved at once; a vehicle is held from now on. "
            "Give `basin` (the nearest free vehicle is picked) or `vehicle_id`.",
            "required": ["beneficiary_id", "category", "start", "end", "purpose"],
            "properties": {
                "beneficiary_id": {"type": "integer", "minimum": 1},
                "category": {"type": "string", "enum": _values(VehicleCategory)},
                "basin": {"type": "string", "enum": BASIN_CODES},
                "vehicle_id": {"type": "integer", "minimum": 1, "description": "Wins over `basin`."},
                "start": {**_DAY, "description": "The pickup day."},
                "end": {**_DAY, "description": "The return day (the same day as `start` if need be)."},
                "pickup_time": {**_CLOCK, "description": "French time; the service's default if absent."},
                "return_time": {**_CLOCK, "example": "17:00"},
                "purpose": {"type": "string", "enum": _values(Purpose)},
                "purpose_detail": {
                    "type": ["string", "null"],
                    "maxLength": 200,
                    "description": "Employer, training or step; required when purpose is `other`.",
                },
            },
        },
        "CancelRequest": {
            "type": "object",
            "description": "The body may be empty for a beneficiary's own booking.",
            "properties": {
                "reason": {
                    "type": "string",
                    "maxLength": 1000,
                    "description": "Required from staff: the person and the association read it.",
                }
            },
        },
        "Booking": {
            "type": "object",
            "required": [
                "id", "reference", "status", "status_label", "beneficiary_id", "category", "basin", "site",
                "vehicle", "start", "end", "days", "purpose", "purpose_detail", "price_cents",
                "deposit_cents", "expires_at",
            ],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "integer"},
                "reference": {"type": "string", "example": "L-000042"},
                "status": {"type": "string", "enum": _values(BookingStatus)},
                "status_label": {"type": "string", "example": "validée par le référent"},
                "beneficiary_id": {"type": "integer"},
                "category": {"type": "string", "enum": _values(VehicleCategory)},
                "basin": {"type": "string", "enum": BASIN_CODES},
                "site": _ref("schemas", "SummarySite"),
                "vehicle": _ref("schemas", "VehicleSummary"),
                "start": _MOMENT,
                "end": _MOMENT,
                "days": {"type": "integer", "minimum": 1},
                "purpose": {"type": "string", "enum": _values(Purpose)},
                "purpose_detail": {"type": ["string", "null"]},
                "price_cents": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Copied when requested: a later tariff never changes it.",
                },
                "deposit_cents": {"type": "integer", "minimum": 0},
                "expires_at": {
                    **_MOMENT,
                    "type": ["string", "null"],
                    "description": "A request not approved by then expires; null once approved.",
                },
            },
        },
        "FollowedBeneficiary": {
            "type": "object",
            "required": [
                "id", "display_name", "basin", "holding_bookings", "eligible_categories",
                "refusals_by_category",
            ],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "integer"},
                "display_name": {"type": "string"},
                "basin": {"type": "string", "enum": BASIN_CODES, "description": "Their commune's."},
                "holding_bookings": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Bookings requested, approved, confirmed or in progress.",
                },
                "eligible_categories": {
                    "type": "array",
                    "description": "What they could rent from today.",
                    "items": {"type": "string", "enum": _values(VehicleCategory)},
                },
                "refusals_by_category": {
                    "type": "object",
                    "description": "For each category offered, why not today (empty: eligible).",
                    "additionalProperties": {"type": "array", "items": _ref("schemas", "Refusal")},
                },
            },
        },
        "FollowedBeneficiaryPage": {
            "type": "object",
            "required": ["count", "page", "per_page", "pages", "beneficiaries"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "description": "On every page."},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                "pages": {"type": "integer", "minimum": 0},
                "beneficiaries": {"type": "array", "items": _ref("schemas", "FollowedBeneficiary")},
            },
        },
    }
)

RESPONSES.update(
    {
        "ForbiddenRole": _error_response("The token's account has a role that may not use this endpoint."),
        "Conflict": _error_response(
            "Not possible in the current state: the vehicle was just taken or nothing is free "
            "(`alternatives` says what remains), or the booking's status does not allow the move."
        ),
        "NotEligibleOrInvalid": _error_response(
            "Bad values (`fields` names each one), or the person is not eligible (`refusals`)."
        ),
    }
)

PARAMETERS.update(
    {
        "availabilityCategory": {
            "name": "category",
            "in": "query",
            "required": True,
            "description": "The category wanted (vsp: voiture sans permis).",
            "schema": {"type": "string", "enum": _values(VehicleCategory)},
        },
        "availabilityBasin": {
            "name": "basin",
            "in": "query",
            "required": False,
            "description": "Only vehicles at a site of this basin; every basin if absent.",
            "schema": {"type": "string", "enum": BASIN_CODES},
        },
        "start": {
            "name": "start",
            "in": "query",
            "required": True,
            "description": "The pickup day, today or later.",
            "schema": _DAY,
        },
        "end": {
            "name": "end",
            "in": "query",
            "required": True,
            "description": "The return day, `start` or later, within the category's longest rental.",
            "schema": _DAY,
        },
        "pickupTime": {
            "name": "pickup_time",
            "in": "query",
            "required": False,
            "description": "French time; the service's default (09:00) if absent.",
            "schema": _CLOCK,
        },
        "returnTime": {
            "name": "return_time",
            "in": "query",
            "required": False,
            "description": "French time; the service's default (17:00) if absent.",
            "schema": _CLOCK,
        },
        "bookingId": {
            "name": "booking_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        },
        "page": {
            "name": "page",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "default": 1},
        },
        "perPage": {
            "name": "per_page",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
        },
    }
)


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("schemas", schema)}}}


PATHS.update(
    {
        "/availability": {
            "get": {
                "operationId": "getAvailability",
                "summary": "Free vehicles of a category on a period",
                "description": "Vehicles in service, at an open site, free from the pickup to the "
                "return. Every role, beneficiaries included; plates for admins and for fleet staff "
                "(their own vehicles) only.",
                "tags": ["booking"],
                "parameters": [
                    _ref("parameters", "availabilityCategory"),
                    _ref("parameters", "availabilityBasin"),
                    _ref("parameters", "start"),
                    _ref("parameters", "end"),
                    _ref("parameters", "pickupTime"),
                    _ref("parameters", "returnTime"),
                ],
                "responses": {
                    "200": _json("Availability", "The free vehicles and the counts by basin."),
                    "422": _ref("responses", "UnprocessableEntity"),
                    **COMMON_ERRORS,
                },
            }
        },
        "/bookings": {
            "post": {
                "operationId": "requestBooking",
                "summary": "Request a rental for a person followed",
                "description": "Référents (for the people their organisation follows) and admins (for "
                "those the Département follows). Eligibility, the tariff, the choice of vehicle and "
                "the messages are those of the web form. Other roles: 403; a person not followed: 404.",
                "tags": ["booking"],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("schemas", "BookingRequest")}},
                },
                "responses": {
                    "201": {
                        **_json("Booking", "The booking, approved, with the vehicle it holds."),
                        "headers": {
                            "Location": {"description": "The booking's URL.", "schema": {"type": "string"}}
                        },
                    },
                    "400": _ref("responses", "BadRequest"),
                    "403": _ref("responses", "ForbiddenRole"),
                    "409": _ref("responses", "Conflict"),
                    "422": _ref("responses", "NotEligibleOrInvalid"),
                    **COMMON_ERRORS,
                },
            }
        },
        "/bookings/{booking_id}": {
            "get": {
                "operationId": "getBooking",
                "summary": "One booking",
                "description": "A beneficiary: their own; a référent: those of the people their "
                "organisation follows; fleet staff: their association's; admins: all. Otherwise 404.",
                "tags": ["booking"],
                "parameters": [_ref("parameters", "bookingId")],
                "responses": {"200": _json("Booking", "The booking."), **COMMON_ERRORS},
            }
        },
        "/bookings/{booking_id}/cancel": {
            "post": {
                "operationId": "cancelBooking",
                "summary": "Cancel a booking",
                "description": "Allowed while requested, approved or confirmed; staff give a reason.",
                "tags": ["booking"],
                "parameters": [_ref("parameters", "bookingId")],
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": _ref("schemas", "CancelRequest")}},
                },
                "responses": {
                    "200": _json("Booking", "The booking, cancelled."),
                    "400": _ref("responses", "BadRequest"),
                    "409": _ref("responses", "Conflict"),
                    "422": _ref("responses", "UnprocessableEntity"),
                    **COMMON_ERRORS,
                },
            }
        },
        "/beneficiaries": {
            "get": {
                "operationId": "listFollowedBeneficiaries",
                "summary": "The people followed, with what they may rent today",
                "description": "Référents: the people their organisation follows; admins: those the "
                "Département follows. By name, 50 a page by default, 100 at most. Each person "
                "returned is logged as a read of their file. Other roles: 403.",
                "tags": ["people"],
                "parameters": [_ref("parameters", "page"), _ref("parameters", "perPage")],
                "responses": {
                    "200": _json("FollowedBeneficiaryPage", "A page of the people followed."),
                    "403": _ref("responses", "ForbiddenRole"),
                    "422": _ref("responses", "UnprocessableEntity"),
                    **COMMON_ERRORS,
                },
            }
        },
    }
)


def document() -> dict:
    """The whole OpenAPI document (a fresh copy, safe to change)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Mobilité Emploi Loiret — API du plan",
                "version": API_VERSION,
                "description": "JSON API of the Loiret's employment mobility plan: the fleet, "
                "free vehicles, and rentals that référents request and cancel for the people they "
                "follow. Send `Authorization: Bearer <token>`; a token acts with its account's "
                "permissions. Errors are JSON (`Error` schema) with a French message. Dates are "
                "ISO 8601; moments carry their offset and are given in French time.",
            },
            "servers": [{"url": SERVER_URL}],
            "security": [{"bearerAuth": []}],
            "tags": [
                {"name": "fleet", "description": "Vehicles and sites"},
                {"name": "booking", "description": "Free vehicles, rental requests and cancellations"},
                {"name": "people", "description": "The people a référent follows"},
                {"name": "meta", "description": "About the API"},
            ],
            "paths": PATHS,
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A token made by `flask --app wsgi create-api-token EMAIL`.",
                    }
                },
                "schemas": SCHEMAS,
                "parameters": PARAMETERS,
                "responses": RESPONSES,
            },
        }
    )
