"""Turning a booking service's refusal into a message on the form: shared by every booking page."""

from __future__ import annotations

from flask import flash

from mobility.booking.lifecycle import IllegalMove, ReasonRequired
from mobility.booking.services import BookingError
from mobility.extensions import db

# What a page shows on the form; an IllegalMove may instead be left to a page's own handler.
FORM_REFUSALS = (BookingError, ReasonRequired)


def show_error(form, message: str, field: str | None) -> None:
    """Put the refusal next to its field (or above the form when it concerns no field)."""
    if form is not None and field is not None and field in form:
        form[field].errors.append(message)
    else:
        flash(message, "error")


def save_or_show(form, save, refusals: tuple[type[Exception], ...] = FORM_REFUSALS):
    """Call a service; commit and return its result (True when it returns nothing), or roll
    back, show its refusal on the form and return None (the caller shows the form again)."""
    try:
        result = save()
    except refusals as exc:
        db.session.rollback()
        field = "reason" if isinstance(exc, ReasonRequired) else getattr(exc, "field", None)
        show_error(form, exc.message, field)
        return None
    db.session.commit()
    return result if result is not None else True


__all__ = ["FORM_REFUSALS", "IllegalMove", "save_or_show", "show_error"]
