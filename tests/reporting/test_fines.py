"""Fines per association and the share designated in time, counted by the database, pseudonymous;
the page: admins see every association, an association its own, others 404."""

from __future__ import annotations

from datetime import date

import pytest

from mobility.fines.models import FineStatus, OffenceKind
from mobility.reporting.fines import fine_figures
from tests.factories import UserFactory
from tests.fines.factories import FineFactory, fleet_vehicle

TODAY = date(2026, 11, 23)


@pytest.fixture
def fines_of_two_associations(app, frozen):
    a, b = UserFactory(fleet=True), UserFactory(fleet=True)
    va, vb = fleet_vehicle(a), fleet_vehicle(b)
    sent, due = date(2026, 9, 1), date(2026, 10, 16)
    common = {"notice_sent_on": sent, "designation_due_on": due}
    # Association A: one still running (sent 12 October), designated on the last day, designated a
    # day late, past the deadline without designation, a parking fine, one sent three days ago;
    # plus one sent before the period.
    FineFactory(vehicle=va)
    FineFactory(vehicle=va, **common, status=FineStatus.CLOSED, designated_on=due, designation_reference="R1")
    FineFactory(vehicle=va, **common, status=FineStatus.CLOSED, designated_on=date(2026, 10, 17), designation_reference="R2")
    FineFactory(vehicle=va, **common)
    FineFactory(vehicle=va, **common, kind=OffenceKind.PARKING, status=FineStatus.PAID_BY_ASSOCIATION)
    FineFactory(vehicle=va, notice_sent_on=date(2026, 11, 20), designation_due_on=date(2027, 1, 4))
    FineFactory(vehicle=va, notice_sent_on=date(2025, 12, 1), designation_due_on=date(2026, 1, 15))
    FineFactory(vehicle=vb, **common, status=FineStatus.CONTESTED)
    return a, b


def test_fines_per_association_and_the_share_designated_in_time(fines_of_two_associations):
    a, b = fines_of_two_associations
    rows = {row.association_id: row for row in fine_figures(date(2026, 1, 1), TODAY, TODAY)}
    first = rows[a.organisation_id]
    assert (first.fines, first.to_designate) == (6, 5)
    # Known outcomes: in time, late, past the deadline without designation (the two running: not yet).
    assert (first.designated_in_time, first.designated_late, first.late_undesignated) == (1, 1, 1)
    assert first.in_time_rate == pytest.approx(1 / 3)
    second = rows[b.organisation_id]
    assert (second.fines, second.designated_in_time, second.decided, second.in_time_rate) == (1, 0, 0, None)
    only_b = fine_figures(date(2026, 1, 1), TODAY, TODAY, association_id=b.organisation_id)
    assert [row.association_id for row in only_b] == [b.organisation_id]


def test_the_page_admins_all_associations_their_own_others_404(client, auth, fines_of_two_associations):
    a, b = fines_of_two_associations
    auth.login(UserFactory(admin=True))
    page = client.get("/tableau-de-bord/amendes?du=2026-01-01&au=2026-11-23").get_data(as_text=True)
    assert a.organisation.name in page and b.organisation.name in page and "33 %" in page
    auth.logout()
    auth.login(a)
    page = client.get("/tableau-de-bord/amendes").get_data(as_text=True)
    assert a.organisation.name in page and b.organisation.name not in page
    auth.logout()
    auth.login(UserFactory())
    assert client.get("/tableau-de-bord/amendes").status_code == 404
