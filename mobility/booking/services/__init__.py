"""Booking services: the one place the web forms, the API and the commands go through, one
module per concern (requests, moves, handovers, extensions, payments, tariffs, queue); this
package gives their public names in one place.

Services take plain values and the acting user, flush and never commit. Refusals are
exceptions carrying a French message: NotEligible (every eligibility reason at once),
VehicleTaken / NothingFree (with the free alternatives), BookingError (a form field),
IllegalMove / ReasonRequired (the state machine).

No double booking is the database's job (see models and the booking migration); here a lost
race is turned into VehicleTaken, never into an error page.
"""

from __future__ import annotations

from mobility.booking.availability import Snapshot, free_vehicles, free_vehicles_query, is_free
from mobility.booking.eligibility import NotEligible
from mobility.booking.errors import BookingError
from mobility.booking.lifecycle import Action, IllegalMove, ReasonRequired, move
from mobility.booking.models import Tariff
from mobility.booking.services.guards import (
    take_write_lock,
)
from mobility.booking.services.tariffs import (
    shown_tariff_rule,
    tariffs_of,
    tariff_for,
    add_tariff,
    update_tariff,
    withdraw_tariff,
    caps_out_of_order,
)
from mobility.booking.services.requests import (
    MAX_ATTEMPTS,
    ALTERNATIVE_DATES_WINDOW_DAYS,
    ALTERNATIVE_DATES_SHOWN,
    FreeDates,
    FreeElsewhere,
    Alternatives,
    VehicleTaken,
    NothingFree,
    vehicle_summary,
    request_expiry_hours,
    offer_hours,
    default_pickup_time,
    default_return_time,
    period,
    RequestDetails,
    holding_bookings_of,
    alternatives_for,
    nearest_free_dates,
    Preview,
    eligibility_refusals,
    check_times,
    preview,
    request_booking,
)
from mobility.booking.services.queue import (
    join_queue,
    queue_position,
    queue_positions,
    offer_free_vehicles,
    offer_freed_vehicle,
    accept_offer,
    withdraw_from_queue,
    expire_offers,
)
from mobility.booking.services.moves import (
    moved,
    approve,
    reject,
    cancel,
    record_no_show,
    swap_candidates,
    confirm,
    expire_stale_requests,
    overdue_bookings,
    overdue_query,
)
from mobility.booking.services.handovers import (
    HandoverDetails,
    check_out,
    return_vehicle,
)
from mobility.booking.services.extensions import (
    request_extension,
    decide_extension,
)
from mobility.booking.services.payments import (
    due_checkpoints,
    record_handover_deposit,
    record_outcome,
    record_payment,
    reverse_payment,
)

__all__ = [
    "Snapshot",
    "free_vehicles",
    "free_vehicles_query",
    "is_free",
    "NotEligible",
    "BookingError",
    "Action",
    "IllegalMove",
    "ReasonRequired",
    "move",
    "Tariff",
    "take_write_lock",
    "shown_tariff_rule",
    "tariffs_of",
    "tariff_for",
    "add_tariff",
    "update_tariff",
    "withdraw_tariff",
    "caps_out_of_order",
    "MAX_ATTEMPTS",
    "ALTERNATIVE_DATES_WINDOW_DAYS",
    "ALTERNATIVE_DATES_SHOWN",
    "FreeDates",
    "FreeElsewhere",
    "Alternatives",
    "VehicleTaken",
    "NothingFree",
    "vehicle_summary",
    "request_expiry_hours",
    "offer_hours",
    "default_pickup_time",
    "default_return_time",
    "period",
    "RequestDetails",
    "holding_bookings_of",
    "alternatives_for",
    "nearest_free_dates",
    "Preview",
    "eligibility_refusals",
    "check_times",
    "preview",
    "request_booking",
    "join_queue",
    "queue_position",
    "queue_positions",
    "offer_free_vehicles",
    "offer_freed_vehicle",
    "accept_offer",
    "withdraw_from_queue",
    "expire_offers",
    "moved",
    "approve",
    "reject",
    "cancel",
    "record_no_show",
    "swap_candidates",
    "confirm",
    "expire_stale_requests",
    "overdue_bookings",
    "overdue_query",
    "HandoverDetails",
    "check_out",
    "return_vehicle",
    "request_extension",
    "decide_extension",
    "due_checkpoints",
    "record_outcome",
    "record_payment",
    "reverse_payment",
    "record_handover_deposit",
]
