"""What the database holds by itself, whatever the Python code does."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from mobility.extensions import db
from mobility.fleet.models import VehicleOrigin
from tests.cession.factories import CessionFactory, ConventionFactory, PaperworkFactory
from tests.factories import OrganisationFactory
from tests.fleet.factories import SiteFactory, VehicleFactory


def _refused(statement: str, **params) -> None:
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(text(statement), params)


def test_a_vin_is_ceded_once(app):
    cession = CessionFactory()
    with pytest.raises(IntegrityError):
        CessionFactory(vin=cession.vin)
    db.session.rollback()


def test_a_negative_value_a_cession_before_first_registration_and_a_bad_vin_are_refused(app):
    cession = CessionFactory()
    _refused("UPDATE cession SET value_cents = -1 WHERE id = :id", id=cession.id)
    _refused("UPDATE cession SET ceded_on = '2017-01-01' WHERE id = :id", id=cession.id)
    _refused("UPDATE cession SET vin = 'vf1short' WHERE id = :id", id=cession.id)


def test_a_cession_goes_to_its_conventions_association_only(app):
    cession = CessionFactory()
    other = OrganisationFactory(association=True)
    _refused("UPDATE cession SET association_id = :other WHERE id = :id", other=other.id, id=cession.id)


def test_a_priced_convention_names_its_decision_and_ends_after_it_starts(app):
    convention = ConventionFactory()
    _refused("UPDATE convention SET kind = 'priced' WHERE id = :id", id=convention.id)
    _refused("UPDATE convention SET ends_on = '2025-01-01' WHERE id = :id", id=convention.id)
    _refused("UPDATE convention SET max_vehicles = 0 WHERE id = :id", id=convention.id)


def test_a_fleet_vehicle_linked_to_a_cession_carries_its_vin(app):
    cession = CessionFactory()
    site = SiteFactory(association=cession.convention.association)
    vehicle = VehicleFactory(site=site, vin="WVWZZZ1JZ3W386752", origin=VehicleOrigin.CEDED)
    # Another VIN than the cession's: the composite foreign key refuses the link.
    _refused("UPDATE vehicle SET cession_id = :cession WHERE id = :id", cession=cession.id, id=vehicle.id)
    db.session.execute(
        text("UPDATE vehicle SET vin = :vin, cession_id = :cession WHERE id = :id"),
        {"vin": cession.vin, "cession": cession.id, "id": vehicle.id},
    )
    # And no second vehicle for the same cession.
    second = VehicleFactory(site=site, origin=VehicleOrigin.CEDED)
    _refused("UPDATE vehicle SET cession_id = :cession WHERE id = :id", cession=cession.id, id=second.id)


def test_a_linked_vehicle_cannot_drop_its_vin(app):
    cession = CessionFactory()
    site = SiteFactory(association=cession.convention.association)
    vehicle = VehicleFactory(site=site, vin=cession.vin, origin=VehicleOrigin.CEDED, cession_id=cession.id)
    _refused("UPDATE vehicle SET vin = NULL WHERE id = :id", id=vehicle.id)


def test_one_item_of_each_kind_per_cession_and_a_registration_has_its_number(app):
    item = PaperworkFactory()
    _refused(
        "INSERT INTO cession_paperwork (cession_id, kind, done_on, recorded_at) VALUES (:c, 'certificate_of_sale', '2026-10-01', '2026-10-01')",
        c=item.cession_id,
    )
    _refused(
        "INSERT INTO cession_paperwork (cession_id, kind, done_on, recorded_at) VALUES (:c, 'registration', '2026-10-01', '2026-10-01')",
        c=item.cession_id,
    )
    assert item.done_on == date(2026, 10, 1)
