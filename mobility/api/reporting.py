"""GET /api/v1/indicators and /exports/{name}.{extension}: the dashboards' figures and the exports.

The same query modules as the pages (mobility.reporting): the indicators scoped as the
dashboard scopes them, the exports for admins only, as on the exports page.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, stream_with_context
from flask_babel import gettext as _

from mobility.api.blueprint import blp, current_api_user, roles_allowed
from mobility.api.errors import ApiError
from mobility.api.schemas.reporting import IndicatorQuerySchema, IndicatorsSchema, PeriodQuerySchema
from mobility.audit.models import AuditAction
from mobility.audit.services import record
from mobility.auth.models import Role, User
from mobility.core.errors import DomainError
from mobility.core.time import today
from mobility.extensions import db
from mobility.reporting import dashboard, indicators, services, summary
from mobility.reporting.dimensions import Filters
from mobility.reporting.exports import ExportSettings
from mobility.reporting.formats import Format

# What the API serves of the export formats (the page's "excel-csv" is a spreadsheet's CSV).
EXPORT_EXTENSIONS = {"csv": Format.CSV, "xlsx": Format.XLSX, "json": Format.JSON}
# The Filters field a refusal names, as the query string calls it.
PARAMETER_OF_FIELD = {"date_from": "from", "date_to": "to"}


def _staff_only() -> str:
    return _("Les indicateurs sont réservés aux professionnels.")


def _admins_only() -> str:
    return _("Les exports sont réservés aux administrateurs.")


def scope_of(user: User) -> dashboard.Scope:
    """As the dashboard: the plan for admins, one's association or prescribing organisation else."""
    if user.role is Role.ADMIN:
        return dashboard.Scope(dashboard.ScopeKind.PLAN)
    if user.role is Role.FLEET:
        return dashboard.Scope(dashboard.ScopeKind.ASSOCIATION, user.organisation)
    return dashboard.Scope(dashboard.ScopeKind.PRESCRIBER, user.organisation)


def filters_of(query: dict) -> Filters:
    """The period (1 January to today by default) and filters, or the API's 422 in French."""
    day = today()
    date_from = query.get("date_from") or date(day.year, 1, 1)
    date_to = query.get("date_to") or max(day, date_from)
    basin = query.get("basin")
    try:
        return Filters(
            date_from,
            date_to,
            basin_id=basin.id if basin is not None else None,
            category=query.get("category"),
            prescriber_kind=query.get("prescriber_kind"),
        )
    except DomainError as refused:
        field = PARAMETER_OF_FIELD.get(refused.field, refused.field or "to")
        raise ApiError(422, fields={field: [refused.message]}) from None


@blp.route("/indicators", methods=["GET"])
@blp.errors(403, 422)
@blp.doc(operationId="get_indicators", tags=["reporting"])
@roles_allowed(Role.ADMIN, Role.FLEET, Role.REFERENT, message=_staff_only)
@blp.arguments(IndicatorQuerySchema, location="query")
@blp.response(200, IndicatorsSchema, description="Les indicateurs de la période, dans le périmètre du jeton.")
def get_indicators(query):
    """Les indicateurs du plan : tout le plan pour un administrateur, son organisation sinon"""
    scope = scope_of(current_api_user())
    filters = scope.narrow(filters_of(query))
    with summary.one_reading():
        return _indicators_of(scope, filters)


def _indicators_of(scope, filters) -> dict:
    return {
        "scope": scope.kind,
        "organisation_id": scope.organisation.id if scope.organisation is not None else None,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "indicators": {
            "requests": indicators.requests(filters).total.values,
            "rentals": indicators.rentals(filters).total.values,
            "fleet_use": indicators.fleet_use(filters).total.values,
            "waiting": indicators.waiting(filters).total.values,
        },
        "outcomes": indicators.outcomes_by_checkpoint(filters),
    }


EXPORT_RESPONSE = {
    "description": "Le fichier, envoyé au fil de sa construction ; nom AAAAMMJJ_loiret-mobilite_<nom>.<format>.",
    "content": {
        "text/csv": {"schema": {"type": "string", "format": "binary"}},
        Format.XLSX.mimetype: {"schema": {"type": "string", "format": "binary"}},
        "application/json": {"schema": {"type": "string", "format": "binary"}},
    },
}


@blp.route("/exports/<name>.<extension>", methods=["GET"])
@blp.errors(403, 422)
@blp.doc(operationId="download_export", tags=["reporting"], responses={"200": EXPORT_RESPONSE})
@roles_allowed(Role.ADMIN, message=_admins_only)
@blp.arguments(PeriodQuerySchema, location="query")
def download_export(query, name: str, extension: str):
    """Un export (locations, beneficiaires-servis, utilisation-flotte, suites, beneficiaires-servis-public) en csv, xlsx ou json"""
    fmt = EXPORT_EXTENSIONS.get(extension)
    if fmt is None:
        raise ApiError(404, _("Ce format d'export n'existe pas : csv, xlsx ou json."))
    filters = filters_of(query)
    try:
        built = services.build_export(name, fmt, filters, ExportSettings.from_config(current_app.config), today())
    except DomainError as refused:
        raise ApiError(404, refused.message) from None
    record(AuditAction.EXPORT, "export", 0, actor=current_api_user(), fields=(name, fmt.value))
    db.session.commit()
    response = current_app.response_class(stream_with_context(built.chunks), mimetype=built.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response
