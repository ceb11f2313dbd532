"""/api/v1 on flask-smorest: marshmallow schemas validate, serialise and describe (OpenAPI)."""

from __future__ import annotations

from flask import Flask

from mobility.api import beneficiaries, bookings, cessions, fines, incidents, reporting, vehicles
from mobility.api.blueprint import blp
from mobility.api.spec import API_SETTINGS, api, describe_document_route


# The modules whose views join the one blueprint `blp` (they add their routes when imported).
ROUTE_MODULES = (vehicles, bookings, beneficiaries, cessions, fines, incidents, reporting)


def init_api(app: Flask) -> None:
    """Bind the one Api to the app, register the blueprint and the description's security."""
    for name, value in API_SETTINGS.items():
        app.config.setdefault(name, value)
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "Un jeton créé par un administrateur (/admin/jetons).",
        },
    )
    api.register_blueprint(blp)
    describe_document_route()
