"""seed-demo's cessions: two conventions, states along the table, late paperwork, rentals behind."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from mobility.cession.models import Cession, CessionState, CessionTransition, Convention
from mobility.cession.register import register_rows
from mobility.cession.services import late_paperwork
from mobility.devdata.demo import seed_demo
from mobility.extensions import db
from mobility.auth.models import User

TODAY = date(2026, 11, 23)


def test_the_demo_cessions_cover_the_states_and_a_second_run_changes_nothing(frozen_today, app):
    figures = seed_demo(TODAY)
    db.session.commit()
    assert figures["new_cessions"] == 6
    assert seed_demo(TODAY)["new_cessions"] == 0
    assert db.session.scalar(select(func.count()).select_from(Convention)) == 2
    states = Counter(db.session.scalars(select(Cession.state)))
    assert states == {CessionState.IN_SERVICE: 2, CessionState.SCRAPPED: 1, CessionState.TRANSFERRED: 1,
                      CessionState.PROPOSED: 1, CessionState.ACCEPTED: 1}
    # Each move logged: 5 + 5 + 5 + 3 + 1 + 2.
    assert db.session.scalar(select(func.count()).select_from(CessionTransition)) == 21

    admin = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    late = late_paperwork(admin, TODAY)
    assert any(entry.cession.plate == "BV-611-GN" for entry in late)
    in_service = [row for row in register_rows(admin, today=TODAY) if row.cession.state is CessionState.IN_SERVICE]
    assert len(in_service) == 2 and all(row.rentals > 0 for row in in_service)
    assert all(row.cession.vehicle.vin == row.cession.vin for row in in_service)
