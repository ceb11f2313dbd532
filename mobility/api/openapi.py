"""The OpenAPI 3.1 description of /api/v1, kept in one place.

Each endpoint of the API has its entry in PATHS (key: the path under /api/v1, with
{name} for URL variables); later endpoints add theirs here, with their schemas in SCHEMAS.
tests/api/test_openapi.py fails when a route under /api/v1 is missing or mis-described.
"""

from __future__ import annotations

import copy

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


def document() -> dict:
    """The whole OpenAPI document (a fresh copy, safe to change)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Mobilité Emploi Loiret — API du plan",
                "version": API_VERSION,
                "description": "Read-only JSON API of the Loiret's employment mobility plan. "
                "Send `Authorization: Bearer <token>`; a token acts with its account's permissions. "
                "Errors are JSON (`Error` schema) with a French message.",
            },
            "servers": [{"url": SERVER_URL}],
            "security": [{"bearerAuth": []}],
            "tags": [
                {"name": "fleet", "description": "Vehicles and sites"},
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
