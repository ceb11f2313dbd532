"""Booking pages for beneficiaries, référents and everyone's booking page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from mobility.booking.access import booking_or_404

bp = Blueprint("booking", __name__, url_prefix="/locations")


@bp.get("/<int:booking_id>")
@login_required
def show(booking_id: int):
    booking = booking_or_404(booking_id, current_user)
    return render_template("booking/show.html", booking=booking)
