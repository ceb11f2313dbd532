"""Scheduled work of reporting (mobility/scheduler.py says when)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from mobility.core.time import local
from mobility.reporting.exports import EXPORTS, ExportSettings
from mobility.reporting.formats import Format
from mobility.reporting import summarise
from mobility.reporting.services import write_nightly_exports


def nightly_exports(now: datetime, wet: bool = True) -> dict:
    """Every export in every format for the Paris day, in EXPORT_DIR/YYYY-MM-DD/; folders older
    than EXPORT_KEEP_DAYS removed. The files carry pseudonyms, never names or contacts."""
    config = current_app.config
    day = local(now).date()
    if not wet:
        # What would be written; nothing is written or removed.
        return {"rows": len(EXPORTS) * (len(Format) + 1), "detail": f"{day.isoformat()} (dry run)"}
    written = write_nightly_exports(
        config["EXPORT_DIR"], day, config["EXPORT_KEEP_DAYS"], ExportSettings.from_config(config)
    )
    return {"rows": len(written), "detail": day.isoformat()}


def monthly_summaries(now: datetime, wet: bool = True) -> dict:
    """Summarise every ended month lacking a fresh summary (the dashboards then read a few
    hundred rows per month instead of its bookings). Run after retention, before the exports."""
    if not wet:
        months = summarise.months_to_write(now)
        return {"rows": len(months), "detail": f"months_to_write={len(months)} (dry run)"}
    done = summarise.refresh(now)
    summarise.gather_statistics()
    detail = f"months={len(done.months)} seconds={done.seconds:.1f} busy_skipped={len(done.skipped)}"
    return {"rows": len(done.months), "detail": detail}
