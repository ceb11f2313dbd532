"""Booking pages, one module per audience.

- beneficiary: the request form and "Mes locations" with the waiting queue (a référent uses
  them on behalf of a person their organisation follows);
- booking_page: everyone's booking page, cancelling, an extension asked, summary, calendar;
- referent: the approval queue, decisions, the follow-ups to record;
- fleet: the association's booking pages (confirm, hand over, take back, payments, contract);
- admin: the tariffs.

Each module says which routes it has in its register(bp); booking_blueprints() builds the
three blueprints from them, and create_app registers those. Endpoint names are
"booking.<view>", "booking_fleet.<view>" and "tariffs.<view>".

Every booking is loaded through access.booking_or_404: someone else's booking is "not found".
Services flush; these views commit once after a success and roll back on a refusal.
"""

from __future__ import annotations

from flask import Blueprint

from mobility.booking.views import admin, beneficiary, booking_page, fleet, referent


def booking_blueprints() -> tuple[Blueprint, Blueprint, Blueprint]:
    """The booking pages (/locations), the fleet's (/flotte/locations) and the tariffs' (/admin/tarifs)."""
    pages = Blueprint("booking", __name__, url_prefix="/locations")
    for audience in (beneficiary, booking_page, referent):
        audience.register(pages)
    fleet_pages = Blueprint("booking_fleet", __name__, url_prefix="/flotte/locations")
    fleet.register(fleet_pages)
    tariff_pages = Blueprint("tariffs", __name__, url_prefix="/admin/tarifs")
    admin.register(tariff_pages)
    return pages, fleet_pages, tariff_pages
