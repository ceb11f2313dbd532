"""The one blueprint of /api/v1: one token hook, one error envelope, one JSON body parser.

CSRF-exempt: the API reads no cookie, so a forged cross-site request carries no credential.
The route modules (vehicles, bookings, beneficiaries) add their views to `blp`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from mobility.api import errors
from mobility.api import services as tokens
from mobility.api.errors import ApiError
from mobility.api.schemas.errors import ErrorSchema
from mobility.auth.models import Role, User
from mobility.core.db import commit_keeping_loaded
from mobility.extensions import csrf

ERROR_DESCRIPTIONS = {
    400: "Le corps n'est pas un objet JSON.",
    401: "Jeton manquant, inconnu ou révoqué.",
    403: "Ce rôle n'a pas accès à cette opération.",
    404: "Rien que ce compte puisse voir.",
    405: "Méthode non permise.",
    409: "Le véhicule vient d'être pris, ou l'état de la location ne le permet pas (`alternatives`).",
    422: "Paramètres refusés (`fields` nomme chacun), ou personne non éligible (`refusals`).",
    500: "Erreur inattendue : rien n'a été enregistré.",
}


def body_not_an_object() -> ApiError:
    return ApiError(400, _('Le corps de la demande doit être un objet JSON, par exemple {"reason": "…"}.'))


class JsonObjectParser(FlaskParser):
    """The body is a JSON object whatever its Content-Type says; anything else is a 400.

    A schema with `empty_body_allowed` takes an empty body as {}. What to do with unknown keys
    is each schema's choice (mobility.api.schemas.base), not webargs's per-location default.
    """

    DEFAULT_UNKNOWN_BY_LOCATION = {location: None for location in FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION}

    def load_json(self, req, schema):
        body = req.get_data(cache=True)
        if not body.strip():
            if getattr(schema, "empty_body_allowed", False):
                return {}
            raise body_not_an_object()
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            data = None
        if not isinstance(data, dict):
            raise body_not_an_object()
        return data


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonObjectParser()

    def errors(self, *codes: int):
        """Describe the JSON errors an operation may answer (404, 405 and 500 always)."""

        def decorator(view):
            for code in sorted({*codes, 401, 404, 405, 500}):
                view = self.alt_response(code, schema=ErrorSchema, description=ERROR_DESCRIPTIONS[code])(view)
            return view

        return decorator


blp = ApiBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Véhicules, disponibilités, prescriptions et personnes suivies.",
)
csrf.exempt(blp)
errors.register(blp)


def current_api_user() -> User:
    return g.api_user


@blp.before_request
def authenticate():
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    user = tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(401, _("Jeton d'API manquant, inconnu, révoqué, ou compte désactivé."))
    # last_used_at; the user and their organisation stay loaded for the rest of the request.
    commit_keeping_loaded()
    g.api_user = user


@blp.after_request
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


def professionals_only() -> str:
    return _("L'API est réservée aux professionnels.")


STAFF = (Role.REFERENT, Role.FLEET, Role.ADMIN)
PRESCRIBERS = (Role.REFERENT, Role.ADMIN)
