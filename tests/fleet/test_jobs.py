"""The deadlines digest: insurance and contrôle technique within 30 days, one message per person a day."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from mobility.extensions import db
from mobility.cession.jobs import deadlines_digest
from mobility.fleet.models import VehicleStatus
from mobility.notify.models import OutboxMessage
from tests.factories import OrganisationFactory, UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

NOW = datetime(2026, 12, 1, 6, 30, tzinfo=timezone.utc)  # 07:30 in Paris


def test_each_staff_member_gets_one_digest_of_their_association_s_deadlines(app, time_machine):
    time_machine.move_to(NOW, tick=False)
    association = OrganisationFactory(association=True)
    site = SiteFactory(association=association)
    due = VehicleFactory(site=site, insurance_expires_on=date(2026, 12, 20))
    late = VehicleFactory(site=site, technical_inspection_due_on=date(2026, 11, 15))
    VehicleFactory(site=site)  # nothing due
    VehicleFactory(site=site, insurance_expires_on=date(2026, 12, 5), status=VehicleStatus.RETIRED)
    other = VehicleFactory(insurance_expires_on=date(2026, 12, 3))  # another association's
    staff = [UserFactory(fleet=True, organisation=association) for _ in range(2)]
    db.session.commit()

    assert deadlines_digest(NOW)["rows"] == 2
    db.session.commit()
    assert deadlines_digest(NOW)["rows"] == 0
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in messages] == [u.email for u in staff]
    body = messages[0].body_text
    assert due.plate in body and late.plate in body and other.plate not in body
    assert "L'assurance expire le 20/12/2026." in body
    assert "Le contrôle technique est en retard depuis le 15/11/2026." in body
    assert messages[0].subject.startswith("2 échéances")
