"""Which messages each booking move puts in the outbox, and for whom.

Beneficiary and référent hear about what concerns them; fleet staff of the association hear
when a booking needs their confirmation or is cancelled after being approved. Each message is
rendered in its recipient's language and leaves only after the commit (notify.services).
Fleet messages carry the reference and the dates, never the person's name.
"""

from __future__ import annotations

from sqlalchemy import select

from mobility.auth.models import Role, User
from mobility.booking.lifecycle import Action
from mobility.booking.models import Booking, BookingStatus, Extension
from mobility.extensions import db
from mobility.notify.services import external_url, queue_email, queue_for

# action -> who hears about it
AUDIENCES: dict[Action, tuple[str, ...]] = {
    Action.SUBMIT: ("beneficiary", "referent"),
    Action.PRESCRIBE: ("beneficiary", "fleet"),
    Action.APPROVE: ("beneficiary", "fleet"),
    Action.REJECT: ("beneficiary",),
    Action.EXPIRE: ("beneficiary", "referent"),
    Action.CANCEL: ("beneficiary", "referent", "fleet"),
    Action.CONFIRM: ("beneficiary", "referent"),
    Action.CHECK_OUT: ("beneficiary",),
    Action.NO_SHOW: ("referent",),
    Action.RETURN: ("beneficiary", "referent"),
    Action.EXTEND: ("beneficiary", "fleet"),
}


def _to_beneficiary(of: Booking, /, *, template: str, dedup_key: str, **context) -> None:
    """On the channels the person chose (e-mail, SMS or both); nothing if they cannot be reached."""
    queue_for(of.beneficiary.contact(), template=template, dedup_key=dedup_key, **context)


def _referent(booking: Booking) -> User | None:
    referent = booking.beneficiary.referent
    return referent if referent is not None and referent.active else None


def _fleet_staff(booking: Booking) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.organisation_id == booking.association_id, User.role == Role.FLEET, User.active.is_(True)
            )
        )
    )


def transition(
    booking: Booking,
    action: Action,
    previous_status: BookingStatus | None = None,
    reason: str | None = None,
) -> None:
    for audience in AUDIENCES.get(action, ()):
        if audience == "fleet" and action == Action.CANCEL and previous_status not in (
            BookingStatus.APPROVED,
            BookingStatus.CONFIRMED,
        ):
            continue  # staff never heard of a request that was not yet approved
        _send(booking, action, audience, reason)


def _send(booking: Booking, action: Action, audience: str, reason: str | None) -> None:
    context = {"booking": booking, "action": action.value, "reason": reason}
    dedup = f"booking:{booking.id}:{action.value}:{len(booking.transitions)}:{audience}"
    if audience == "beneficiary":
        _to_beneficiary(
            booking,
            template="booking_beneficiary",
            dedup_key=dedup,
            link=external_url("booking.show", booking_id=booking.id),
            **context,
        )
    elif audience == "referent":
        referent = _referent(booking)
        if referent is None:
            return
        queue_email(
            recipient=referent.email,
            template="booking_referent",
            language=referent.locale,
            dedup_key=dedup,
            link=external_url("booking.show", booking_id=booking.id),
            **context,
        )
    else:
        for staff in _fleet_staff(booking):
            queue_email(
                recipient=staff.email,
                template="booking_fleet",
                language=staff.locale,
                dedup_key=f"{dedup}:{staff.id}",
                link=external_url("booking.show", booking_id=booking.id),
                **context,
            )


def extension_requested(extension: Extension) -> None:
    referent = _referent(extension.booking)
    if referent is None:
        return
    queue_email(
        recipient=referent.email,
        template="booking_extension_requested",
        language=referent.locale,
        dedup_key=f"extension:{extension.id}:requested",
        booking=extension.booking,
        extension=extension,
        link=external_url("booking.show", booking_id=extension.booking_id),
    )


def extension_refused(extension: Extension) -> None:
    _to_beneficiary(
        extension.booking,
        template="booking_extension_refused",
        dedup_key=f"extension:{extension.id}:refused",
        booking=extension.booking,
        extension=extension,
        link=external_url("booking.show", booking_id=extension.booking_id),
    )


def site_changed(booking: Booking, previous_site, distance_km: int | None) -> None:
    """The vehicle swapped for one at another site: the person hears where and when it opens."""
    _to_beneficiary(
        booking,
        template="booking_site_changed",
        dedup_key=f"booking:{booking.id}:site:{booking.site.id}:{len(booking.transitions)}",
        booking=booking,
        previous_site=previous_site,
        distance_km=distance_km,
        link=external_url("booking.show", booking_id=booking.id),
    )
