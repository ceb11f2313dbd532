"""The plan's incident figures, aggregated in the database, pseudonymous (per association)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mobility.extensions import db
from mobility.incidents import services
from mobility.incidents.models import IncidentKind
from mobility.incidents.services import Continuation, IncidentReport, OffRoad
from mobility.reporting.dimensions import Filters
from mobility.reporting.incidents import incident_figures


def test_incidents_per_thousand_rental_days_and_days_off_the_road(rental_in_progress):
    incident = services.report_incident(
        rental_in_progress["vehicle"], rental_in_progress["booking"],
        IncidentReport(IncidentKind.ACCIDENT, datetime(2026, 12, 8, 14, 0, tzinfo=UTC), "Orléans", "Choc.",
                       stops_vehicle=True),
        [], rental_in_progress["staff"], off_road=OffRoad(until_on=date(2026, 12, 12), continuation=Continuation.END),
    )
    db.session.commit()
    figures = incident_figures(Filters(date(2026, 12, 1), date(2026, 12, 31)))
    row, total = figures
    assert row.association == rental_in_progress["association"].name
    # One rental of 5 days, ended early (its days are kept as booked), one incident.
    assert (row.rental_days, row.incidents) == (5, 1)
    assert row.per_thousand_rental_days == 200.0
    # Off the road from Tuesday 8 to Saturday 12 December included.
    assert row.days_off_road == 5
    assert total.incidents == 1 and total.association == ""
    # Clipped to the period.
    assert incident_figures(Filters(date(2026, 12, 10), date(2026, 12, 31)))[0].days_off_road == 3
    assert incident.reference not in str(figures)


def test_admins_see_the_figures_page_and_never_an_incident(rental_in_progress, client, auth):
    from tests.factories import UserFactory

    incident = services.report_incident(
        rental_in_progress["vehicle"], rental_in_progress["booking"],
        IncidentReport(IncidentKind.THEFT, datetime(2026, 12, 8, 14, 0, tzinfo=UTC), "Orléans", "Volée."),
        [], rental_in_progress["staff"],
    )
    admin = UserFactory(admin=True)
    db.session.commit()
    auth.login(admin)
    page = client.get("/tableau-de-bord/sinistres?du=2026-12-01&au=2026-12-31")
    assert page.status_code == 200
    assert rental_in_progress["association"].name in page.text and "200" in page.text
    assert "Volée." not in page.text
    assert client.get(f"/sinistres/{incident.id}").status_code == 404
