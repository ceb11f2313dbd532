"""seed-demo's fines: one to designate within the week, one designated, a parking fine at the site."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from mobility.devdata.demo import seed_demo
from mobility.extensions import db
from mobility.fines.models import DriverFinding, Fine, FineStatus
from mobility.fines.services import due_fines

TODAY = date(2026, 11, 23)


def test_the_demo_fines_show_on_the_associations_home_and_a_second_run_changes_nothing(app, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 9, tzinfo=UTC))
    assert seed_demo(TODAY)["new_fines"] == 3
    db.session.commit()
    assert seed_demo(TODAY)["new_fines"] == 0
    fines = {fine.notice_number: fine for fine in db.session.scalars(select(Fine))}
    soon = fines["1000000001"]
    assert soon.status is FineStatus.DRIVER_IDENTIFIED and soon.finding is DriverFinding.DRIVER
    assert soon.days_left(TODAY) == 7 and soon.beneficiary_id == soon.booking.beneficiary_id
    assert fines["1000000002"].status is FineStatus.DESIGNATED
    assert fines["1000000003"].finding is DriverFinding.AT_SITE
    assert [f.notice_number for f in due_fines(soon.association_id, TODAY)] == ["1000000001"]
