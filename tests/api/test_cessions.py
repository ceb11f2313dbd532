"""GET /api/v1/cessions and /cessions/{id}: admins see all, an association its own, others nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from mobility.audit.models import AuditEvent
from mobility.auth.models import Role
from mobility.cession.models import CessionState, PaperworkKind
from mobility.extensions import db
from mobility.fleet.models import VehicleOrigin
from tests.api.helpers import NOW, assert_error, token_of
from tests.cession.factories import CessionFactory, ConventionFactory, PaperworkFactory
from tests.factories import OrganisationFactory, UserFactory
from tests.fleet.factories import SiteFactory, VehicleFactory


@pytest.fixture
def cessions(app, time_machine):
    """Association A: a cession handed over on 1 October 2026 (SIV declaration late), one proposed
    in 2025; association B: one in service, linked to its fleet vehicle."""
    time_machine.move_to(NOW, tick=False)
    a = OrganisationFactory(association=True, name="Association A")
    b = OrganisationFactory(association=True, name="Association B")
    convention_a = ConventionFactory(association=a, reference="CONV-A")
    convention_b = ConventionFactory(association=b, reference="CONV-B", priced=True)
    late = CessionFactory(convention=convention_a, state=CessionState.TRANSFERRED, plate="AA-100-AE")
    PaperworkFactory(cession=late, kind=PaperworkKind.CERTIFICATE_OF_SALE, done_on=date(2026, 10, 1))
    old = CessionFactory(
        convention=convention_a, ceded_on=date(2025, 6, 2), decided_on=date(2025, 5, 2), plate="AA-101-AE"
    )
    in_service = CessionFactory(convention=convention_b, state=CessionState.IN_SERVICE, value_cents=45_000, plate="BB-100-BE")
    VehicleFactory(site=SiteFactory(association=b), vin=in_service.vin, plate=in_service.plate, cession_id=in_service.id, origin=VehicleOrigin.CEDED)
    db.session.commit()
    return {"a": a, "b": b, "late": late, "old": old, "in_service": in_service, "convention_a": convention_a}


def _references(response) -> set[str]:
    return {item["reference"] for item in response.json["cessions"]}


def test_an_admin_token_lists_every_cession_with_its_vehicle_identity_and_paperwork(client, cessions):
    response = client.get("/api/v1/cessions", headers=token_of(UserFactory(admin=True)))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["count"] == 3 and body["pages"] == 1
    late = next(item for item in body["cessions"] if item["id"] == cessions["late"].id)
    assert late["reference"] == cessions["late"].reference
    assert late["convention"] == {"id": cessions["convention_a"].id, "reference": "CONV-A", "kind": "free"}
    assert late["state"] == "transferred" and late["state_label"]
    assert late["plate"] == "AA-100-AE" and late["vin"] == cessions["late"].vin
    assert (late["make"], late["category"], late["energy"]) == ("Renault", "car", "diesel")
    assert late["first_registered_on"] == "2018-04-12" and late["ceded_on"] == "2026-10-01"
    assert late["vehicle_id"] is None
    siv = next(item for item in late["paperwork"] if item["kind"] == "siv_declaration")
    # Due 15 days after 1 October; 23 November is 38 days past the 16th.
    assert (siv["status"], siv["deadline"], siv["days_late"]) == ("late", "2026-10-16", 38)
    sale = next(item for item in late["paperwork"] if item["kind"] == "certificate_of_sale")
    assert sale["status"] == "done" and sale["done_on"] == "2026-10-01"
    linked = next(item for item in body["cessions"] if item["id"] == cessions["in_service"].id)
    assert linked["vehicle_id"] is not None and linked["value_cents"] == 45_000


def test_an_association_token_lists_only_its_own_cessions_and_gets_404_for_another(client, cessions):
    headers = token_of(UserFactory(fleet=True, organisation=cessions["a"]))
    response = client.get("/api/v1/cessions", headers=headers)
    assert response.status_code == 200
    assert _references(response) == {cessions["late"].reference, cessions["old"].reference}
    assert "BB-100-BE" not in response.get_data(as_text=True)
    assert client.get(f"/api/v1/cessions/{cessions['late'].id}", headers=headers).status_code == 200
    assert_error(client.get(f"/api/v1/cessions/{cessions['in_service'].id}", headers=headers), 404)


@pytest.mark.parametrize("role", [Role.REFERENT, Role.BENEFICIARY])
def test_referent_and_beneficiary_tokens_are_refused_the_cessions(client, cessions, role):
    user = UserFactory()
    headers = token_of(user)
    user.role = role
    db.session.commit()
    error = assert_error(client.get("/api/v1/cessions", headers=headers), 403)
    assert "cessions" in error["message"]
    assert_error(client.get(f"/api/v1/cessions/{cessions['late'].id}", headers=headers), 403)


def test_filters_narrow_the_list_by_convention_state_and_year(client, cessions):
    headers = token_of(UserFactory(admin=True))
    by_year = client.get("/api/v1/cessions", query_string={"year": "2025"}, headers=headers)
    assert _references(by_year) == {cessions["old"].reference}
    by_state = client.get("/api/v1/cessions", query_string={"state": "in_service"}, headers=headers)
    assert _references(by_state) == {cessions["in_service"].reference}
    by_convention = client.get(
        "/api/v1/cessions", query_string={"convention": cessions["convention_a"].id}, headers=headers
    )
    assert _references(by_convention) == {cessions["late"].reference, cessions["old"].reference}
    paged = client.get("/api/v1/cessions", query_string={"per_page": "2", "page": "2"}, headers=headers)
    assert paged.json["count"] == 3 and len(paged.json["cessions"]) == 1 and paged.json["pages"] == 2


@pytest.mark.parametrize(
    "query, field",
    [
        ({"state": "vendue"}, "state"),
        ({"year": "1800"}, "year"),
        ({"year": "deux-mille"}, "year"),
        ({"convention": "0"}, "convention"),
        ({"per_page": "1000"}, "per_page"),
        ({"state": "proposed\x00"}, "state"),
        ({"etat": "proposed"}, "etat"),
    ],
)
def test_bad_filters_get_a_french_422_naming_the_parameter(client, cessions, query, field):
    response = client.get("/api/v1/cessions", query_string=query, headers=token_of(UserFactory(admin=True)))
    error = assert_error(response, 422)
    assert field in error["fields"], error


def test_reading_a_cession_is_recorded_in_the_audit_trail(client, cessions):
    admin = UserFactory(admin=True)
    response = client.get(f"/api/v1/cessions/{cessions['in_service'].id}", headers=token_of(admin))
    assert response.status_code == 200
    assert response.json["association"] == {"id": cessions["b"].id, "name": "Association B"}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "cession")).one()
    assert (event.object_id, event.actor_id) == (cessions["in_service"].id, admin.id)


def test_an_unknown_cession_is_a_404_for_an_admin(client, cessions):
    assert_error(client.get("/api/v1/cessions/999999", headers=token_of(UserFactory(admin=True))), 404)


def test_the_description_lists_the_cession_operations(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/cessions"] and "get" in paths["/cessions/{cession_id}"]
