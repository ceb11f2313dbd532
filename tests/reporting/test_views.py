"""The dashboards, objectives and exports pages as their users see them, and who may see them."""

from __future__ import annotations

import csv
import html as html_text
import io

import pytest

from mobility.auth.models import Role
from mobility.reporting.models import Objective, ObjectiveIndicator
from mobility.extensions import db
from sqlalchemy import select
from tests.factories import UserFactory
from tests.reporting.conftest import NOW

FROZEN_AT = NOW

pytestmark = pytest.mark.usefixtures("frozen")

PERIOD = {"du": "2026-01-01", "au": "2026-06-30"}


def test_admin_dashboard_shows_key_figures_then_charts_with_their_tables(plan, client, auth):
    admin = UserFactory(admin=True)
    auth.login(admin)
    page = client.get("/tableau-de-bord", query_string=PERIOD)
    assert page.status_code == 200
    html = html_text.unescape(page.get_data(as_text=True))
    assert html.index("Chiffres clés") < html.index("<svg")
    assert "Locations par mois et par bassin" in html and "Taux d'utilisation par association" in html
    assert html.count("<svg") == html.count("<figure")
    assert "<script" not in html
    assert "Permis non vérifié" in html  # rejection reasons, admin only
    assert "Association Montargis (test)" in html


def test_association_dashboard_shows_its_own_fleet_only(plan, client, auth):
    staff = UserFactory(role=Role.FLEET, organisation=plan.a2)
    auth.login(staff)
    html = html_text.unescape(client.get("/tableau-de-bord", query_string=PERIOD).get_data(as_text=True))
    assert "Taux d'utilisation par site" in html and "Site Montargis" in html
    assert "Site Orléans" not in html and "Association Orléans (test)" not in html
    assert "Permis non vérifié" not in html


def test_prescriber_dashboard_shows_its_people_only(plan, client, auth):
    referent = UserFactory(organisation=plan.dep)
    auth.login(referent)
    html = html_text.unescape(client.get("/tableau-de-bord", query_string=PERIOD).get_data(as_text=True))
    assert "Suites des locations" in html
    # The Département's one person: 3 requests, 1 rental of 7 days.
    assert '<dt>Demandes reçues</dt><dd>3</dd>' in html
    assert '<dt>Jours de location</dt><dd>7</dd>' in html


def test_other_organisations_dashboards_are_404_to_everyone_but_admins(plan, client, auth):
    auth.login(UserFactory(role=Role.FLEET, organisation=plan.a2))
    assert client.get(f"/tableau-de-bord/organisations/{plan.a1.id}").status_code == 404
    assert client.get("/tableau-de-bord/exports").status_code == 404
    assert client.get("/tableau-de-bord/objectifs").status_code == 404


def test_beneficiaries_have_no_dashboard(plan, client, auth):
    person = UserFactory(role=Role.BENEFICIARY, organisation=plan.ml)
    auth.login(person)
    assert client.get("/tableau-de-bord").status_code == 404


def test_admin_sees_an_organisation_dashboard_and_unknown_ones_are_404(plan, client, auth):
    auth.login(UserFactory(admin=True))
    html = html_text.unescape(client.get(f"/tableau-de-bord/organisations/{plan.a1.id}", query_string=PERIOD).get_data(as_text=True))
    assert "Association Orléans (test)" in html and "Site Orléans" in html
    assert client.get("/tableau-de-bord/organisations/999999").status_code == 404


def test_a_bad_period_is_explained_in_french_and_shows_no_figures(plan, client, auth):
    auth.login(UserFactory(admin=True))
    page = client.get("/tableau-de-bord", query_string={"du": "2026-06-30", "au": "2026-01-01"})
    assert page.status_code == 422
    html = html_text.unescape(page.get_data(as_text=True))
    assert "Le dernier jour doit être après le premier." in html and "Chiffres clés" not in html
    page = client.get("/tableau-de-bord", query_string={"du": "hier", "au": "2026-01-01"})
    assert page.status_code == 422 and "Saisissez une date valide" in page.get_data(as_text=True)


def test_admin_sets_an_objective_and_sees_progress_against_the_year(plan, client, auth):
    auth.login(UserFactory(admin=True))
    answer = client.post(
        "/tableau-de-bord/objectifs",
        data={"organisation_id": plan.ml.id, "year": "2026", "indicator": "people_referred", "target": "120"},
    )
    assert answer.status_code == 302
    objective = db.session.scalar(select(Objective))
    assert (objective.organisation_id, objective.target, objective.indicator) == (plan.ml.id, 120, ObjectiveIndicator.PEOPLE_REFERRED)
    client.post(
        "/tableau-de-bord/objectifs",
        data={"organisation_id": plan.ml.id, "year": "2026", "indicator": "people_referred", "target": "100"},
    )
    assert db.session.scalar(select(Objective.target)) == 100
    html = html_text.unescape(client.get("/tableau-de-bord", query_string=PERIOD).get_data(as_text=True))
    assert "Objectifs 2026" in html
    # 15 June: 166 days of 365 gone (45.5 %); 1 person referred of 100, 45 expected.
    assert "45,5" in html and "en retard" in html


def test_a_bad_objective_is_refused_with_a_message_and_nothing_saved(plan, client, auth):
    auth.login(UserFactory(admin=True))
    answer = client.post(
        "/tableau-de-bord/objectifs",
        data={"organisation_id": plan.a1.id, "year": "2026", "indicator": "people_referred", "target": "0"},
    )
    assert answer.status_code == 422
    html = html_text.unescape(answer.get_data(as_text=True))
    assert "Choisissez une organisation dans la liste." in html
    assert "L'objectif doit être un nombre entier d'au moins 1." in html
    assert db.session.scalar(select(Objective)) is None


def test_admin_builds_an_export_on_demand_for_a_period(plan, client, auth):
    auth.login(UserFactory(admin=True))
    answer = client.get("/tableau-de-bord/exports", query_string={**PERIOD, "export": "locations", "format": "csv"}, buffered=True)
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="20260615_loiret-mobilite_locations.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert len(rows) == 10


def test_an_unknown_export_or_format_is_explained(plan, client, auth):
    auth.login(UserFactory(admin=True))
    answer = client.get("/tableau-de-bord/exports", query_string={**PERIOD, "export": "noms", "format": "pdf"})
    assert answer.status_code == 422
    html = html_text.unescape(answer.get_data(as_text=True))
    assert "Choisissez un export dans la liste." in html and "Choisissez un format dans la liste." in html
