"""JSON errors for the API: never an HTML page, never a stack trace.

Body: {"error": {"status": 422, "message": "...", "fields": {"name": ["..."]}}}.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from mobility.extensions import db

API_PREFIX = "/api"


class ApiError(Exception):
    """A refusal that the API turns into a JSON error."""

    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}


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
        422: _("Certains paramètres sont invalides."),
        429: _("Trop de demandes : attendez quelques minutes avant de réessayer."),
        500: _("Une erreur inattendue s'est produite. Rien n'a été enregistré. Réessayez dans un moment."),
    }
    return messages.get(status, _("La demande n'a pas pu aboutir."))


def json_error(status: int, message: str | None = None, fields: dict | None = None, headers=None):
    response = jsonify(
        {"error": {"status": status, "message": message or default_message(status), "fields": fields or {}}}
    )
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _from_http_exception(error: HTTPException):
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    # Werkzeug's descriptions are English: the message comes from our French table.
    return json_error(status, headers=headers)


def register(bp) -> None:
    """Errors raised inside the API blueprint, and requests under /api/ that match no route."""

    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        return json_error(error.status, error.message, error.fields)

    @bp.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _from_http_exception(error)

    # The application has handlers by code for these; the blueprint's must win on the API.
    for code in (400, 404, 405, 429):
        bp.register_error_handler(code, _from_http_exception)

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
            return _from_http_exception(error)
        return None
