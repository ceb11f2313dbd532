"""Error pages in French, never a stack trace."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from mobility.api.errors import is_api_request, json_error
from mobility.auth.forms import LoginForm
from mobility.core.boundary import CONTROL_CHARACTER_MESSAGE, ControlCharactersRefused, control_characters_in
from mobility.extensions import db


def _page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def control_characters_response(refusal: ControlCharactersRefused):
    """400: the French page; under /api/ the API's 422 envelope with the parameter in `fields`,
    as its schemas answer any other bad parameter."""
    if refusal.parameter:
        message = _(
            "Le paramètre « %(name)s » contient un caractère invisible non autorisé (caractère de "
            "contrôle).",
            name=refusal.parameter,
        )
    else:
        message = _("L'adresse demandée contient un caractère invisible non autorisé (caractère de contrôle).")
    if is_api_request():
        fields = {refusal.parameter: [str(CONTROL_CHARACTER_MESSAGE)]} if refusal.parameter else {}
        return json_error(422, message, fields)
    return _page(
        400,
        _("Caractère non autorisé"),
        message + " " + _("Revenez en arrière et retapez votre saisie sans copier-coller depuis un autre logiciel."),
    )


def refuse_control_characters():
    """Before any other hook: a path or query string with a control character goes no further
    (a NUL would reach PostgreSQL as a 500; CR LF could split a header)."""
    refusal = control_characters_in(request.path, request.args)
    if refusal is not None:
        return control_characters_response(refusal)
    return None


def register_errorhandlers(app) -> None:
    @app.errorhandler(ControlCharactersRefused)
    def control_characters(error):
        # A value read outside a form (request.form.get) that holds a control character.
        return control_characters_response(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(
            400,
            _("Formulaire expiré"),
            _("Le formulaire a expiré ou n'a pas été envoyé depuis ce site. "
              "Revenez en arrière, rechargez la page et recommencez."),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # The Host is not one of TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return "Hôte inconnu / Unknown host\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(429)
    def too_many_requests(error):
        if request.endpoint == "auth.login":
            message = _("Trop de tentatives de connexion. Attendez quelques minutes avant de réessayer.")
            return render_template("auth/login.html", form=LoginForm(), throttle_message=message), 429
        return _page(429, _("Trop de demandes"), _("Attendez quelques minutes avant de réessayer."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        titles = {
            403: _("Accès refusé"),
            404: _("Page introuvable"),
            405: _("Action impossible"),
            410: _("Lien expiré"),
            413: _("Fichier trop volumineux"),
        }
        messages = {
            404: _("Cette page n'existe pas ou vous n'y avez pas accès."),
            403: _("Vous n'avez pas accès à cette page."),
            413: _("L'envoi dépasse la taille permise : un document fait au plus 5 Mo. "
                   "Revenez en arrière et choisissez un fichier plus petit."),
        }
        return _page(
            error.code or 500,
            titles.get(error.code, _("Erreur")),
            messages.get(error.code, _("La demande n'a pas pu aboutir.")),
        )

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        db.session.rollback()
        return _page(
            500,
            _("Erreur du service"),
            _("Une erreur inattendue s'est produite. Rien n'a été enregistré. Réessayez dans un moment."),
        )
