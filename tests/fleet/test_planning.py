import re
from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale

from mobility.fleet.models import UnavailabilityKind
from mobility.fleet.planning import MONTH, WEEK, Period, build_board
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, UnavailabilityFactory, VehicleFactory

# The clock of tests/<package>/conftest.py (Monday 23 November 2026, 10:00 in France).
pytestmark = pytest.mark.usefixtures("frozen")


def _cells(page: str, row_text: str) -> list[str]:
    """The text of each cell of the row whose header contains row_text."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S):
        header = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, flags=re.S)
        if header and row_text in header.group(1):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
            return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
    raise AssertionError(f"no row for {row_text}")


def test_the_month_board_says_in_words_which_days_a_vehicle_is_unavailable(client, logged_in, site):
    vehicle = VehicleFactory(site=site, plate="AB-123-CD")
    UnavailabilityFactory(vehicle=vehicle)  # 2 to 4 December, Paris days, repair
    page = client.get(f"/flotte/planning/sites/{site.id}?mois=2026-12").get_data(as_text=True)
    cells = _cells(page, "AB-123-CD")
    assert len(cells) == 31
    assert cells[0] == "Libre"  # 1 December
    assert cells[1] == cells[2] == cells[3] == "I Indisponible : réparation"  # code, then words
    assert cells[4] == "Libre"  # 5 December: the period ended at midnight
    assert '<span class="planning-code" aria-hidden="true">I</span>' in page


def test_the_board_is_a_table_with_caption_and_scoped_headers(client, logged_in, site):
    VehicleFactory(site=site)
    page = client.get(f"/flotte/planning/sites/{site.id}?mois=2026-12").get_data(as_text=True)
    assert re.search(r"<caption>Planning de Garage solidaire, décembre 2026 : 1 véhicule\(s\)", page)
    assert page.count('<th scope="col" class="planning-day') == 31
    assert page.count('<th scope="row"') == 1
    assert 'title="mardi 1 décembre 2026"' in page


def test_the_week_view_shows_seven_days_with_the_words_on_screen_and_the_reason(client, logged_in, site):
    vehicle = VehicleFactory(site=site, plate="AB-123-CD")
    UnavailabilityFactory(vehicle=vehicle, kind=UnavailabilityKind.MAINTENANCE, reason="Vidange")
    response = client.get(f"/flotte/planning/sites/{site.id}?vue=semaine&semaine=2026-12-03")
    page = response.get_data(as_text=True)
    cells = _cells(page, "AB-123-CD")
    assert cells == ["Libre"] * 2 + ["Indisponible : entretien Vidange"] * 3 + ["Libre"] * 2
    assert "Semaine du 30 novembre au 6 décembre 2026" in page
    assert '<span class="planning-text">Indisponible : entretien</span>' in page


def test_previous_and_next_links_move_by_month_and_keep_the_category(client, logged_in, site):
    page = client.get(f"/flotte/planning/sites/{site.id}?mois=2026-01&categorie=vsp").get_data(as_text=True)
    assert f"/flotte/planning/sites/{site.id}?vue=mois&amp;mois=2025-12&amp;categorie=vsp" in page
    assert f"/flotte/planning/sites/{site.id}?vue=mois&amp;mois=2026-02&amp;categorie=vsp" in page


def test_previous_and_next_links_move_by_week(client, logged_in, site):
    response = client.get(f"/flotte/planning/sites/{site.id}?vue=semaine&semaine=2026-12-31")
    page = response.get_data(as_text=True)
    assert "?vue=semaine&amp;semaine=2026-12-21" in page
    assert "?vue=semaine&amp;semaine=2027-01-04" in page


def test_without_a_period_the_board_shows_the_current_month(client, logged_in, site):
    page = client.get(f"/flotte/planning/sites/{site.id}").get_data(as_text=True)
    assert "Novembre 2026" in page


@pytest.mark.parametrize(
    "query", ["?mois=2026-13", "?mois=n'importe", "?vue=semaine&semaine=32/13/2026", "?vue=x&categorie=camion"]
)
def test_bad_period_or_category_values_fall_back_to_the_current_period(client, logged_in, site, query):
    response = client.get(f"/flotte/planning/sites/{site.id}{query}")
    assert response.status_code == 200


def test_the_category_filter_keeps_only_that_category(client, logged_in, site):
    VehicleFactory(site=site, plate="AB-123-CD")
    VehicleFactory(site=site, vsp=True, plate="AB-456-CD")
    page = client.get(f"/flotte/planning/sites/{site.id}?categorie=vsp").get_data(as_text=True)
    assert "AB-456-CD" in page
    assert "AB-123-CD" not in page


def test_a_vehicle_in_maintenance_is_shown_out_of_service_and_a_retired_one_is_not_shown(
    client, logged_in, site
):
    VehicleFactory(site=site, plate="AB-123-CD", in_maintenance=True)
    VehicleFactory(site=site, plate="AB-456-CD", retired=True)
    page = client.get(f"/flotte/planning/sites/{site.id}").get_data(as_text=True)
    assert set(_cells(page, "AB-123-CD")) == {"H Hors service : en entretien"}
    assert "AB-456-CD" not in page


def test_fleet_staff_cannot_see_another_associations_site_board(client, logged_in, foreign_site):
    VehicleFactory(site=foreign_site, plate="EF-456-GH")
    response = client.get(f"/flotte/planning/sites/{foreign_site.id}")
    assert response.status_code == 404
    assert "EF-456-GH" not in response.get_data(as_text=True)


def test_the_basin_board_shows_only_the_users_associations_sites(client, logged_in, site, foreign_site):
    VehicleFactory(site=site, plate="AB-123-CD")
    VehicleFactory(site=foreign_site, plate="EF-456-GH")
    page = client.get(f"/flotte/planning/bassins/{site.basin_id}").get_data(as_text=True)
    assert "AB-123-CD" in page
    assert "EF-456-GH" not in page
    assert "Site de l&#39;autre association" not in page


def test_a_basin_where_the_association_has_no_site_is_not_found(client, logged_in, site):
    orleans_site = SiteFactory(orleans=True)
    assert client.get(f"/flotte/planning/bassins/{orleans_site.basin_id}").status_code == 404
    assert client.get("/flotte/planning/bassins/999").status_code == 404


def test_the_basin_board_prints_one_section_per_site(client, auth, site):
    SiteFactory(association=site.association, name="Second garage")
    auth.login(UserFactory(admin=True))
    page = client.get(f"/flotte/planning/bassins/{site.basin_id}").get_data(as_text=True)
    assert page.count('<section class="planning-site"') == 2


def test_admins_see_any_site_board(client, auth, foreign_site):
    VehicleFactory(site=foreign_site, plate="EF-456-GH")
    auth.login(UserFactory(admin=True))
    page = client.get(f"/flotte/planning/sites/{foreign_site.id}").get_data(as_text=True)
    assert "EF-456-GH" in page


@pytest.mark.parametrize("role", ["referent", "beneficiary"])
def test_referents_and_beneficiaries_get_404_on_the_planning(client, auth, site, role):
    auth.login(UserFactory(**({"beneficiary": True} if role == "beneficiary" else {})))
    assert client.get("/flotte/planning").status_code == 404
    assert client.get(f"/flotte/planning/sites/{site.id}").status_code == 404


def test_the_planning_index_sends_staff_with_one_site_straight_to_it(client, logged_in, site):
    response = client.get("/flotte/planning")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/flotte/planning/sites/{site.id}")


def test_the_planning_index_lists_sites_and_basins_when_there_are_several(client, logged_in, site):
    SiteFactory(association=site.association, name="Garage d'Orléans", orleans=True)
    page = client.get("/flotte/planning").get_data(as_text=True)
    assert "Garage solidaire" in page and "Garage d&#39;Orléans" in page
    assert "Bassin de Montargis" in page and "Bassin d" in page


def test_the_planning_link_is_in_the_menu_of_fleet_staff(client, logged_in, site):
    page = client.get("/accueil").get_data(as_text=True)
    assert 'href="/flotte/planning"' in page


# The board as data: the cell model is the same whatever fills it. ------------------------------


def test_board_cells_follow_half_open_periods_in_french_days(app, site):
    vehicle = VehicleFactory(site=site)
    # 10:00 to 14:00 Paris on 7 December, and from 14:00 the same day to midnight.
    UnavailabilityFactory(
        vehicle=vehicle,
        starts_at=datetime(2026, 12, 7, 9, tzinfo=timezone.utc),
        ends_at=datetime(2026, 12, 7, 13, tzinfo=timezone.utc),
        kind=UnavailabilityKind.INCIDENT,
    )
    UnavailabilityFactory(
        vehicle=vehicle,
        starts_at=datetime(2026, 12, 7, 13, tzinfo=timezone.utc),
        ends_at=datetime(2026, 12, 7, 23, tzinfo=timezone.utc),  # midnight Paris: 8 December stays free
        kind=UnavailabilityKind.REPAIR,
    )
    with force_locale("fr"):
        board = build_board([site], Period.week_of(date(2026, 12, 7)))
    cells = board.sites[0].rows[0].cells
    with force_locale("fr"):
        assert cells[0].text == "Indisponible : sinistre ou incident ; Indisponible : réparation"
        assert cells[1].text == "Libre"
    assert cells[0].css_class == "planning-cell--unavailability"
    assert cells[1].is_free
    assert board.sites[0].rows[0].free_days == 6


def test_periods_know_their_days_neighbours_and_query_values():
    december = Period.month_of(date(2026, 12, 15))
    assert (december.first, december.last, len(december.days)) == (date(2026, 12, 1), date(2026, 12, 31), 31)
    assert december.previous.first == date(2026, 11, 1) and december.next.first == date(2027, 1, 1)
    assert december.query_args() == {"vue": MONTH, MONTH: "2026-12"}
    week = Period.week_of(date(2026, 12, 31))
    assert (week.first, week.last) == (date(2026, 12, 28), date(2027, 1, 3))
    assert week.query_args() == {"vue": WEEK, WEEK: "2026-12-28"}
    # The month's bounds are French midnights: 1 December 00:00 is 30 November 23:00 UTC.
    assert december.starts_at.astimezone(timezone.utc) == datetime(2026, 11, 30, 23, tzinfo=timezone.utc)
    february = Period.month_of(date(2028, 2, 10))
    assert len(february.days) == 29
