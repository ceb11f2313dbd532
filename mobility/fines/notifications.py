"""The référent hears of a fine that concerns a person they follow (many people need help with
one): when the driver is identified, and when the association has designated them.

The message says the file number, the deadline and where to look; never the offence, the
place, the amount or the vehicle (they are on the fine's page, behind a login). It leaves
after the commit, through the outbox, like every message.
"""

from __future__ import annotations

from mobility.fines.models import Fine
from mobility.notify.contacts import Contact
from mobility.notify.models import ContactChoice
from mobility.notify.services import external_url, queue_for


def _tell_referent(fine: Fine, action: str) -> None:
    person = fine.beneficiary
    referent = person.referent if person is not None else None
    if referent is None or not referent.active:
        return
    queue_for(
        Contact(email=referent.email, language=referent.locale, choice=ContactChoice.EMAIL),
        template="fine_referent",
        dedup_key=f"fine:{fine.id}:{action}:{referent.id}",
        action=action,
        file_number=person.id,
        deadline=fine.designation_due_on,
        link=external_url("fines.show", fine_id=fine.id),
    )


def driver_identified(fine: Fine) -> None:
    _tell_referent(fine, "identify")


def designated(fine: Fine) -> None:
    _tell_referent(fine, "designate")
