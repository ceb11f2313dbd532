"""What the booking pages of every audience share."""

from __future__ import annotations

from datetime import date
from functools import partial

from flask import request
from flask_login import current_user

from mobility.auth.models import Role
from mobility.core.time import local, utcnow
from mobility.core.views import PAGE_REFUSALS, save_or_show

# Who decides on requests, extensions and outcomes.
DECIDERS = (Role.REFERENT, Role.ADMIN)

# These pages also show an illegal move (a booking changed meanwhile) on the form.
save_on_page = partial(save_or_show, refusals=PAGE_REFUSALS)


def worded(refusals: list) -> list:
    """Reasons in the second person for the beneficiary, about "la personne" for staff."""
    staff = current_user.role != Role.BENEFICIARY
    return [refusal.worded_for(staff) for refusal in refusals]


def today() -> date:
    return local(utcnow()).date()


def form_status() -> int:
    """A form shown again after a POST was refused: 422 Unprocessable Content."""
    return 422 if request.method == "POST" else 200
