"""/api/v1: read-only JSON over the same services as the pages, with bearer tokens.

CSRF-exempt: the API reads no cookie, so a forged cross-site request carries no credential.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from mobility.api import errors, openapi
from mobility.api import services as tokens
from mobility.api.errors import ApiError
from mobility.api.vehicles import (
    VehicleFilterError,
    parse_filters,
    shows_identity,
    vehicle_json,
    visible_vehicles,
)
from mobility.auth.models import Role, User
from mobility.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
errors.register(bp)

# Endpoints that answer without a token (the description of the API itself).
PUBLIC_ENDPOINTS = {"api.openapi_document"}


def current_api_user() -> User:
    return g.api_user


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    user = tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(401, _("Jeton d'API manquant, inconnu, révoqué, ou compte désactivé."))
    db.session.commit()  # last_used_at
    if user.role is Role.BENEFICIARY:
        raise ApiError(403, _("L'API est réservée aux professionnels."))
    g.api_user = user


@bp.after_request
def no_shared_caching(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.route("/vehicles")
def vehicles():
    user = current_api_user()
    try:
        filters = parse_filters(
            basin=request.args.get("basin", ""),
            category=request.args.get("category", ""),
            status=request.args.get("status", ""),
        )
    except VehicleFilterError as exc:
        raise ApiError(422, _("Certains paramètres sont invalides."), exc.fields) from exc
    with_identity = shows_identity(user)
    data = [vehicle_json(vehicle, with_identity=with_identity) for vehicle in visible_vehicles(user, filters)]
    return jsonify({"count": len(data), "vehicles": data})


@bp.route("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
