"""Each export read back as its users would read it: csv module, openpyxl, json, frictionless."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from frictionless import Resource, Schema, validate
from openpyxl import load_workbook

from sqlalchemy import DateTime, literal, select

from mobility.core.time import PARIS
from mobility.extensions import db
from mobility.reporting.exports import EXPORTS, ExportSettings, pseudonym
from mobility.reporting.formats import Format, schema_bytes
from mobility.reporting.sql import day_of_number, paris_day, paris_day_key, paris_day_of_key
from mobility.reporting.services import build_export
from tests.reporting.conftest import HALF_YEAR

SETTINGS = ExportSettings(pseudonym_key="k" * 40, secrecy_threshold=11)
DAY = date(2026, 7, 1)


def export_bytes(name, fmt, filters=HALF_YEAR, settings=SETTINGS):
    built = build_export(name, fmt, filters, settings, DAY)
    return built.filename, b"".join(built.chunks)


def open_csv_rows(name, **kwargs):
    _, content = export_bytes(name, Format.CSV, **kwargs)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_bookings_export_has_one_row_per_booking_starting_in_the_period(plan):
    rows = open_csv_rows("locations")
    # B1..B10: B0 started in 2025.
    assert len(rows) == 10
    assert list(rows[0]) == [field.name for field in EXPORTS["locations"].fields]
    first = rows[0]  # B1, 5–9 January
    assert first["starts_on"] == "2026-01-05" and first["ends_on"] == "2026-01-09"
    assert first["requested_on"] == "2026-01-01"
    assert first["days"] == "5" and first["price_eur"] == "20.00"
    assert first["age_band"] == "<26" and first["prescriber_kind"] == "mission_locale"
    assert first["mission_locale"] == "true" and first["basin"] == "Orléans"
    assert first["association"] == "Association Orléans (test)" and first["site"] == "Site Orléans"
    assert (first["outcome_at_end"], first["outcome_after_3_months"], first["outcome_after_6_months"]) == (
        "durable_job", "training", ""
    )
    # P4 turned 26 on the first day of B4, as the indicators count her.
    assert next(row for row in rows if row["starts_on"] == "2026-03-20")["age_band"] == "26-49"


def test_a_person_is_a_stable_keyed_pseudonym_never_the_database_id(plan):
    rows = open_csv_rows("locations")
    p1 = plan.people["P1"]
    ids = {row["beneficiary"] for row in rows if row["prescriber_kind"] == "mission_locale"}
    assert ids == {pseudonym(p1.id, SETTINGS.pseudonym_key)}
    assert str(p1.id) not in ids and len(ids.pop()) == 20
    again = open_csv_rows("locations")
    assert [row["beneficiary"] for row in again] == [row["beneficiary"] for row in rows]
    other_key = open_csv_rows("locations", settings=ExportSettings("z" * 40))
    assert {row["beneficiary"] for row in other_key}.isdisjoint({row["beneficiary"] for row in rows})


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_open_data_csv_validates_against_its_table_schema(plan, tmp_path, name):
    filename, content = export_bytes(name, Format.CSV)
    assert filename == f"20260701_loiret-mobilite_{name}.csv"
    (tmp_path / filename).write_bytes(content)
    schema = json.loads(schema_bytes(EXPORTS[name]))
    assert {"name", "title", "description", "version", "fields"} <= set(schema)
    resource = Resource(path=filename, basepath=str(tmp_path), schema=Schema.from_descriptor(schema))
    report = validate(resource)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_french_excel_csv_has_a_bom_semicolons_and_decimal_commas(plan):
    filename, content = export_bytes("locations", Format.EXCEL_CSV)
    assert filename == "20260701_loiret-mobilite_locations.excel.csv"
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Bénéficiaire (identifiant pseudonyme)"
    assert len(rows) == 11
    header = rows[0]
    first = dict(zip(header, rows[1]))
    assert first["Prix (euros)"] == "20,00" and first["Premier jour"] == "05/01/2026"
    assert first["Suivi par une Mission locale"] == "oui"


def test_xlsx_has_one_header_row_and_typed_cells(plan):
    filename, content = export_bytes("locations", Format.XLSX)
    assert filename.endswith("_locations.xlsx")
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 11
    header = rows[0]
    first = dict(zip(header, rows[1]))
    assert first["Premier jour"].date() == date(2026, 1, 5)  # a date cell, not text
    assert first["Jours de location"] == 5
    assert first["Prix (euros)"] == 20
    assert first["Suivi par une Mission locale"] is True


def test_json_is_a_stream_of_objects(plan):
    _, content = export_bytes("locations", Format.JSON)
    objects = json.loads(content)
    assert len(objects) == 10
    assert objects[0]["starts_on"] == "2026-01-05" and objects[0]["price_eur"] == 20.0
    assert content.count(b"\n") >= 11  # one object per line


def test_fleet_use_export_per_vehicle_and_month(plan):
    rows = open_csv_rows("utilisation-flotte")
    assert len(rows) == 3 * 6  # three vehicles in service, six months
    v3_june = next(r for r in rows if r["plate"] == plan.v3.plate and r["month"] == "2026-06")
    assert (v3_june["booked_days"], v3_june["bookable_days"]) == ("5", "28")
    assert Decimal(v3_june["use_rate"]) == Decimal("0.1786")
    assert sum(int(r["booked_days"]) for r in rows) == 24


def test_outcomes_export(plan):
    rows = open_csv_rows("suites")
    assert len(rows) == 6  # B0's outcome belongs to a 2025 rental
    assert {r["result"] for r in rows if r["positive"] == "true"} == {"durable_job", "other_job", "training"}


def test_beneficiaries_served_is_aggregated(plan):
    rows = open_csv_rows("beneficiaires-servis")
    assert sum(int(r["people"]) for r in rows) == 4
    assert sum(int(r["days"]) for r in rows) == 17
    assert "beneficiary" not in rows[0]


def test_public_variant_masks_small_counts(plan):
    rows = open_csv_rows("beneficiaires-servis-public")
    # Four people in all: every count is below 11, every one is masked.
    assert rows[-1]["basin"] == "Total"
    assert {row["people_total"] for row in rows} == {"s"}


def test_no_name_email_phone_or_address_in_any_export(plan):
    for number, person in enumerate(plan.people.values()):
        person.email = f"personne{number}@courriel.test"
    db.session.commit()
    forbidden = set()
    for person in plan.people.values():
        forbidden |= {person.last_name, person.email, person.phone, person.first_name}
    forbidden |= {plan.s1.address, "06 12 34 56 78", "Permis non vérifié"}
    for name in EXPORTS:
        for fmt in Format:
            _, content = export_bytes(name, fmt)
            text = xlsx_text(content) if fmt is Format.XLSX else content.decode("utf-8-sig")
            for value in forbidden:
                assert value not in text, (name, fmt, value)


def xlsx_text(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return "\n".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None)


def test_formula_like_text_comes_out_neutralised(plan):
    plan.s1.name = '=HYPERLINK("http://example.invalid","clic")'
    plan.s2.name = "@SUM(A1:A9)"
    db.session.commit()
    rows = open_csv_rows("locations")
    assert {row["site"] for row in rows} == {"'" + plan.s1.name, "'" + plan.s2.name}
    _, excel = export_bytes("locations", Format.EXCEL_CSV)
    assert ";=" not in excel.decode("utf-8-sig") and ';"=' not in excel.decode("utf-8-sig")
    _, content = export_bytes("locations", Format.XLSX)
    sheet = load_workbook(io.BytesIO(content)).active
    sites = {row[8].value for row in sheet.iter_rows(min_row=2)}
    assert sites == {"'" + plan.s1.name, "'" + plan.s2.name}
    assert all(row[8].data_type == "s" for row in sheet.iter_rows(min_row=2))


def test_an_association_scope_exports_its_own_rentals_only(plan):
    rows = open_csv_rows("locations", filters=replace(HALF_YEAR, association_id=plan.a2.id))
    assert {row["association"] for row in rows} == {"Association Montargis (test)"}
    assert len(rows) == 3


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 1, 4, 22, 59, 59, tzinfo=UTC),  # 23:59:59 in Paris
        datetime(2026, 1, 4, 23, 0, 0, tzinfo=UTC),  # midnight in Paris: the next day
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # the night of the change to summer time
        datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 7, 14, 21, 59, 59, tzinfo=UTC),  # 23:59:59 in summer
        datetime(2026, 7, 14, 22, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC),  # the night of the change back
        datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC),
        datetime(2026, 10, 25, 23, 0, 0, tzinfo=UTC),
    ],
)
def test_the_exports_french_day_is_the_one_the_indicators_count(app, instant):
    with app.app_context():
        value = literal(instant, DateTime(timezone=True))
        number, key = db.session.execute(select(paris_day(value), paris_day_key(value))).one()
    assert paris_day_of_key(key) == day_of_number(number) == instant.astimezone(PARIS).date()


def test_every_format_of_the_bookings_export_holds_the_same_rows(plan):
    opened = open_csv_rows("locations")
    _, excel = export_bytes("locations", Format.EXCEL_CSV)
    excel_rows = list(csv.reader(io.StringIO(excel.decode("utf-8-sig")), delimiter=";"))[1:]
    _, content = export_bytes("locations", Format.JSON)
    objects = json.loads(content)
    _, xlsx = export_bytes("locations", Format.XLSX)
    sheet_rows = list(load_workbook(io.BytesIO(xlsx), read_only=True).active.iter_rows(min_row=2, values_only=True))
    fields = EXPORTS["locations"].fields
    assert len(opened) == len(excel_rows) == len(objects) == len(sheet_rows) == 10
    for row, excel_row, obj, sheet_row in zip(opened, excel_rows, objects, sheet_rows):
        for field, excel_cell, sheet_cell in zip(fields, excel_row, sheet_row):
            text, value = row[field.name], obj[field.name]
            if field.type == "date":
                assert excel_cell == f"{date.fromisoformat(text):%d/%m/%Y}" and value == text
                assert sheet_cell.date() == date.fromisoformat(text)
            elif field.type == "number":
                assert excel_cell == text.replace(".", ",") and value == float(text) == sheet_cell
            elif field.type == "boolean":
                assert excel_cell == {"true": "oui", "false": "non"}[text] and value is sheet_cell is (text == "true")
            elif field.type == "integer":
                assert excel_cell == text and value == int(text) == sheet_cell
            else:
                assert excel_cell == text and (value or "") == text and (sheet_cell or "") == text
