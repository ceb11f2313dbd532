"""Writing an export's rows in each format, chunk by chunk, so that memory stays flat.

- open-data CSV: comma, UTF-8, ISO 8601 dates, decimal point, and a TableSchema beside it;
- CSV for French Excel: semicolon, decimal comma, dates as 31/12/2026, a UTF-8 BOM;
- XLSX: openpyxl in write-only mode (rows go to a temporary file, never all in memory),
  one header row, typed cells, dates as dates;
- JSON: one array, one object per line, written as it goes.

A text cell starting with = + - @ tab or carriage return would be run as a formula by a
spreadsheet: it is written with a leading apostrophe in both CSVs and in the XLSX file.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from mobility.reporting.exports import SCHEMA_VERSION, Export

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARACTERS = frozenset("=+-@\t\r")
CHUNK_ROWS = 1000
BOM = "\ufeff"


class Format(enum.Enum):
    CSV = "csv"
    EXCEL_CSV = "excel-csv"
    XLSX = "xlsx"
    JSON = "json"

    @property
    def extension(self) -> str:
        return {Format.CSV: "csv", Format.EXCEL_CSV: "excel.csv", Format.XLSX: "xlsx", Format.JSON: "json"}[self]

    @property
    def mimetype(self) -> str:
        return {
            Format.CSV: "text/csv; charset=utf-8",
            Format.EXCEL_CSV: "text/csv; charset=utf-8",
            Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format.JSON: "application/json",
        }[self]


def filename(export: Export, fmt: Format, day: date) -> str:
    return f"{day:%Y%m%d}_loiret-mobilite_{export.name}.{fmt.extension}"


def schema_filename(export: Export, day: date) -> str:
    return f"{day:%Y%m%d}_loiret-mobilite_{export.name}.schema.json"


def neutralised(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value) -> str:
    return neutralised(str(value))


def _open_row_writer(export: Export):
    """The open-data CSV row: only booleans, missing values and formula-like text change.

    Everything else is what the csv module writes by itself: str() of an int, a Decimal
    (decimal point) or a date (ISO 8601).
    """
    missing = export.missing
    booleans = [index for index, field in enumerate(export.fields) if field.type == "boolean"]
    texts = [index for index, field in enumerate(export.fields) if field.type == "string"]
    nullable = [index for index, field in enumerate(export.fields) if not field.required]

    def convert(row):
        values = list(row)
        for index in booleans:
            value = values[index]
            values[index] = missing if value is None else ("true" if value else "false")
        for index in texts:
            value = values[index]
            if value and value[0] in FORMULA_CHARACTERS:
                values[index] = "'" + value
        if missing:
            for index in nullable:
                if values[index] is None:
                    values[index] = missing
        return values

    return convert


def _excel_converters(export: Export):
    missing = export.missing

    def of(kind):
        if kind == "boolean":
            return lambda v: missing if v is None else ("oui" if v else "non")
        if kind == "date":
            return lambda v: missing if v is None else f"{v:%d/%m/%Y}"
        if kind == "number":
            return lambda v: missing if v is None else str(v).replace(".", ",")
        if kind == "integer":
            return lambda v: missing if v is None else str(v)
        return lambda v: missing if v is None else _text(v)

    return [of(field.type) for field in export.fields]


def _excel_row_writer(export: Export):
    converters = _excel_converters(export)
    return lambda row: [convert(value) for convert, value in zip(converters, row)]


def _csv_chunks(export: Export, rows: Iterable[tuple], delimiter: str, convert, header: list[str], prefix=""):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write(prefix)
    writer.writerow(header)
    batch = []
    for row in rows:
        batch.append(convert(row))
        if len(batch) == CHUNK_ROWS:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue().encode("utf-8")


def _xlsx_chunks(export: Export, rows: Iterable[tuple]) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(export.name[:31])
    sheet.append([field.title for field in export.fields])
    kinds = [field.type for field in export.fields]
    missing = export.missing or None

    def cell(kind, value):
        if value is None:
            return missing
        if kind == "date":
            typed = WriteOnlyCell(sheet, value)
            typed.number_format = "DD/MM/YYYY"
            return typed
        if kind == "string":
            return neutralised(str(value))
        return value

    for row in rows:
        sheet.append([cell(kind, value) for kind, value in zip(kinds, row)])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            yield chunk


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json_chunks(export: Export, rows: Iterable[tuple]) -> Iterator[bytes]:
    names = [field.name for field in export.fields]
    parts, first = ["["], True
    for row in rows:
        parts.append(("\n" if first else ",\n") + json.dumps(dict(zip(names, map(_json_value, row))), ensure_ascii=False))
        first = False
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


def stream(export: Export, fmt: Format, rows: Iterable[tuple]) -> Iterator[bytes]:
    """The export's bytes in that format, produced as the rows come."""
    if fmt is Format.CSV:
        return _csv_chunks(export, rows, ",", _open_row_writer(export), [field.name for field in export.fields])
    if fmt is Format.EXCEL_CSV:
        header = [field.title for field in export.fields]
        return _csv_chunks(export, rows, ";", _excel_row_writer(export), header, prefix=BOM)
    if fmt is Format.XLSX:
        return _xlsx_chunks(export, rows)
    return _json_chunks(export, rows)


def table_schema(export: Export) -> dict:
    """The TableSchema (frictionless) describing the open-data CSV."""
    fields = []
    for field in export.fields:
        descriptor = {"name": field.name, "title": field.title, "type": field.type}
        if field.description:
            descriptor["description"] = field.description
        constraints = {}
        if field.required:
            constraints["required"] = True
        if field.enum:
            constraints["enum"] = list(field.enum)
        if constraints:
            descriptor["constraints"] = constraints
        fields.append(descriptor)
    return {
        "name": export.name,
        "title": export.title,
        "description": export.description,
        "version": SCHEMA_VERSION,
        "fields": fields,
        "missingValues": [export.missing],
    }


def schema_bytes(export: Export) -> bytes:
    return (json.dumps(table_schema(export), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
