"""The booking floor's refusals: members of the one DomainError family (mobility.core.errors)."""

from __future__ import annotations

from mobility.core.errors import Refused


class BookingError(Refused):
    """A refusal of the booking rules, with the form field it belongs to (None: the whole form)."""
