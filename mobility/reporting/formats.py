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
from itertools import islice
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from mobility.reporting.exports import SCHEMA_VERSION, Cells, Export

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


def _csv_chunks(rows: Iterable[tuple], delimiter: str, header: list[str], prefix=""):
    """Rows of ready cells (strings, ints), written CHUNK_ROWS at a time by the csv module."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write(prefix)
    writer.writerow(header)
    rows = iter(rows)
    while batch := list(islice(rows, CHUNK_ROWS)):
        writer.writerows(batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # no rows: the header alone
        yield buffer.getvalue().encode("utf-8")


def _open_cells(export: Export) -> Cells:
    return Cells(
        date=date.isoformat, number=str, boolean=lambda v: "true" if v else "false", text=neutralised,
        missing=export.missing,
    )


def _excel_cells(export: Export) -> Cells:
    return Cells(
        date=lambda v: f"{v:%d/%m/%Y}", number=lambda v: str(v).replace(".", ","),
        boolean=lambda v: "oui" if v else "non", text=neutralised, missing=export.missing,
    )


def _json_cells(export: Export) -> Cells:
    return Cells(
        date=lambda v: json.dumps(v.isoformat()), number=lambda v: json.dumps(float(v)), boolean=json.dumps,
        text=lambda v: json.dumps(v, ensure_ascii=False), missing="null",
    )


def _ready(export: Export, rows: Iterable[tuple], cells: Cells, convert) -> Iterable[tuple]:
    """Rows ready for a format: from a source that renders its own cells (each distinct value
    converted once), else typed rows converted one by one."""
    rendered = getattr(rows, "rendered", None)
    if rendered is not None:
        return rendered(cells)
    return map(convert, rows)


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
    rendered = getattr(rows, "rendered", None)
    if rendered is not None:
        # Cells come JSON-encoded: one object is the row put into a template, as json.dumps writes it.
        template = "{" + ", ".join(json.dumps(name, ensure_ascii=False).replace("%", "%%") + ": %s" for name in names) + "}"
        objects = (template % row for row in rendered(_json_cells(export)))
    else:
        objects = (json.dumps(dict(zip(names, map(_json_value, row))), ensure_ascii=False) for row in rows)
    objects = iter(objects)
    parts = ["["]
    first = next(objects, None)
    if first is not None:
        parts.append("\n" + first)
    while batch := list(islice(objects, CHUNK_ROWS)):
        parts.append(",\n")
        parts.append(",\n".join(batch))
        yield "".join(parts).encode("utf-8")
        parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


def stream(export: Export, fmt: Format, rows: Iterable[tuple]) -> Iterator[bytes]:
    """The export's bytes in that format, produced as the rows come."""
    if fmt is Format.CSV:
        ready = _ready(export, rows, _open_cells(export), _open_row_writer(export))
        return _csv_chunks(ready, ",", [field.name for field in export.fields])
    if fmt is Format.EXCEL_CSV:
        ready = _ready(export, rows, _excel_cells(export), _excel_row_writer(export))
        return _csv_chunks(ready, ";", [field.title for field in export.fields], prefix=BOM)
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
