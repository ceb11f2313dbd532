"""What a dashboard shows, for one scope: key figures, then charts each with its data table.

The admin sees the whole plan; an association its fleet and its rentals; a prescriber
organisation its people's rentals and outcomes. Every figure comes from `indicators`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from mobility.auth.models import Organisation
from mobility.booking.models import OutcomeCheckpoint, OutcomeResult
from mobility.reporting import indicators, objectives, summary
from mobility.reporting.charts import Chart, bar_chart, with_marker
from mobility.reporting.dimensions import Breakdown, Filters, period_keys, period_label
from mobility.reporting.labels import label_keys


class ScopeKind(enum.Enum):
    PLAN = "plan"
    ASSOCIATION = "association"
    PRESCRIBER = "prescriber"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    organisation: Organisation | None = None

    def narrow(self, filters: Filters) -> Filters:
        if self.kind is ScopeKind.ASSOCIATION:
            return replace(filters, association_id=self.organisation.id)
        if self.kind is ScopeKind.PRESCRIBER:
            return replace(filters, prescriber_id=self.organisation.id)
        return filters


@dataclass
class DataTable:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    id: str
    title: str
    chart: Chart | None
    table: DataTable
    note: str = ""


@dataclass
class Dashboard:
    scope: Scope
    filters: Filters
    figures: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def _n(value) -> str:
    return "—" if value is None else format_decimal(value)


def _pct(value) -> str:
    return "—" if value is None else format_percent(value, "#,##0.0 %")


def _euros_per_day(cents) -> str:
    return "—" if cents is None else format_decimal(round(cents / 100, 2), "#,##0.00") + " €"


def build(scope: Scope, filters: Filters, today: date) -> Dashboard:
    with summary.one_reading():
        return _build(scope, filters, today)


def _build(scope: Scope, filters: Filters, today: date) -> Dashboard:
    filters = scope.narrow(filters)
    board = Dashboard(scope, filters)
    requests_by = Breakdown.PRESCRIBER_KIND if scope.kind is ScopeKind.PLAN else Breakdown.AGE_BAND
    # Its people are not shown: without them the requests add up from the monthly summaries.
    requests_table = indicators.requests(filters, requests_by, people=False)
    requests = requests_table.total.values
    rentals = indicators.rentals(filters).total.values
    by_checkpoint = indicators.outcomes_by_checkpoint(filters)
    at_end = by_checkpoint[OutcomeCheckpoint.AT_END]
    board.figures = [
        (_("Demandes reçues"), _n(requests["received"])),
        (_("Demandes validées"), _n(requests["approved"])),
        (_("Locations"), _n(rentals["rentals"])),
        (_("Jours de location"), _n(rentals["days"])),
        (_("Personnes accompagnées"), _n(rentals["people"])),
        (_("Prix moyen payé par jour"), _euros_per_day(rentals["paid_per_day_cents"])),
        (_("Suites positives à la fin (parmi les suites connues)"), _pct(at_end["positive_rate"])),
    ]
    # The use rate by association (plan) or site (association): its total is the key figure,
    # so the fleet's days are counted once (these groups split the vehicles).
    use_by = {ScopeKind.PLAN: Breakdown.ASSOCIATION, ScopeKind.ASSOCIATION: Breakdown.SITE}.get(scope.kind)
    use_table = indicators.fleet_use(filters, use_by) if use_by else None
    if use_table is not None:
        board.figures.insert(5, (_("Taux d'utilisation de la flotte"), _pct(use_table.total.values["use_rate"])))
    if scope.kind is not ScopeKind.ASSOCIATION:
        waiting = indicators.waiting(filters).total.values
        board.figures.append((_("Inscriptions en file d'attente (dont servies)"), f"{_n(waiting['entries'])} ({_n(waiting['got_vehicle'])})"))
    board.sections += _monthly_by_basin(filters)
    if scope.kind is ScopeKind.PLAN:
        board.sections.append(_use_rate(use_table, _("Taux d'utilisation par association")))
    elif scope.kind is ScopeKind.ASSOCIATION:
        board.sections.append(_use_rate(use_table, _("Taux d'utilisation par site")))
    if scope.kind is not ScopeKind.ASSOCIATION:
        board.sections.append(_outcomes(by_checkpoint))
    board.sections.append(_requests_by(requests_table))
    if scope.kind is ScopeKind.PLAN:
        board.sections.append(_rejections(filters))
    if scope.kind is not ScopeKind.ASSOCIATION:
        organisation_id = scope.organisation.id if scope.organisation else None
        section = _objectives(filters.date_to.year, today, organisation_id)
        if section is not None:
            board.sections.append(section)
    return board


def _monthly_by_basin(filters: Filters) -> list[Section]:
    months = period_keys(Breakdown.MONTH, filters.date_from, filters.date_to)
    crosses = indicators.rentals_crosstabs(filters, Breakdown.MONTH, Breakdown.BASIN, ("rentals", "days"))
    basin_ids = crosses["rentals"].column_keys
    basin_names = label_keys(Breakdown.BASIN, basin_ids)
    sections = []
    for measure, title, section_id in (
        ("rentals", _("Locations par mois et par bassin"), "locations-par-mois"),
        ("days", _("Jours de location par mois et par bassin"), "jours-par-mois"),
    ):
        cross = crosses[measure]
        by_month = dict(zip(cross.row_keys, cross.cells))
        empty = [0] * len(basin_ids)
        groups = [
            (period_label(Breakdown.MONTH, month), [(basin_names[b], v) for b, v in zip(basin_ids, by_month.get(month, empty))])
            for month in months
        ]
        chart = bar_chart(section_id, title, groups, _n)
        headers = [_("Mois"), *(basin_names[b] for b in basin_ids), _("Total")]
        rows = [
            [period_label(Breakdown.MONTH, m), *map(_n, by_month.get(m, empty)), _n(sum(by_month.get(m, empty)))]
            for m in months
        ]
        sections.append(Section(section_id, title, chart, DataTable(title, headers, rows)))
    return sections


def _use_rate(table, title: str) -> Section:
    by = table.breakdown
    chart = bar_chart("utilisation", title, [(None, [(row.label, row.values["use_rate"] or 0) for row in table.rows])], _pct, maximum=1)
    rows = [
        [row.label, _n(row.values["booked_days"]), _n(row.values["bookable_days"]), _pct(row.values["use_rate"])]
        for row in [*table.rows, table.total]
    ]
    rows[-1][0] = _("Total")
    headers = [by.label, _("Jours réservés"), _("Jours disponibles"), _("Taux d'utilisation")]
    note = _("Jours disponibles : jours de la période de chaque véhicule en service, moins ses indisponibilités.")
    return Section("utilisation", title, chart, DataTable(title, headers, rows), note)


def _outcomes(tables: dict) -> Section:
    title = _("Suites des locations commencées dans la période")
    at_end = tables[OutcomeCheckpoint.AT_END]
    chart = bar_chart("suites", _("Suites à la fin de la location"), [(None, [(r.label, at_end[r.value]) for r in OutcomeResult])], _n)
    headers = [_("Suite"), *(c.label for c in OutcomeCheckpoint)]
    rows = [[r.label, *(_n(tables[c][r.value]) for c in OutcomeCheckpoint)] for r in OutcomeResult]
    rows.append([_("Taux de suites positives (parmi les connues)"), *(_pct(tables[c]["positive_rate"]) for c in OutcomeCheckpoint)])
    return Section("suites", title, chart, DataTable(title, headers, rows))


def _requests_by(table) -> Section:
    by = table.breakdown
    title = _("Demandes par %(breakdown)s", breakdown=by.label.lower())
    columns = ("received", "approved", "rejected", "expired", "cancelled")
    headers = [by.label, _("Reçues"), _("Validées"), _("Refusées"), _("Expirées"), _("Annulées")]
    rows = [[row.label, *(_n(row.values[c]) for c in columns)] for row in table.rows]
    rows.append([_("Total"), *(_n(table.total.values[c]) for c in columns)])
    chart = bar_chart("demandes", title, [(None, [(row.label, row.values["received"]) for row in table.rows])], _n)
    return Section("demandes", title, chart, DataTable(title, headers, rows))


def _rejections(filters: Filters) -> Section:
    title = _("Refus par motif")
    rows = [[reason or _("(sans motif)"), _n(count)] for reason, count in indicators.rejection_reasons(filters)[:15]]
    note = _("Motifs saisis par les référents ; affichés ici seulement, jamais exportés ni publiés.")
    return Section("refus", title, None, DataTable(title, [_("Motif"), _("Refus")], rows or [[_("Aucun refus"), "0"]]), note)


def _objectives(year: int, today: date, organisation_id: int | None) -> Section | None:
    progress = objectives.progress(year, today, organisation_id)
    if not progress:
        return None
    share = objectives.year_share(year, today)
    title = _("Objectifs %(year)d : avancement", year=year)
    labels = [f"{p.objective.organisation.name} — {p.objective.indicator.label}" if organisation_id is None else p.objective.indicator.label for p in progress]
    chart = bar_chart("objectifs", title, [(None, [(label[:40], min(p.done_share, 1.5)) for label, p in zip(labels, progress)])], _pct, maximum=1.5)
    with_marker(chart, share / 1.5, _("Trait pointillé : part de l'année écoulée (%(share)s).", share=_pct(share)))
    headers = [_("Objectif"), _("Cible"), _("Réalisé"), _("Attendu à ce jour"), _("Avancement"), _("Situation")]
    rows = [
        [label, _n(p.objective.target), _n(p.done), _n(p.expected), _pct(p.done_share), _("dans les temps") if p.on_track else _("en retard")]
        for label, p in zip(labels, progress)
    ]
    return Section("objectifs", title, chart, DataTable(title, headers, rows), _("Part de l'année écoulée : %(share)s.", share=_pct(share)))


