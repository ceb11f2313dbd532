"""JSON errors for the API: never an HTML page, never a stack trace.

Body: {"error": {"status": 422, "message": "...", "fields": {"name": ["..."]}}}, dumped through
ErrorSchema (the schema the OpenAPI description shows); a 409 adds `alternatives`, an
eligibility 422 adds `refusals`. flask-smorest's own 422 (a query string or body refused by a
schema) is turned into this envelope, its messages by field.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from mobility.api.schemas.base import error_message_of
from mobility.api.schemas.errors import ErrorSchema
from mobility.extensions import db

API_PREFIX = "/api"


class ApiError(Exception):
    """A refusal that the API turns into a JSON error; `details` go beside the message."""

    def __init__(self, status: int, message: str | None = None, fields: dict | None = None, **details):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}
        self.details = details


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def default_message(status: int) -> str:
    messages = {
        400: _("La demande est mal formée."),
        401: _(
            "Authentification requise : envoyez un jeton valide dans l'en-tête « Authorization: Bearer »."
        ),
        403: _("Ce compte n'a pas accès à cette ressource."),
        404: _("Cette ressource n'existe pas ou vous n'y avez pas accès."),
        405: _("Cette méthode n'est pas permise sur cette ressource."),
        406: _("Cette ressource ne sait répondre qu'en JSON."),
        415: _("Envoyez le corps de la demande en JSON (Content-Type: application/json)."),
        422: _("Certains paramètres sont invalides."),
        429: _("Trop de demandes : attendez quelques minutes avant de réessayer."),
        500: _("Une erreur inattendue s'est produite. Rien n'a été enregistré. Réessayez dans un moment."),
    }
    return messages.get(status, _("La demande n'a pas pu aboutir."))


def json_error(status: int, message: str | None = None, fields: dict | None = None, headers=None, **details):
    body = {"status": status, "message": str(message or default_message(status)), "fields": fields or {}}
    body.update(details)
    body["fields_"] = body.pop("fields")
    response = jsonify(ErrorSchema().dump({"error": body}))
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(error: ApiError):
    return json_error(error.status, error.message, error.fields, **error.details)


def fields_of_validation(messages) -> dict[str, list[str]]:
    """webargs's {"query": {"basin": ["…"]}, "json": {…}} as {"basin": ["…"]}."""
    fields: dict[str, list[str]] = {}
    for by_field in (messages or {}).values():
        if not isinstance(by_field, dict):
            fields.setdefault("_schema", []).extend(error_message_of(by_field))
            continue
        for name, value in by_field.items():
            fields.setdefault(name, []).extend(error_message_of(value))
    return fields


def from_http_exception(error: HTTPException):
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    data = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:
        return json_error(422, fields=fields_of_validation(data["messages"]))
    # Werkzeug's descriptions are English: the message comes from our French table.
    return json_error(status, headers=headers)


def register(bp) -> None:
    """Errors raised inside the API blueprint, and requests under /api/ that match no route."""

    bp.register_error_handler(ApiError, error_response)
    bp.register_error_handler(HTTPException, from_http_exception)
    # The application has handlers by code for these; the blueprint's must win on the API.
    for code in (400, 404, 405, 413, 415, 422, 429):
        bp.register_error_handler(code, from_http_exception)

    @bp.errorhandler(Exception)
    def unexpected_error(error: Exception):
        current_app.logger.exception("unexpected error on %s", request.path)
        db.session.rollback()
        return json_error(500)

    @bp.before_app_request
    def unrouted_api_request():
        # A URL under /api/ that matches no route (404) or not with this method (405) never
        # reaches the blueprint's handlers: answer it here, before the HTML error page does.
        error = request.routing_exception
        if error is None or not is_api_request():
            return None
        if isinstance(error, (NotFound, MethodNotAllowed)):
            return from_http_exception(error)
        return None
