"""The deadlines digest carries late cession paperwork: admins see all, staff their association's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from mobility.cession.jobs import deadlines_digest
from mobility.extensions import db
from mobility.notify.models import OutboxMessage
from tests.cession.factories import CessionFactory, ConventionFactory
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 07:30 in Paris


def test_late_paperwork_is_in_the_one_daily_digest_of_admins_and_the_association_staff(app, time_machine):
    time_machine.move_to(NOW, tick=False)
    admin = UserFactory(admin=True)
    staff = UserFactory(fleet=True)
    other_staff = UserFactory(fleet=True)
    UserFactory(fleet=True, active=False)
    mine = CessionFactory(convention=ConventionFactory(association=staff.organisation), ceded_on=date(2026, 10, 1))
    theirs = CessionFactory(convention=ConventionFactory(association=other_staff.organisation), ceded_on=date(2026, 10, 1))
    vehicle = VehicleFactory(site=SiteFactory(association=staff.organisation), insurance_expires_on=date(2026, 12, 1))
    db.session.commit()

    assert deadlines_digest(NOW)["rows"] == 3
    db.session.commit()
    assert deadlines_digest(NOW)["rows"] == 0  # one digest per person per day
    by_recipient = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(by_recipient) == {admin.email, staff.email, other_staff.email}
    staff_body = by_recipient[staff.email].body_text
    assert vehicle.plate in staff_body and mine.plate in staff_body and theirs.plate not in staff_body
    assert "Formalités de cession en retard ou à refaire" in staff_body
    assert by_recipient[staff.email].subject.endswith("échéances à traiter")
    admin_body = by_recipient[admin.email].body_text
    assert mine.plate in admin_body and theirs.plate in admin_body and vehicle.plate not in admin_body
    assert "/cessions/" in admin_body
