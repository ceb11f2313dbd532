"""Every message renders in French and English, says who sends it, and has no leftover French in English."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mobility.booking.models import OutcomeCheckpoint
from mobility.notify.rendering import render_email, render_sms
from tests.booking.factories import BookingFactory
from tests.fleet.factories import VehicleFactory

LINK = "https://mobilite.example/x"


def _contexts():
    booking = BookingFactory()
    vehicle = VehicleFactory(insurance_expires_on=datetime(2026, 12, 20).date())
    entry = type("Entry", (), {"starts_on": booking.starts_on, "ends_on": booking.ends_on})()
    return {
        "pickup_reminder": {"booking": booking, "link": LINK, "association_contact": "Association, 02 38 00 00 00"},
        "return_reminder": {"booking": booking, "link": LINK},
        "waiting_offer": {"entry": entry, "vehicle": vehicle, "link": LINK,
                          "expires": datetime(2026, 12, 3, 9, tzinfo=timezone.utc)},
        "overdue_return": {"booking": booking, "audience": "referent", "days_late": 2, "link": LINK},
        "approvals_digest": {"bookings": [booking], "count": 1, "link": LINK},
        "checkpoints_digest": {"items": [{"reference": booking.reference, "checkpoint": OutcomeCheckpoint.AFTER_3_MONTHS.label,
                                          "link": LINK}], "count": 1},
        "deadlines_digest": {"items": [(vehicle, a) for a in vehicle.alerts(datetime(2026, 12, 1).date())],
                             "paperwork": [], "sections": [], "count": 1, "link": LINK},
        "fine_referent": {"action": "identify", "file_number": 7, "deadline": datetime(2026, 12, 20).date(), "link": LINK},
        "retention_notice": {"files": [{"number": 7, "due_on": datetime(2026, 12, 20).date(), "link": LINK}],
                             "count": 1},
    }


FRENCH_WORDS = ("Bonjour", "véhicule", "location", "dossier", "Rappel")


@pytest.mark.parametrize("template", sorted([
    "pickup_reminder", "return_reminder", "waiting_offer", "overdue_return", "approvals_digest",
    "checkpoints_digest", "deadlines_digest", "retention_notice", "fine_referent"]))
def test_each_new_message_renders_in_both_languages(app, template):
    context = _contexts()[template]
    french = render_email(template, "fr", context)
    english = render_email(template, "en", context)
    assert "Mobilité Emploi Loiret" in french.text and "Mobilité Emploi Loiret" in english.text
    assert "Département du Loiret" in french.text and "Loiret Département" in english.text
    for word in FRENCH_WORDS:
        assert word not in english.text, f"{word!r} left in the English {template}"
    assert english.subject and english.subject != french.subject
    if template in ("pickup_reminder", "return_reminder", "waiting_offer"):
        for language in ("fr", "en"):
            sms = render_sms(template, language, context, french.subject)
            assert len(sms) <= 160 and sms.endswith(LINK)
