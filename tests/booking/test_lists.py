"""The booking lists of référents and fleet staff: search, filters and pages, in SQL; the outcomes
to record, filtered in SQL. Time is Monday 23 November 2026, frozen before anyone logs in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from mobility.booking.models import BookingStatus, Outcome, OutcomeCheckpoint, OutcomeResult
from mobility.extensions import db
from tests.booking.factories import BookingFactory, eligible_beneficiary
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory
from tests.fleet.helpers import text_of

# The clock of tests/<package>/conftest.py (Monday 23 November 2026, 10:00 in France).
pytestmark = pytest.mark.usefixtures("frozen")

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
S = BookingStatus


@pytest.fixture
def referent(app):
    return UserFactory()


def booking_of(site, referent, *, plate: str, last_name: str = "Locataire", status=S.CONFIRMED, **values):
    person = eligible_beneficiary(TODAY, referent=referent, first_name="Prénom", last_name=last_name)
    return BookingFactory(vehicle=VehicleFactory(site=site, plate=plate), beneficiary=person, status=status, **values)


def in_weeks(weeks: int) -> dict:
    start = datetime(2026, 12, 7, 8, tzinfo=UTC) + timedelta(weeks=weeks)
    return {"starts_at": start, "ends_at": start + timedelta(days=2)}


# --- Search and filters -----------------------------------------------------------------------


def test_the_referent_finds_a_booking_by_the_persons_name_or_its_reference(client, auth, site, referent):
    martin = booking_of(site, referent, plate="AA-001-AA", last_name="Martinez")
    other = booking_of(site, referent, plate="AA-002-AA", last_name="Durand")
    auth.login(referent)
    page = text_of(client.get("/locations/?q=martin"))
    assert martin.reference in page and other.reference not in page
    page = text_of(client.get("/locations/?q=prénom durand"))
    assert other.reference in page and martin.reference not in page
    page = text_of(client.get(f"/locations/?q={other.reference.lower()}"))
    assert other.reference in page and martin.reference not in page


def test_the_referent_cannot_search_by_plate_nor_find_another_organisations_people(client, auth, site, referent):
    mine = booking_of(site, referent, plate="PL-123-AQ")
    stranger = booking_of(site, UserFactory(), plate="AA-002-AA", last_name="Ailleurs")
    auth.login(referent)
    assert mine.reference not in text_of(client.get("/locations/?q=PL-123-AQ"))
    assert stranger.reference not in text_of(client.get("/locations/?q=ailleurs"))
    assert stranger.reference not in text_of(client.get(f"/locations/?q={stranger.reference}"))


def test_fleet_staff_search_by_plate_name_or_reference(client, auth, site, referent, fleet_user):
    wanted = booking_of(site, referent, plate="PL-123-AQ", last_name="Lefèvre")
    other = booking_of(site, referent, plate="AA-002-AA")
    auth.login(fleet_user)
    for search in ("pl123aq", "PL-123", "lefèvre", wanted.reference):
        page = text_of(client.get("/flotte/locations/", query_string={"q": search}))
        assert wanted.reference in page and other.reference not in page, search


def test_an_admin_searches_by_plate_and_reference_never_by_name(client, auth, site, referent):
    wanted = booking_of(site, referent, plate="PL-123-AQ", last_name="Lefèvre")
    auth.login(UserFactory(admin=True))
    assert wanted.reference in text_of(client.get("/locations/?q=PL-123-AQ"))
    page = text_of(client.get("/locations/?q=lefèvre"))
    assert wanted.reference not in page and "Lefèvre" not in page


def test_status_period_and_site_filters_combine_in_the_url(client, auth, site, referent, fleet_user):
    annex = SiteFactory(association=fleet_user.organisation, name="Annexe")
    early = booking_of(site, referent, plate="AA-001-AA", **in_weeks(0))
    late = booking_of(site, referent, plate="AA-002-AA", **in_weeks(6))
    approved = booking_of(site, referent, plate="AA-003-AA", status=S.APPROVED, **in_weeks(6))
    elsewhere = booking_of(annex, referent, plate="AA-004-AA", **in_weeks(6))
    auth.login(fleet_user)
    page = text_of(client.get(f"/flotte/locations/?statut=confirmed&du=2027-01-10&au=2027-01-31&site={site.id}"))
    assert late.reference in page
    assert early.reference not in page and approved.reference not in page and elsewhere.reference not in page
    auth.logout()
    auth.login(referent)
    page = text_of(client.get("/locations/?du=2026-12-01&au=2026-12-31"))
    assert early.reference in page and late.reference not in page


def test_the_pages_keep_the_filters_in_their_links(client, auth, site, referent, fleet_user):
    for week in range(27):
        booking_of(site, referent, plate=f"AA-{week:03d}-AB", **in_weeks(week))
    auth.login(fleet_user)
    body = client.get("/flotte/locations/?statut=confirmed&q=AA").get_data(as_text=True)
    links = re.findall(r'href="([^"]*page=2[^"]*)"', body)
    assert links and "statut=confirmed" in links[0] and "q=AA" in links[0]
    second = text_of(client.get(links[0].replace("&amp;", "&")))
    assert "Page 2" in second and "Page suivante" not in second and "Page précédente" in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("statut=lost", "Choisissez un état dans la liste."),
        ("du=2026-13-45", "Saisissez une date"),
        ("du=2026-12-10&au=2026-12-01", "Le dernier jour doit être après le premier."),
        ("site=0", "Choisissez un site dans la liste."),
        ("q=" + "x" * 81, "La recherche ne doit pas dépasser 80 caractères."),
    ],
)
def test_a_filter_that_is_not_valid_is_said_in_french_and_the_list_still_shows(
    client, auth, site, referent, fleet_user, query, message
):
    booking = booking_of(site, referent, plate="AA-001-AA")
    auth.login(fleet_user)
    response = client.get(f"/flotte/locations/?{query}")
    assert response.status_code == 200
    page = text_of(response)
    assert message in page and booking.reference in page
    auth.logout()
    auth.login(referent)
    response = client.get(f"/locations/?{query}")
    assert response.status_code == 200
    assert message in text_of(response) or query.startswith("site")


# --- Outcomes to record -----------------------------------------------------------------------


def returned(site, referent, ended_on: date, plate: str, *recorded: OutcomeCheckpoint):
    end = datetime(ended_on.year, ended_on.month, ended_on.day, 16, tzinfo=UTC)
    booking = booking_of(site, referent, plate=plate, status=S.RETURNED, starts_at=end - timedelta(days=3), ends_at=end)
    for checkpoint in recorded:
        db.session.add(
            Outcome(booking=booking, checkpoint=checkpoint, result=OutcomeResult.OTHER_JOB, recorded_on=ended_on)
        )
    db.session.commit()
    return booking


def test_outcomes_due_are_chosen_in_sql_by_checkpoint_and_date(client, auth, site, referent):
    c = OutcomeCheckpoint
    recent_done = returned(site, referent, TODAY - timedelta(days=10), "AA-001-AA", c.AT_END)
    three_months = returned(site, referent, TODAY - timedelta(days=90), "AA-002-AA", c.AT_END)
    just_before = returned(site, referent, TODAY - timedelta(days=89), "AA-003-AA", c.AT_END)
    six_months = returned(site, referent, TODAY - timedelta(days=200), "AA-004-AA", c.AT_END, c.AFTER_3_MONTHS)
    all_done = returned(
        site, referent, TODAY - timedelta(days=400), "AA-005-AA", c.AT_END, c.AFTER_3_MONTHS, c.AFTER_6_MONTHS
    )
    at_end = returned(site, referent, TODAY - timedelta(days=2), "AA-006-AA")
    auth.login(referent)
    page = text_of(client.get("/locations/suites-a-noter"))
    assert f"{three_months.reference} Prénom Locataire" in page
    assert re.search(rf"{six_months.reference} .* 6 mois après", page)
    assert at_end.reference in page
    for booking in (recent_done, just_before, all_done):
        assert booking.reference not in page


def test_the_approval_page_shows_the_first_outcomes_and_links_to_the_rest(client, auth, site, referent):
    for number in range(12):
        returned(site, referent, TODAY - timedelta(days=5 + number), f"AB-{number:03d}-CD")
    auth.login(referent)
    body = client.get("/locations/a-valider").get_data(as_text=True)
    assert body.count("à la fin de la location") == 10
    assert 'href="/locations/suites-a-noter"' in body
    page = text_of(client.get("/locations/suites-a-noter"))
    assert page.count("à la fin de la location") == 12
