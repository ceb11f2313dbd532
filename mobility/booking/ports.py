"""What the booking floor needs from the floors above it (the incidents), plugged by create_app.

The handover pages take photos of the vehicle's condition and, at the return, a new damage
opens an incident: both belong to the incidents package, above this floor. The booking pages
call the implementations plugged here, in the same transaction as the handover; nothing
registers itself on import (same pattern as mobility.fleet.ports).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from flask import current_app

if TYPE_CHECKING:  # pragma: no cover - names for type checkers only
    from mobility.auth.models import User
    from mobility.booking.models import Handover

EXTENSION_KEY = "mobility.booking.ports"


@dataclass(frozen=True)
class PhotoView:
    url: str
    alt: str


@runtime_checkable
class HandoverCondition(Protocol):
    def photos_of(self, handover: Handover) -> list[PhotoView]:
        """The photos taken at that handover, for the pages that compare them."""

    def record_condition(
        self, handover: Handover, photos: Sequence, new_damage: str | None, actor: User
    ) -> str | None:
        """Keep the handover's photos (refusing a non-image or a too-big file with a DomainError
        on the field "photos"); at a return, a new damage described opens an incident, whose
        reference is returned. Flushes, never commits."""


@dataclass(frozen=True)
class BookingPorts:
    handover_conditions: tuple[HandoverCondition, ...] = ()


def plug(app, *, handover_conditions: Iterable[HandoverCondition] = ()) -> BookingPorts:
    ports = BookingPorts(handover_conditions=tuple(handover_conditions))
    for implementation in ports.handover_conditions:
        if not isinstance(implementation, HandoverCondition):
            raise TypeError(f"{implementation!r} does not implement HandoverCondition")
    app.extensions[EXTENSION_KEY] = ports
    return ports


def plugged() -> BookingPorts:
    return current_app.extensions.get(EXTENSION_KEY) or BookingPorts()
