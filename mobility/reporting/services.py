"""What the pages, the nightly job and the API call: an export built for a period, files written.

No request, session or flash here; refusals are DomainErrors with French messages.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask_babel import gettext as _

from mobility.core.errors import NotFound
from mobility.reporting.dimensions import Filters
from mobility.reporting.exports import EXPORTS, Export, ExportSettings
from mobility.reporting.formats import Format, filename, schema_bytes, schema_filename, stream


@dataclass
class BuiltExport:
    filename: str
    mimetype: str
    chunks: Iterator[bytes]


def find_export(name: str) -> Export:
    try:
        return EXPORTS[name]
    except KeyError:
        raise NotFound(_("Cet export n'existe pas."), field="name") from None


def find_format(value: str) -> Format:
    try:
        return Format(value)
    except ValueError:
        raise NotFound(_("Ce format d'export n'existe pas."), field="format") from None


def build_export(name: str, fmt: Format, filters: Filters, settings: ExportSettings, day: date) -> BuiltExport:
    """An export for a period, as a stream of bytes (the caller iterates within an app context)."""
    export = find_export(name)
    rows = export.rows(filters, settings)
    return BuiltExport(filename(export, fmt, day), fmt.mimetype, stream(export, fmt, rows))


def build_schema(name: str, day: date) -> BuiltExport:
    export = find_export(name)
    return BuiltExport(schema_filename(export, day), "application/json", iter([schema_bytes(export)]))


def nightly_period(day: date) -> Filters:
    """What the nightly files cover: from 1 January of last year to the day before."""
    return Filters(date(day.year - 1, 1, 1), day - timedelta(days=1))


def write_nightly_exports(directory, day: date, keep_days: int, settings: ExportSettings) -> list[Path]:
    """Write every export in every format (and each TableSchema) into directory/YYYY-MM-DD/.

    Safe to run twice: the day's folder is written aside and swapped in whole. Folders of
    days older than keep_days are removed. Returns the files written.
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    final = root / day.isoformat()
    partial = root / f".{day.isoformat()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    filters = nightly_period(day)
    for export in EXPORTS.values():
        for fmt in Format:
            built = build_export(export.name, fmt, filters, settings, day)
            with open(partial / built.filename, "wb") as out:
                for chunk in built.chunks:
                    out.write(chunk)
        (partial / schema_filename(export, day)).write_bytes(schema_bytes(export))
    shutil.rmtree(final, ignore_errors=True)
    partial.rename(final)
    _remove_old(root, day, keep_days)
    return sorted(final.iterdir())


def _remove_old(root: Path, day: date, keep_days: int) -> None:
    oldest_kept = day - timedelta(days=max(keep_days, 1) - 1)
    for folder in root.iterdir():
        try:
            folder_day = date.fromisoformat(folder.name)
        except ValueError:
            continue  # not one of ours
        if folder.is_dir() and folder_day < oldest_kept:
            shutil.rmtree(folder)


def nightly_folders(directory) -> list[tuple[date, list[Path]]]:
    """The days kept on disk, newest first, with their files (for the exports page)."""
    root = Path(directory)
    if not root.is_dir():
        return []
    days = []
    for folder in root.iterdir():
        try:
            days.append((date.fromisoformat(folder.name), sorted(folder.iterdir())))
        except ValueError:
            continue
    return sorted(days, reverse=True)
