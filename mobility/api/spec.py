"""The one flask-smorest Api of /api/v1 and the OpenAPI description it writes from the schemas.

The description is served at /api/v1/openapi.json with `servers: [{"url": "/api/v1"}]`, so its
paths are relative to that prefix (/vehicles, /bookings/{booking_id}…), as clients read them.
"""

from __future__ import annotations

from flask_smorest import Api
from flask_smorest.spec.plugins import FlaskPlugin

from mobility.api.schemas.errors import ErrorSchema

SERVER_URL = "/api/v1"

API_SETTINGS = {
    "API_TITLE": "Mobilité Emploi Loiret",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": SERVER_URL,
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "servers": [{"url": SERVER_URL}],
        "security": [{"bearerAuth": []}],
        "info": {
            "description": (
                "API de Mobilité Emploi Loiret : véhicules, disponibilités, prescriptions et personnes "
                "suivies, sous les mêmes règles que les pages. Authentification : "
                "« Authorization: Bearer <jeton> » (jetons créés par un administrateur). Les erreurs "
                'sont en JSON : {"error": {"status", "message", "fields"}}, messages en français.'
            ),
        },
    },
}


class PathsUnderTheServer(FlaskPlugin):
    """Flask rules carry the /api/v1 prefix; the description's paths are relative to its server."""

    def path_helper(self, rule=None, operations=None, parameters=None, **kwargs):
        if rule is None:  # a path described by hand (the description's own route)
            return None
        path = super().path_helper(rule=rule, operations=operations, parameters=parameters, **kwargs)
        return path[len(SERVER_URL) :] if path.startswith(SERVER_URL + "/") else path


class MobilityApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # flask-smorest would answer every HTTP error of the whole site in JSON: the API
        # blueprint has its own handlers (mobility.api.errors), the pages keep their HTML ones.
        pass


api = MobilityApi(spec_kwargs={"flask_plugin": PathsUnderTheServer()})


def describe_document_route() -> None:
    """The description's own route, served by flask-smorest without a token."""
    api.spec.path(
        path="/openapi.json",
        operations={
            "get": {
                "operationId": "openapi_document",
                "summary": "Cette description OpenAPI, sans jeton",
                "tags": ["openapi"],
                "security": [],
                "responses": {
                    "200": {
                        "description": "La description OpenAPI 3.1.",
                        "content": {"application/json": {}},
                    },
                    **{
                        code: {
                            "description": description,
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                            },
                        }
                        for code, description in (
                            ("404", "Rien ici."),
                            ("405", "Méthode non permise."),
                            ("500", "Erreur inattendue."),
                        )
                    },
                },
            }
        },
    )
