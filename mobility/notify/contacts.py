"""Where a person can be reached, and on which channels a message goes to them."""

from __future__ import annotations

from dataclasses import dataclass

from mobility.notify.models import Channel, ContactChoice
from mobility.notify.phones import InvalidPhone, is_mobile, normalise_phone


def _e164(phone: str | None) -> str | None:
    if not phone:
        return None
    try:
        return normalise_phone(phone)
    except InvalidPhone:
        return None


@dataclass(frozen=True)
class Contact:
    """Where a person can be reached, and how they chose to be."""

    email: str | None = None
    phone: str | None = None  # E.164
    language: str | None = None
    choice: ContactChoice | None = None

    @classmethod
    def of(cls, email: str | None, phone: str | None, language: str | None, choice: ContactChoice | None):
        return cls(email=email or None, phone=_e164(phone), language=language, choice=choice)

    def channels(self) -> list[Channel]:
        """The chosen channels that can reach the person; by default, every one that can.

        A choice that cannot be honoured (SMS chosen, no mobile number) falls back to the
        other channel rather than leaving the person without the message.
        """
        can_email, can_sms = bool(self.email), is_mobile(self.phone)
        wanted = {
            ContactChoice.EMAIL: (Channel.EMAIL,),
            ContactChoice.SMS: (Channel.SMS,),
            ContactChoice.BOTH: (Channel.EMAIL, Channel.SMS),
            None: (Channel.EMAIL, Channel.SMS),
        }[self.choice]
        possible = [c for c in wanted if (c is Channel.EMAIL and can_email) or (c is Channel.SMS and can_sms)]
        if possible:
            return possible
        return [c for c, ok in ((Channel.EMAIL, can_email), (Channel.SMS, can_sms)) if ok][:1]
