import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from mobility.extensions import db
from icalendar import Calendar

from mobility.fleet.ics import CANCELLED, CalendarEvent, render_calendar
from mobility.fleet.models import UnavailabilityKind
from tests.factories import UserFactory
from tests.fleet.factories import UnavailabilityFactory, VehicleFactory

# The clock of tests/<package>/conftest.py (Monday 23 November 2026, 10:00 in France).
pytestmark = pytest.mark.usefixtures("frozen")


def _feed_url(site, token=None) -> str:
    return f"/flotte/sites/{site.id}/calendrier/{token or site.ics_token}.ics"


def _unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_the_feed_lists_the_sites_unavailability_as_valid_icalendar(client, site):
    vehicle = VehicleFactory(site=site, plate="AB-123-CD", make="Renault", model="Clio")
    period = UnavailabilityFactory(
        vehicle=vehicle, kind=UnavailabilityKind.REPAIR, reason="Embrayage, boîte; voir le garage\nà 9 h"
    )
    response = client.get(_feed_url(site))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.get_data()
    body = raw.decode("utf-8")
    # CRLF everywhere, no bare LF; every physical line at most 75 octets.
    assert body.endswith("\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = _unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    assert f"UID:unavailability-{period.id}@mobilite-emploi-loiret" in lines
    assert "DTSTAMP:20261123T090000Z" in lines
    assert "DTSTART:20261201T230000Z" in lines
    assert "DTEND:20261204T230000Z" in lines
    assert "SUMMARY:Indisponible : réparation — Renault Clio (AB-123-CD)" in lines
    assert "DESCRIPTION:Embrayage\\, boîte\\; voir le garage\\nà 9 h" in lines
    assert "LOCATION:Garage solidaire\\, 12 rue de la Gare\\, Montargis" in lines


def test_the_feed_holds_only_its_own_sites_events(client, site, foreign_site):
    UnavailabilityFactory(vehicle=VehicleFactory(site=foreign_site, plate="EF-456-GH"))
    body = client.get(_feed_url(site)).get_data(as_text=True)
    assert "BEGIN:VEVENT" not in body
    assert "EF-456-GH" not in body


def test_the_feed_leaves_out_periods_that_ended_long_ago(client, site):
    vehicle = VehicleFactory(site=site)
    UnavailabilityFactory(
        vehicle=vehicle,
        starts_at=datetime(2026, 1, 5, 8, tzinfo=timezone.utc),
        ends_at=datetime(2026, 1, 6, 8, tzinfo=timezone.utc),
    )
    assert "BEGIN:VEVENT" not in client.get(_feed_url(site)).get_data(as_text=True)


@pytest.mark.parametrize("token", ["x" * 43, "mauvais", "A" * 200])
def test_a_wrong_token_is_not_found(client, site, token):
    assert client.get(_feed_url(site, token)).status_code == 404


def test_another_sites_token_does_not_open_this_site(client, site, foreign_site):
    assert client.get(f"/flotte/sites/{site.id}/calendrier/{foreign_site.ics_token}.ics").status_code == 404
    assert client.get(f"/flotte/sites/999/calendrier/{site.ics_token}.ics").status_code == 404


def test_staff_renew_the_token_and_the_old_url_stops_working(client, logged_in, site):
    old_url = _feed_url(site)
    old_token = site.ics_token
    page = client.get(f"/flotte/planning/sites/{site.id}").get_data(as_text=True)
    assert old_url in page  # the subscription link is shown to the site's staff
    response = client.post(f"/flotte/sites/{site.id}/calendrier/renouveler", follow_redirects=True)
    assert "ancien lien ne fonctionne plus" in response.get_data(as_text=True)
    db.session.refresh(site)
    assert site.ics_token != old_token
    assert client.get(old_url).status_code == 404
    assert client.get(_feed_url(site)).status_code == 200


def test_staff_of_another_association_cannot_renew_the_token(client, logged_in, foreign_site):
    old_token = foreign_site.ics_token
    assert client.post(f"/flotte/sites/{foreign_site.id}/calendrier/renouveler").status_code == 404
    db.session.refresh(foreign_site)
    assert foreign_site.ics_token == old_token


def test_renewing_the_token_needs_a_post_with_a_csrf_token(app, client, logged_in, site):
    assert client.get(f"/flotte/sites/{site.id}/calendrier/renouveler").status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    old_token = site.ics_token
    assert client.post(f"/flotte/sites/{site.id}/calendrier/renouveler").status_code == 400
    db.session.refresh(site)
    assert site.ics_token == old_token


def test_a_referent_cannot_renew_a_token(client, auth, site):
    auth.login(UserFactory())
    assert client.post(f"/flotte/sites/{site.id}/calendrier/renouveler").status_code == 404


# The serializer on its own. ------------------------------------------------------------------


def _parsed_event(event: CalendarEvent):
    body = render_calendar([event], name="Site", now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    return Calendar.from_ical(body).walk("VEVENT")[0], body


def test_text_with_commas_semicolons_backslashes_and_newlines_reads_back_as_written():
    text = "a\\b,c;d\ne"
    parsed, body = _parsed_event(
        CalendarEvent(uid="u", starts_at=datetime(2026, 1, 1, tzinfo=timezone.utc), ends_at=datetime(2026, 1, 2, tzinfo=timezone.utc), summary=text, description=text)
    )
    assert str(parsed["SUMMARY"]) == text and str(parsed["DESCRIPTION"]) == text
    assert b"SUMMARY:a\\\\b\\,c\\;d\\ne\r\n" in body


def test_long_lines_fold_at_75_octets_and_read_back_whole():
    summary = "é" * 100 + "x" * 50
    parsed, body = _parsed_event(
        CalendarEvent(uid="u", starts_at=datetime(2026, 1, 1, tzinfo=timezone.utc), ends_at=datetime(2026, 1, 2, tzinfo=timezone.utc), summary=summary)
    )
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert str(parsed["SUMMARY"]) == summary


def test_an_event_carries_its_sequence_and_a_cancelled_one_says_so_and_frees_the_time():
    parsed, _ = _parsed_event(
        CalendarEvent(
            uid="u", starts_at=datetime(2026, 1, 1, tzinfo=timezone.utc), ends_at=datetime(2026, 1, 2, tzinfo=timezone.utc),
            summary="s", sequence=3, status=CANCELLED,
        )
    )
    assert (parsed["SEQUENCE"], str(parsed["STATUS"]), str(parsed["TRANSP"])) == (3, "CANCELLED", "TRANSPARENT")


def test_a_calendar_refuses_naive_times():
    event = CalendarEvent(uid="u", starts_at=datetime(2026, 1, 1), ends_at=datetime(2026, 1, 2), summary="s")
    with pytest.raises(ValueError):
        render_calendar([event], name="n", now=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_times_are_written_in_utc_whatever_their_zone():
    paris = ZoneInfo("Europe/Paris")
    event = CalendarEvent(
        uid="u@x",
        starts_at=datetime(2026, 7, 1, 9, tzinfo=paris),
        ends_at=datetime(2026, 7, 1, 12, tzinfo=paris),
        summary="Été",
    )
    body = render_calendar([event], name="Site", now=datetime(2026, 7, 1, tzinfo=timezone.utc)).decode()
    assert "DTSTART:20260701T070000Z\r\n" in body
    assert "DTEND:20260701T100000Z\r\n" in body
    assert re.search(r"DTSTAMP:\d{8}T\d{6}Z\r\n", body)
