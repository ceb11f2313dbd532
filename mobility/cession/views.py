"""Cession pages: conventions and cessions for the Département's admins, and the
association's fleet staff following and completing their part."""

from __future__ import annotations

from flask import Blueprint

from mobility.cession.rules import settings_from_config

bp = Blueprint("cession", __name__, url_prefix="/cessions")


@bp.record_once
def _parse_settings(state) -> None:
    # Parsed once at start: a bad value stops the service, naming the variable.
    state.app.extensions["cession_settings"] = settings_from_config(state.app.config)
