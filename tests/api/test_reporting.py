"""GET /api/v1/indicators and /exports/{name}.{extension} over the hand-computed plan of
tests/reporting/conftest.py (period 1 January – 30 June 2026)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from mobility.audit.models import AuditAction, AuditEvent
from mobility.auth.models import Role
from mobility.extensions import db
from tests.api.helpers import assert_error, token_of
from tests.factories import UserFactory
from tests.reporting.conftest import NOW

FROZEN_AT = NOW

HALF_YEAR = {"from": "2026-01-01", "to": "2026-06-30"}


def _indicators(client, user, **query):
    return client.get("/api/v1/indicators", query_string={**HALF_YEAR, **query}, headers=token_of(user))


def _no_person_in(text: str) -> None:
    # The plan's people: BeneficiaryFactory's fake "Fiche N" names, its phone, e-mail addresses.
    for personal in ("Fiche ", "Prénom", "06 12 34 56 78", "@example.org"):
        assert personal not in text


def test_an_admin_token_gets_the_whole_plan(client, plan, frozen):
    response = _indicators(client, UserFactory(admin=True))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert (body["scope"], body["organisation_id"], body["from"], body["to"]) == ("plan", None, "2026-01-01", "2026-06-30")
    assert body["indicators"]["requests"] == {
        "received": 10, "approved": 6, "rejected": 2, "expired": 1, "cancelled": 2, "people": 4
    }
    assert set(body["outcomes"]) == {"at_end", "after_3_months", "after_6_months"}
    assert "use_rate" in body["indicators"]["fleet_use"]
    _no_person_in(response.get_data(as_text=True))


def test_an_association_token_gets_its_own_fleet_only(client, plan, frozen):
    response = _indicators(client, UserFactory(fleet=True, organisation=plan.a2))
    assert response.status_code == 200
    assert (response.json["scope"], response.json["organisation_id"]) == ("association", plan.a2.id)
    assert response.json["indicators"]["requests"]["received"] == 3


def test_a_referent_token_gets_its_organisation_s_people_only(client, plan, frozen):
    response = _indicators(client, UserFactory(organisation=plan.ml))
    assert response.status_code == 200
    assert (response.json["scope"], response.json["organisation_id"]) == ("prescriber", plan.ml.id)
    # P1's requests: B1, B5 and B9.
    assert response.json["indicators"]["requests"]["received"] == 3
    _no_person_in(response.get_data(as_text=True))


def test_filters_narrow_the_indicators(client, plan, frozen):
    admin = UserFactory(admin=True)
    by_basin = _indicators(client, admin, basin="montargis")
    assert by_basin.json["indicators"]["requests"]["received"] == 3
    by_category = _indicators(client, admin, category="vsp")
    assert by_category.json["indicators"]["requests"]["received"] == 3
    by_kind = _indicators(client, admin, prescriber_kind="mission_locale")
    assert by_kind.json["indicators"]["requests"]["received"] == 3


def test_a_beneficiary_token_is_refused_the_indicators(client, plan, frozen):
    user = UserFactory()
    headers = token_of(user)
    user.role = Role.BENEFICIARY
    db.session.commit()
    error = assert_error(client.get("/api/v1/indicators", headers=headers), 403)
    assert "professionnels" in error["message"]


@pytest.mark.parametrize(
    "query, field, words",
    [
        ({"basin": "paris"}, "basin", "Bassin inconnu"),
        ({"category": "camion"}, "category", "Valeur inconnue"),
        ({"prescriber_kind": "cpam"}, "prescriber_kind", "Valeur inconnue"),
        ({"from": "2026-07-01", "to": "2026-06-30"}, "to", "avant son début"),
        ({"from": "2000-01-01", "to": "2026-06-30"}, "to", "dix ans"),
        ({"from": "3026-01-01"}, "from", "entre 1900 et 2200"),
        ({"from": "01/01/2026"}, "from", "AAAA-MM-JJ"),
        ({"basin": "orleans\x1b"}, "basin", "caractère"),
        ({"by": "month"}, "by", "Paramètre inconnu"),
    ],
)
def test_bad_parameters_get_a_french_422_naming_them(client, plan, frozen, query, field, words):
    response = client.get("/api/v1/indicators", query_string=query, headers=token_of(UserFactory(admin=True)))
    error = assert_error(response, 422)
    assert field in error["fields"], error
    assert words in " ".join(error["fields"][field]), error


def test_an_admin_downloads_an_export_in_each_format_with_its_dated_file_name(client, plan, frozen):
    headers = token_of(UserFactory(admin=True))
    csv_answer = client.get("/api/v1/exports/locations.csv", query_string=HALF_YEAR, headers=headers)
    assert csv_answer.status_code == 200
    assert csv_answer.mimetype == "text/csv"
    assert csv_answer.headers["Content-Disposition"] == 'attachment; filename="20260615_loiret-mobilite_locations.csv"'
    rows = list(csv.reader(io.StringIO(csv_answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) > 1
    _no_person_in(csv_answer.get_data(as_text=True))

    xlsx_answer = client.get("/api/v1/exports/suites.xlsx", query_string=HALF_YEAR, headers=headers)
    assert xlsx_answer.status_code == 200
    assert xlsx_answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx_answer.headers["Content-Disposition"].endswith('filename="20260615_loiret-mobilite_suites.xlsx"')
    assert len(list(load_workbook(io.BytesIO(xlsx_answer.data), read_only=True).active.iter_rows())) > 1

    json_answer = client.get("/api/v1/exports/beneficiaires-servis-public.json", query_string=HALF_YEAR, headers=headers)
    assert json_answer.status_code == 200 and json_answer.mimetype == "application/json"
    assert json.loads(json_answer.data)
    _no_person_in(json_answer.get_data(as_text=True))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)).all()
    assert len(events) == 3


@pytest.mark.parametrize("role", ["fleet", "referent"])
def test_exports_are_for_admins_only_as_on_the_exports_page(client, plan, frozen, role):
    user = UserFactory(fleet=True) if role == "fleet" else UserFactory()
    error = assert_error(client.get("/api/v1/exports/locations.csv", headers=token_of(user)), 403)
    assert "administrateurs" in error["message"]


@pytest.mark.parametrize("path", ["/api/v1/exports/inconnu.csv", "/api/v1/exports/locations.pdf", "/api/v1/exports/locations.excel.csv"])
def test_an_unknown_export_or_format_is_a_json_404(client, plan, frozen, path):
    error = assert_error(client.get(path, headers=token_of(UserFactory(admin=True))), 404)
    assert "export" in error["message"]


def test_a_reversed_export_period_is_a_french_422(client, plan, frozen):
    response = client.get(
        "/api/v1/exports/locations.csv",
        query_string={"from": "2026-07-01", "to": "2026-06-30"},
        headers=token_of(UserFactory(admin=True)),
    )
    assert "avant son début" in assert_error(response, 422)["fields"]["to"][0]


def test_the_description_lists_the_reporting_operations(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/indicators"] and "get" in paths["/exports/{name}.{extension}"]
