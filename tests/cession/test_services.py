"""Cessions across objects: convention limits, the one transition table, paperwork, the fleet link."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from mobility.audit.models import AuditEvent
from mobility.cession import services
from mobility.cession.models import CessionAction, CessionState, CessionTransition, ConventionKind, PaperworkKind as K
from mobility.core.errors import Conflict, Invalid, Refused
from mobility.core.statemachine import IllegalMove, ReasonRequired
from mobility.extensions import db
from mobility.fleet.models import Energy, Gearbox, Vehicle, VehicleCategory, VehicleOrigin, VehicleStatus
from tests.cession.factories import CessionFactory, ConventionFactory
from tests.factories import UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory

S = CessionState


def cession_data(convention, **changes):
    data = {
        "convention_id": convention.id, "decision_reference": "AR-2026-0042", "decided_on": date(2026, 9, 15),
        "plate": "CD-123-EF", "vin": "VF1RJA00012345678", "make": "Renault", "model": "Kangoo",
        "first_registered_on": date(2018, 4, 12), "category": VehicleCategory.CAR,
        "energy": Energy.DIESEL,
        "odometer_km": 98000, "value_cents": 0, "ceded_on": date(2026, 11, 2), "ceded_at_time": None,
    }
    data.update(changes)
    return data


def test_admin_proposes_a_cession_logged_and_audited(frozen_today, admin, convention):
    cession = services.create_cession(cession_data(convention), admin)
    db.session.commit()
    assert cession.state is S.PROPOSED and cession.association_id == convention.association_id
    log = db.session.scalars(select(CessionTransition)).all()
    assert [(row.from_state, row.to_state, row.actor_id) for row in log] == [(None, S.PROPOSED, admin.id)]
    assert db.session.scalar(select(AuditEvent.object_type).where(AuditEvent.object_id == cession.id)) == "cession"


def test_a_cession_beyond_the_conventions_maximum_is_refused_with_the_reason(frozen_today, admin, convention):
    convention.max_vehicles = 1
    CessionFactory(convention=convention)
    with pytest.raises(Refused, match="1 véhicule"):
        services.create_cession(cession_data(convention), admin)


def test_a_declined_cession_frees_its_place_under_the_convention(frozen_today, admin, convention):
    convention.max_vehicles = 1
    CessionFactory(convention=convention, state=S.DECLINED)
    assert services.create_cession(cession_data(convention), admin).state is S.PROPOSED


def test_a_cession_outside_the_conventions_period_or_under_an_expired_one_is_refused(frozen_today, admin):
    convention = ConventionFactory(starts_on=date(2026, 11, 10))
    with pytest.raises(Refused, match="court du 10/11/2026") as error:
        services.create_cession(cession_data(convention), admin)
    assert error.value.field == "ceded_on"
    expired = ConventionFactory(starts_on=date(2025, 1, 1), ends_on=date(2026, 11, 20))
    with pytest.raises(Refused, match="a pris fin le 20/11/2026"):
        services.create_cession(cession_data(expired, ceded_on=date(2026, 11, 2)), admin)


def test_a_free_cession_above_the_ceiling_is_refused_and_a_priced_one_is_not(frozen_today, admin):
    free = ConventionFactory(kind=ConventionKind.FREE)
    with pytest.raises(Refused, match="jusqu'à 300 €") as error:
        services.create_cession(cession_data(free, value_cents=300_01), admin)
    assert error.value.field == "value_cents"
    priced = ConventionFactory(priced=True)
    assert services.create_cession(cession_data(priced, value_cents=1500_00), admin).value_cents == 1500_00


def test_a_cession_date_in_the_future_or_before_first_registration_is_refused(frozen_today, admin, convention):
    with pytest.raises(Invalid, match="futur"):
        services.create_cession(cession_data(convention, ceded_on=date(2026, 11, 24)), admin)
    with pytest.raises(Invalid, match="première mise en circulation"):
        services.create_cession(cession_data(convention, first_registered_on=date(2026, 11, 3)), admin)


def test_a_vin_already_ceded_is_refused_next_to_the_field(frozen_today, admin, convention):
    CessionFactory(convention=convention, vin="VF1RJA00012345678")
    with pytest.raises(Conflict) as error:
        services.create_cession(cession_data(convention), admin)
    assert error.value.field == "vin" and "une autre cession" in error.value.message


def test_a_vin_of_another_associations_vehicle_is_refused(frozen_today, admin, convention, other_fleet_user):
    VehicleFactory(site=SiteFactory(association=other_fleet_user.organisation), vin="VF1RJA00012345678")
    with pytest.raises(Conflict, match="autre association"):
        services.create_cession(cession_data(convention), admin)


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [
        (S.PROPOSED, CessionAction.TRANSFER, "admin"),
        (S.PROPOSED, CessionAction.ACCEPT, "admin"),  # the association accepts, not the Département
        (S.ACCEPTED, CessionAction.ACCEPT, "fleet"),
        (S.ACCEPTED, CessionAction.TRANSFER, "fleet"),
        (S.TRANSFERRED, CessionAction.PUT_IN_SERVICE, "fleet"),
        (S.DECLINED, CessionAction.ACCEPT, "fleet"),
        (S.SCRAPPED, CessionAction.RESELL, "fleet"),
        (S.PROPOSED, CessionAction.SCRAP, "admin"),
    ],
)
def test_each_illegal_move_is_refused_in_french(app, admin, fleet_user, state, action, role):
    cession = CessionFactory(convention=ConventionFactory(association=fleet_user.organisation), state=state)
    actor = admin if role == "admin" else fleet_user
    with pytest.raises(IllegalMove, match="n'est pas possible pour une cession"):
        services.MACHINE.move(cession, action, actor, "raison")
    assert cession.state is state


def test_declining_needs_a_reason(app, fleet_user, convention):
    cession = CessionFactory(convention=convention)
    with pytest.raises(ReasonRequired):
        services.decline(cession, fleet_user, "  ")
    services.decline(cession, fleet_user, "Pas de place au garage")
    assert cession.state is S.DECLINED and cession.transitions[-1].reason == "Pas de place au garage"


def _all_paperwork(cession, actor, day=date(2026, 10, 1)):
    for kind in (K.CERTIFICATE_OF_SALE, K.SIV_DECLARATION, K.CROSSED_OUT_CERTIFICATE, K.TECHNICAL_INSPECTION):
        services.record_paperwork(cession, kind, day, actor)
    services.record_paperwork(cession, K.NON_PLEDGE, date(2026, 9, 25), actor)
    services.record_paperwork(cession, K.REGISTRATION, date(2026, 10, 20), actor, certificate_number="2026AB12345")


def test_registration_needs_the_paperwork_that_makes_it_legal(frozen_today, admin, fleet_user, convention):
    cession = CessionFactory(convention=convention, state=S.TRANSFERRED)
    with pytest.raises(Refused, match="Il manque des pièces") as error:
        services.register(cession, fleet_user)
    assert "Cerfa 15776" in error.value.message
    _all_paperwork(cession, fleet_user)
    services.register(cession, fleet_user)
    assert cession.state is S.REGISTERED


def test_an_old_non_pledge_certificate_blocks_registration(frozen_today, fleet_user, convention):
    cession = CessionFactory(convention=convention, state=S.TRANSFERRED)
    _all_paperwork(cession, fleet_user)
    services.record_paperwork(cession, K.NON_PLEDGE, date(2026, 9, 1), fleet_user)
    with pytest.raises(Refused, match="non-gage"):
        services.register(cession, fleet_user)


def test_in_service_creates_the_associations_vehicle_linked_and_ceded(frozen_today, fleet_user, convention):
    site = SiteFactory(association=fleet_user.organisation)
    cession = CessionFactory(convention=convention, state=S.REGISTERED)
    vehicle = services.put_in_service(cession, fleet_user, site_id=site.id, gearbox=Gearbox.MANUAL, seats=5)
    db.session.commit()
    assert (vehicle.vin, vehicle.cession_id, vehicle.origin) == (cession.vin, cession.id, VehicleOrigin.CEDED)
    assert vehicle.current_odometer_km == cession.odometer_km
    assert cession.state is S.IN_SERVICE and cession.vehicle.id == vehicle.id


def test_in_service_links_the_vehicle_already_in_the_fleet_instead_of_a_second_one(frozen_today, fleet_user, convention):
    site = SiteFactory(association=fleet_user.organisation)
    cession = CessionFactory(convention=convention, state=S.REGISTERED)
    existing = VehicleFactory(site=site, vin=cession.vin)
    vehicle = services.put_in_service(cession, fleet_user, site_id=None, gearbox=None, seats=None)
    db.session.commit()
    assert vehicle.id == existing.id and existing.origin is VehicleOrigin.CEDED and existing.cession_id == cession.id
    assert db.session.scalar(select(db.func.count()).select_from(Vehicle)) == 1


def test_in_service_with_a_site_of_another_association_is_refused_and_nothing_moves(frozen_today, fleet_user, other_fleet_user, convention):
    foreign = SiteFactory(association=other_fleet_user.organisation)
    cession = CessionFactory(convention=convention, state=S.REGISTERED)
    with pytest.raises(Refused) as error:
        services.put_in_service(cession, fleet_user, site_id=foreign.id, gearbox=Gearbox.MANUAL, seats=5)
    assert error.value.field == "site_id" and cession.state is S.REGISTERED


def test_reselling_a_vehicle_ceded_free_needs_the_departements_agreement(frozen_today, admin, fleet_user, convention):
    cession = CessionFactory(convention=convention, state=S.REGISTERED)
    with pytest.raises(Refused, match="accord écrit du Département"):
        services.resell(cession, fleet_user, "Trop de réparations")
    services.record_resale_agreement(cession, "Courrier DGA 2026-118", date(2026, 11, 20), admin)
    services.resell(cession, fleet_user, "Trop de réparations")
    assert cession.state is S.RESOLD


def test_a_priced_cession_may_be_resold_without_agreement(frozen_today, fleet_user):
    cession = CessionFactory(convention=ConventionFactory(association=fleet_user.organisation, priced=True), state=S.REGISTERED)
    services.resell(cession, fleet_user, "Remplacé")
    assert cession.state is S.RESOLD


def test_scrapping_a_vehicle_in_service_retires_it_from_the_fleet(frozen_today, fleet_user, convention):
    site = SiteFactory(association=fleet_user.organisation)
    cession = CessionFactory(convention=convention, state=S.REGISTERED)
    vehicle = services.put_in_service(cession, fleet_user, site_id=site.id, gearbox=Gearbox.MANUAL, seats=5)
    services.scrap(cession, fleet_user, "Accident, VHU")
    assert cession.state is S.SCRAPPED and vehicle.status is VehicleStatus.RETIRED


def test_paperwork_in_the_future_or_a_registration_without_number_is_refused(frozen_today, fleet_user, convention):
    cession = CessionFactory(convention=convention, state=S.TRANSFERRED)
    with pytest.raises(Invalid, match="futur"):
        services.record_paperwork(cession, K.CERTIFICATE_OF_SALE, date(2026, 11, 24), fleet_user)
    with pytest.raises(Invalid) as error:
        services.record_paperwork(cession, K.REGISTRATION, date(2026, 11, 1), fleet_user, certificate_number=" ")
    assert error.value.field == "certificate_number"


def test_late_paperwork_lists_only_the_users_own_cessions_most_late_first(frozen_today, admin, fleet_user, other_fleet_user):
    mine_recent = CessionFactory(convention=ConventionFactory(association=fleet_user.organisation), ceded_on=date(2026, 11, 1))
    mine_old = CessionFactory(convention=ConventionFactory(association=fleet_user.organisation), ceded_on=date(2026, 10, 1))
    theirs = CessionFactory(convention=ConventionFactory(association=other_fleet_user.organisation))
    assert [entry.cession.id for entry in services.late_paperwork(fleet_user)] == [mine_old.id, mine_recent.id]
    assert {entry.cession.id for entry in services.late_paperwork(admin)} == {mine_old.id, mine_recent.id, theirs.id}
    assert services.late_paperwork(UserFactory()) == []
