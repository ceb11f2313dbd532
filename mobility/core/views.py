"""Helpers every blueprint's views share: turning a service refusal into a form message.

The one place where a DomainError becomes what a person reads on a page: next to its field
when the form has it, above the form otherwise. (The API turns the same errors into status
codes in mobility.api.errors.)
"""

from __future__ import annotations

from flask import flash

from mobility.core.errors import DomainError, Invalid, NotFound, Refused
from mobility.extensions import db

# What a page shows on its form by default. A Conflict (an illegal move, something taken
# meanwhile) is often explained by a page's own handler instead; pages that show it on the
# form pass `refusals=PAGE_REFUSALS`.
FORM_REFUSALS: tuple[type[DomainError], ...] = (Refused, Invalid, NotFound)
PAGE_REFUSALS: tuple[type[DomainError], ...] = (DomainError,)


def show_error(form, message: str, field: str | None) -> None:
    """Put the refusal next to its field (or above the form when it concerns no field)."""
    if form is not None and field is not None and field in form:
        form[field].errors.append(message)
    else:
        flash(message, "error")


def show_refusal(form, error: DomainError) -> None:
    show_error(form, error.message, error.field)


def save_or_show(form, save, refusals: tuple[type[Exception], ...] = FORM_REFUSALS):
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
