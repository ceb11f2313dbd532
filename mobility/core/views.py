"""Helpers every blueprint's views share: turning a service refusal into a form message."""

from __future__ import annotations

from flask import flash

from mobility.core.errors import DomainError
from mobility.extensions import db


def show_error(form, message: str, field: str | None) -> None:
    """Put the refusal next to its field (or above the form when it concerns no field)."""
    if form is not None and field is not None and field in form:
        form[field].errors.append(message)
    else:
        flash(message, "error")


def save_or_show(form, save, refusals: tuple[type[Exception], ...] = (DomainError,)):
    """Call a service; commit and return its result (True when it returns nothing), or roll
    back, show its refusal on the form and return None (the caller shows the form again)."""
    try:
        result = save()
    except refusals as exc:
        db.session.rollback()
        show_error(form, exc.message, getattr(exc, "field", None))
        return None
    db.session.commit()
    return result if result is not None else True
