"""Bookings on the fleet planning board (in words, with the reference) and in the site's calendar feed
(pickups and returns, with the reference and never the person's name)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from mobility.booking.models import BookingStatus
from tests.booking.factories import BookingFactory, eligible_beneficiary
from tests.fleet.factories import SiteFactory, VehicleFactory

# The clock of tests/<package>/conftest.py (Monday 23 November 2026, 10:00 in France).
pytestmark = pytest.mark.usefixtures("frozen")

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 23 November 2026, 10:00 in Paris
S = BookingStatus


@pytest.fixture
def clio(site):
    return VehicleFactory(site=site, plate="AB-123-CD", make="Renault", model="Clio")


def cells(page: str, row_text: str) -> list[str]:
    """The text of each cell of the board row whose header contains row_text."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.DOTALL):
        header = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, flags=re.DOTALL)
        if header and row_text in header.group(1):
            found = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)
            return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]
    raise AssertionError(f"no row for {row_text}")


def board(client, site, month="2026-12") -> str:
    return client.get(f"/flotte/planning/sites/{site.id}?mois={month}").get_data(as_text=True)


# --- The board ----------------------------------------------------------------------------------


def test_a_confirmed_booking_is_reserved_on_the_board_in_words_with_its_reference(
    client, logged_in, site, clio
):
    booking = BookingFactory(vehicle=clio)  # Monday 7 to Friday 11 December
    row = cells(board(client, site), "AB-123-CD")
    assert row[5] == "Libre"  # 6 December
    assert row[6:11] == [f"R Réservé {booking.reference}"] * 5
    assert row[11] == "Libre"
    assert "planning-cell--booking" in board(client, site)


@pytest.mark.parametrize(
    "status, words",
    [
        (S.REQUESTED, "D Demandé {ref} (en attente du référent)"),
        (S.APPROVED, "V À confirmer {ref}"),
        (S.RETURNED, "T Rendu {ref}"),
    ],
)
def test_each_status_that_matters_to_the_fleet_is_told_in_words(
    client, logged_in, site, clio, status, words
):
    booking = BookingFactory(vehicle=clio, status=status)
    assert cells(board(client, site), "AB-123-CD")[6] == words.format(ref=booking.reference)


@pytest.mark.parametrize("status", [S.CANCELLED, S.REJECTED, S.EXPIRED, S.NO_SHOW])
def test_bookings_that_hold_nothing_leave_the_vehicle_free(client, logged_in, site, clio, status):
    BookingFactory(vehicle=clio, status=status)
    assert set(cells(board(client, site), "AB-123-CD")) == {"Libre"}


def test_a_late_rental_shows_in_progress_then_late_until_today(client, logged_in, site, clio):
    booking = BookingFactory(
        vehicle=clio,
        status=S.IN_PROGRESS,
        starts_at=datetime(2026, 11, 16, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 20, 16, tzinfo=UTC),  # Friday 20 November, 17:00 in Paris
    )
    ref = booking.reference
    row = cells(board(client, site, "2026-11"), "AB-123-CD")
    late = f"En retard {ref} (retour prévu le 20/11)"
    assert row[14] == "Libre"  # 15 November
    assert row[15:19] == [f"C En cours {ref}"] * 4  # 16 to 19 November
    assert row[19] == f"C RT En cours {ref} ; {late}"  # 20 November: due back at 17:00, not back
    assert row[20:23] == [f"RT {late}"] * 3  # 21 to 23 November (today)
    assert row[23] == "Libre"


def test_the_week_view_shows_the_words_on_screen(client, logged_in, site, clio):
    booking = BookingFactory(vehicle=clio)
    page = client.get(f"/flotte/planning/sites/{site.id}?vue=semaine&semaine=2026-12-07").get_data(
        as_text=True
    )
    assert f'<span class="planning-text">Réservé {booking.reference}</span>' in page


def test_the_board_shows_no_personal_data_of_the_booking(client, logged_in, site, clio):
    person = eligible_beneficiary(date(2026, 11, 23), last_name="Locataire", phone="06 11 22 33 44")
    BookingFactory(vehicle=clio, beneficiary=person, purpose_detail="Boulangerie Exemple")
    page = board(client, site)
    assert "Locataire" not in page and "06 11 22 33 44" not in page and "Boulangerie" not in page


# --- The calendar feed --------------------------------------------------------------------------


def feed(client, site) -> list[str]:
    body = client.get(f"/flotte/sites/{site.id}/calendrier/{site.ics_token}.ics").get_data(as_text=True)
    return body.replace("\r\n ", "").split("\r\n")


def events(lines: list[str]) -> list[list[str]]:
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return found


def test_the_feed_has_a_pickup_and_a_return_with_the_reference_and_no_name(client, site, clio):
    person = eligible_beneficiary(
        date(2026, 11, 23), first_name="Prénom", last_name="Locataire", phone="06 11 22 33 44"
    )
    booking = BookingFactory(vehicle=clio, beneficiary=person)
    lines = feed(client, site)
    ref = booking.reference
    pickup, back = events(lines)
    assert f"UID:booking-{booking.id}-pickup@mobilite-emploi-loiret" in pickup
    assert "DTSTART:20261207T080000Z" in pickup and "DTEND:20261207T083000Z" in pickup
    assert f"SUMMARY:Départ {ref} — Renault Clio (AB-123-CD)" in pickup
    assert f"DESCRIPTION:Remise du véhicule pour la location {ref}. Statut : confirmée." in pickup
    assert "LOCATION:Garage solidaire\\, 12 rue de la Gare\\, Montargis" in pickup
    assert f"UID:booking-{booking.id}-return@mobilite-emploi-loiret" in back
    assert "DTSTART:20261211T160000Z" in back
    assert f"SUMMARY:Retour {ref} — Renault Clio (AB-123-CD)" in back
    body = "\n".join(lines)
    assert "Locataire" not in body and "Prénom" not in body and "06 11 22 33 44" not in body


def test_the_feed_leaves_out_bare_requests_cancelled_bookings_and_other_sites(client, site, clio):
    BookingFactory(vehicle=clio, status=S.REQUESTED)
    BookingFactory(
        vehicle=clio,
        status=S.CANCELLED,
        starts_at=datetime(2026, 12, 14, 8, tzinfo=UTC),
        ends_at=datetime(2026, 12, 15, 16, tzinfo=UTC),
    )
    BookingFactory(vehicle=VehicleFactory(site=SiteFactory(association=site.association, name="Annexe")))
    assert events(feed(client, site)) == []


def test_the_feed_keeps_recent_rentals_and_drops_old_ones(client, site, clio):
    recent = BookingFactory(
        vehicle=clio,
        status=S.RETURNED,
        starts_at=datetime(2026, 11, 2, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 6, 16, tzinfo=UTC),
    )
    BookingFactory(
        vehicle=clio,
        status=S.RETURNED,
        starts_at=datetime(2026, 8, 3, 7, tzinfo=UTC),
        ends_at=datetime(2026, 8, 7, 15, tzinfo=UTC),
    )
    uids = [line for event in events(feed(client, site)) for line in event if line.startswith("UID:")]
    assert uids == [
        f"UID:booking-{recent.id}-pickup@mobilite-emploi-loiret",
        f"UID:booking-{recent.id}-return@mobilite-emploi-loiret",
    ]


# --- At basin scale: a fixed number of statements -------------------------------------------------


def _fill_basin(site, other_site, vehicles: int) -> None:
    from datetime import timedelta

    from tests.fleet.factories import UnavailabilityFactory

    statuses = (S.CONFIRMED, S.APPROVED, S.REQUESTED, S.RETURNED)
    for number in range(vehicles):
        clio = VehicleFactory(site=site if number % 2 else other_site)
        first = datetime(2026, 12, 1 + number % 20, 8, 0, tzinfo=UTC)
        BookingFactory(
            vehicle=clio,
            status=statuses[number % len(statuses)],
            starts_at=first,
            ends_at=first + timedelta(days=3, hours=8),
        )
        UnavailabilityFactory(
            vehicle=clio,
            starts_at=datetime(2026, 12, 26, 23, 0, tzinfo=UTC),
            ends_at=datetime(2026, 12, 28, 23, 0, tzinfo=UTC),
        )


def _statements_of_the_basin_month(app, client, site) -> tuple[int, str]:
    from tests.test_query_counts import count_queries

    url = f"/flotte/planning/bassins/{site.basin_id}?mois=2026-12"
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_a_basin_month_takes_the_same_few_statements_for_5_or_50_vehicles(app, client, logged_in, site):
    other_site = SiteFactory(association=site.association, commune_insee=site.commune_insee, name="Second site")
    _fill_basin(site, other_site, 5)
    few, page = _statements_of_the_basin_month(app, client, site)
    assert page.count('<th scope="row"') == 5
    _fill_basin(site, other_site, 45)
    many, page = _statements_of_the_basin_month(app, client, site)
    assert page.count('<th scope="row"') == 50
    assert page.count("Indisponible : ") >= 50 and "Réservé L-" in page and "Rendu L-" in page
    # The user, the basin, its sites, the vehicles, their unavailabilities, their bookings.
    assert many == few <= 8


def test_the_vehicle_page_shows_its_latest_rentals_and_how_many_there_are(app, client, logged_in, clio):
    from datetime import timedelta

    from tests.test_query_counts import count_queries

    first = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    for week in range(25):
        starts_at = first + timedelta(weeks=week)
        BookingFactory(vehicle=clio, status=S.RETURNED, starts_at=starts_at, ends_at=starts_at + timedelta(days=2))
    url = f"/flotte/vehicules/{clio.id}"
    with count_queries(app) as few:
        client.get(url)
    for week in range(25, 60):
        starts_at = first + timedelta(weeks=week)
        BookingFactory(vehicle=clio, status=S.RETURNED, starts_at=starts_at, ends_at=starts_at + timedelta(days=2))
    with count_queries(app) as many:
        page = client.get(url).get_data(as_text=True)
    assert "Les 20 locations les plus récentes du véhicule sur 60" in page
    references = re.findall(r'<th scope="row"><a href="/locations/\d+">(L-\d+)</a>', page)
    assert len(references) == 20
    assert len(many) == len(few)
