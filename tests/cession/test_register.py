"""The register's figures on a fixture computed by hand, its filters, scoping and downloads."""

from __future__ import annotations

import csv
import io

import openpyxl

from mobility.cession.models import CessionState
from mobility.cession.register import RegisterFilters, register_csv, register_rows, register_xlsx, totals_per_convention
from tests.cession.register_fixture import build_register
from tests.factories import UserFactory


def _figures(row):
    return (row.rentals, row.rental_days, row.km, row.beneficiaries, row.positive_outcomes)


def test_the_follow_up_figures_match_the_hand_computed_fixture(frozen_today, admin):
    data = build_register()
    rows = {row.cession.id: row for row in register_rows(admin)}
    one, two, three, four = data["cessions"]
    assert _figures(rows[one]) == (3, 22, 1000, 2, 1)
    assert _figures(rows[two]) == (1, 2, 120, 1, 1)
    assert _figures(rows[three]) == (0, 0, 0, 0, 0)
    assert _figures(rows[four]) == (0, 0, 0, 0, 0)


def test_the_totals_per_convention_count_people_once(frozen_today, admin):
    build_register()
    totals = {total.convention.reference: total for total in totals_per_convention(register_rows(admin))}
    a = totals["CONV-A"]
    assert (a.vehicles, a.rentals, a.rental_days, a.km, a.beneficiaries, a.positive_outcomes) == (2, 4, 24, 1120, 2, 2)
    assert (totals["CONV-B"].vehicles, totals["CONV-B"].rentals) == (1, 0)


def test_the_filters_by_convention_state_year_and_association(frozen_today, admin):
    data = build_register()
    one, two, three, four = data["cessions"]
    by = lambda **kw: [row.cession.id for row in register_rows(admin, RegisterFilters(**kw))]  # noqa: E731
    assert by(convention_id=data["conventions"][1]) == [four]
    assert by(state=CessionState.IN_SERVICE) == [one, two]
    assert by(year=2025) == [four]
    assert by(association_id=data["association_id"]) == [one, two, three]


def test_an_association_sees_only_its_own_rows_and_a_referent_none(frozen_today, fleet_user):
    data = build_register(association=fleet_user.organisation)
    assert [row.cession.id for row in register_rows(fleet_user)] == list(data["cessions"][:3])
    assert register_rows(UserFactory()) == []


def test_the_csv_opens_in_french_excel_and_neutralises_formulas(frozen_today, admin):
    data = build_register()
    rows = register_rows(admin)
    rows[0].cession.make = "=HYPERLINK(\"http://x\")"
    content = register_csv(rows)
    assert content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][0] == "Cession" and len(table) == 1 + len(data["cessions"])
    assert table[1][5] == "'=HYPERLINK(\"http://x\")"
    assert table[0][10] == "Date de cession" and table[1][10] == "10/12/2025"


def test_the_xlsx_holds_the_same_rows_with_numbers_and_dates(frozen_today, admin):
    build_register()
    sheet = openpyxl.load_workbook(io.BytesIO(register_xlsx(register_rows(admin)))).active
    values = list(sheet.values)
    assert values[0][17] == "Locations"
    in_service = [row for row in values[1:] if row[1] == "CONV-A" and row[17] == 3]
    assert in_service and in_service[0][18:22] == (22, 1000, 2, 1)
